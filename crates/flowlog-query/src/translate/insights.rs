//! CloudWatch Logs Insights: the fields it discovers by itself for the default format
//! (`srcAddr`, `dstPort`, … in camelCase), or a `parse` clause that names every field of a
//! custom format the same way.

use super::{expression, literal, networks, Aggregate, Dialect, Question};
use crate::class::AddrClass;
use crate::filter::{Cmp, Cond, Operand, TextOp};
use crate::key::GroupBy;
use flowlog::{Field, FieldKind, FieldRef, Format};

/// The fields Logs Insights discovers in default-format flow logs.
const DISCOVERED: &[(Field, &str)] = &[
    (Field::Version, "version"),
    (Field::AccountId, "accountId"),
    (Field::InterfaceId, "interfaceId"),
    (Field::SrcAddr, "srcAddr"),
    (Field::DstAddr, "dstAddr"),
    (Field::SrcPort, "srcPort"),
    (Field::DstPort, "dstPort"),
    (Field::Protocol, "protocol"),
    (Field::Packets, "packets"),
    (Field::Bytes, "bytes"),
    (Field::Start, "start"),
    (Field::End, "end"),
    (Field::Action, "action"),
    (Field::LogStatus, "logStatus"),
];

/// The camelCase name of a field: the discovered name for the default fields, otherwise
/// the hyphenated words joined (`pkt-srcaddr` becomes `pktSrcAddr`).
fn name(field: &FieldRef) -> String {
    if let FieldRef::Known(known) = field {
        if let Some((_, name)) = DISCOVERED.iter().find(|(f, _)| f == known) {
            return (*name).to_owned();
        }
    }
    let mut out = String::new();
    for (i, word) in field.name().split('-').enumerate() {
        let word = match word.strip_suffix("addr") {
            Some(head) if !head.is_empty() => format!("{head}Addr"),
            _ => word.to_owned(),
        };
        let mut chars = word.chars();
        if i == 0 {
            out.push_str(&word);
        } else if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The Logs Insights query text of `question`.
pub fn insights(question: &Question<'_>) -> String {
    let mut lines = Vec::new();
    if question.format != Format::default_v2() {
        let names: Vec<String> = question.format.fields().iter().map(name).collect();
        let stars = vec!["*"; names.len()].join(" ");
        lines.push(format!(
            "parse @message \"{stars}\" as {}",
            names.join(", ")
        ));
    }
    if let Some(expr) = question.filter.expr() {
        lines.push(format!("filter {}", expression::<Insights>(expr)));
    }
    let measures = "count(*) as records, sum(bytes) as bytes, sum(packets) as packets";
    match &question.aggregate {
        Aggregate::Matched => lines.push(format!("stats {measures}")),
        Aggregate::Top { by, measure, limit } => {
            let keys = match by {
                GroupBy::Field(field) => name(field),
                GroupBy::Pair => "srcAddr, dstAddr".to_owned(),
                // Insights has no CASE: group by the address and classify afterwards.
                GroupBy::Class(field) => name(&FieldRef::Known(*field)),
            };
            lines.push(format!("stats {measures} by {keys}"));
            lines.push(format!("sort {measure} desc"));
            lines.push(format!("limit {limit}"));
        }
        Aggregate::Histogram { width } => {
            lines.push(format!("stats {measures} by bin({width}s), action"));
        }
    }
    lines.join("\n| ") + "\n"
}

/// This language's words for the shared walk over a filter.
pub(super) struct Insights;

impl Dialect for Insights {
    const AND: &'static str = " and ";
    const OR: &'static str = " or ";
    fn not(inner: String) -> String {
        format!("not {inner}")
    }
    fn overlaps(from: u64, to: u64) -> String {
        format!("(start < {to} and end >= {from})")
    }
    fn condition(field: &FieldRef, cond: &Cond) -> String {
        cond_text(field, cond)
    }
    fn quote(text: &str) -> String {
        quote(text)
    }
}

fn subnet(f: &str, net: &str) -> String {
    if net.contains(':') {
        format!("isIpv6InSubnet({f}, \"{net}\")")
    } else {
        format!("isIpv4InSubnet({f}, \"{net}\")")
    }
}

fn regex(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn cond_text(field: &FieldRef, cond: &Cond) -> String {
    let f = name(field);
    let numeric = matches!(field.kind(), FieldKind::Int { .. } | FieldKind::Time);
    // A missing value is the text `-`.
    let present = |text: String| {
        if numeric {
            text
        } else {
            format!("({f} != \"-\" and {text})")
        }
    };
    match cond {
        Cond::Cmp(op, operand) => {
            let op = match op {
                Cmp::Eq => "=",
                other => other.symbol(),
            };
            present(format!("{f} {op} {}", literal::<Insights>(operand)))
        }
        Cond::In(values) if field.kind() == FieldKind::Addr => {
            let tests: Vec<String> = values
                .iter()
                .map(|v| match v {
                    Operand::Net(n) => subnet(&f, &n.to_string()),
                    other => format!("{f} = {}", literal::<Insights>(other)),
                })
                .collect();
            format!("({})", tests.join(" or "))
        }
        Cond::In(values) => {
            let values: Vec<String> = values.iter().map(literal::<Insights>).collect();
            format!("{f} in [{}]", values.join(", "))
        }
        Cond::Range { from, to } => format!("({f} >= {from} and {f} < {to})"),
        Cond::Class(class) => {
            let tests: Vec<String> = networks(*class).iter().map(|n| subnet(&f, n)).collect();
            if *class == AddrClass::Public {
                format!("({f} != \"-\" and not ({}))", tests.join(" or "))
            } else {
                format!("({})", tests.join(" or "))
            }
        }
        Cond::Flag(flag) => {
            // No bitwise operator: list the values AWS can log (FIN, SYN, RST, SYN-ACK
            // combined) that hold every bit of the flag.
            let mask = flag.mask();
            let values: Vec<String> = (0u64..16)
                .map(|bits| (bits & 7) | ((bits & 8) << 1))
                .filter(|v| v & mask == mask)
                .map(|v| v.to_string())
                .collect();
            format!("{f} in [{}]", values.join(", "))
        }
        Cond::Text(op, text) => present(match op {
            TextOp::Contains => format!("{f} like {}", quote(text)),
            TextOp::StartsWith => format!("{f} like /^{}/", regex(text)),
            TextOp::EndsWith => format!("{f} like /{}$/", regex(text)),
        }),
        Cond::Missing => format!("(not ispresent({f}) or {f} = \"-\")"),
        Cond::Present => format!("(ispresent({f}) and {f} != \"-\")"),
    }
}
