//! Athena (Trino) SQL for the table AWS documents for flow logs: the field names with
//! underscores, numbers as `int`/`bigint` (a `-` reads as NULL), everything else as
//! `string` (a `-` stays `'-'`). Partition columns are the user's to add.

use super::{expression, literal, networks, Aggregate, Dialect, Question};
use crate::class::AddrClass;
use crate::filter::{Cmp, Cond, Operand, TextOp};
use crate::key::GroupBy;
use flowlog::{Field, FieldKind, FieldRef};
use std::fmt::Write;

/// The SQL text of `question` against the table `table`.
pub fn athena(question: &Question<'_>, table: &str) -> String {
    let filter = match question.filter.expr() {
        Some(expr) => expression::<Athena>(expr),
        None => "true".to_owned(),
    };
    let partition = "  -- AND <your partition columns, e.g. day = '2026/11/20'>\n";
    let measures = "count(*) AS records,\n       coalesce(sum(bytes), 0) AS bytes,\n       \
                    coalesce(sum(packets), 0) AS packets";
    match &question.aggregate {
        Aggregate::Matched => format!(
            "SELECT {measures}\nFROM {table}\nWHERE {filter}\n{partition};\n"
        ),
        Aggregate::Top { by, measure, limit } => {
            let (keys, names) = group_sql(by);
            let order_keys: Vec<String> =
                names.iter().map(|n| format!("{n} ASC NULLS LAST")).collect();
            let positions: Vec<String> = (1..=names.len()).map(|i| i.to_string()).collect();
            format!(
                "SELECT {keys},\n       {measures}\nFROM {table}\nWHERE {filter}\n{partition}\
                 GROUP BY {}\nORDER BY {measure} DESC, {}\nLIMIT {limit};\n",
                positions.join(", "),
                order_keys.join(", "),
            )
        }
        Aggregate::Histogram { width } => format!(
            "SELECT start - start % {width} AS bucket,\n       nullif(action, '-') AS action,\n       \
             {measures}\nFROM {table}\nWHERE {filter}\n{partition}\
             GROUP BY 1, 2\nORDER BY 1, 2 NULLS LAST;\n"
        ),
    }
}

fn column(field: &FieldRef) -> String {
    let name = field.name().replace('-', "_");
    match name.as_str() {
        "end" | "type" => format!("\"{name}\""),
        _ => name,
    }
}

fn is_string(field: &FieldRef) -> bool {
    !field.kind().is_numeric() && !matches!(field.kind(), FieldKind::Int { .. })
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The group-by's key expressions (named) and their names.
fn group_sql(by: &GroupBy) -> (String, Vec<String>) {
    let key = |field: &FieldRef| {
        if is_string(field) {
            format!("nullif({}, '-')", column(field))
        } else {
            column(field)
        }
    };
    match by {
        GroupBy::Field(field) => (format!("{} AS key", key(field)), vec!["key".into()]),
        GroupBy::Pair => {
            let (s, d) = (
                FieldRef::Known(Field::SrcAddr),
                FieldRef::Known(Field::DstAddr),
            );
            (
                format!("{} AS srcaddr,\n       {} AS dstaddr", key(&s), key(&d)),
                vec!["srcaddr".into(), "dstaddr".into()],
            )
        }
        GroupBy::Class(field) => {
            let addr = format!(
                "try_cast({} AS ipaddress)",
                column(&FieldRef::Known(*field))
            );
            let mut case = format!("CASE WHEN {addr} IS NULL THEN NULL");
            for class in AddrClass::ALL {
                if class == AddrClass::Public {
                    continue;
                }
                let tests: Vec<String> = networks(class)
                    .iter()
                    .map(|n| format!("contains('{n}', {addr})"))
                    .collect();
                write!(
                    case,
                    "\n            WHEN {} THEN '{class}'",
                    tests.join(" OR ")
                )
                .expect("a String");
            }
            case.push_str("\n            ELSE 'public' END AS key");
            (case, vec!["key".into()])
        }
    }
}

/// This language's words for the shared walk over a filter.
pub(super) struct Athena;

impl Dialect for Athena {
    const AND: &'static str = " AND ";
    const OR: &'static str = " OR ";
    fn not(inner: String) -> String {
        // NULL from a missing value must count as false before it is negated.
        format!("NOT coalesce({inner}, false)")
    }
    fn overlaps(from: u64, to: u64) -> String {
        format!("(start < {to} AND \"end\" >= {from})")
    }
    fn condition(field: &FieldRef, cond: &Cond) -> String {
        cond_sql(field, cond)
    }
    fn quote(text: &str) -> String {
        quote(text)
    }
}

fn cond_sql(field: &FieldRef, cond: &Cond) -> String {
    let col = column(field);
    let string = is_string(field);
    // A string column holds '-' where the record had no value.
    let present = |sql: String| {
        if string {
            format!("({col} <> '-' AND {sql})")
        } else {
            sql
        }
    };
    let addr = format!("try_cast({col} AS ipaddress)");
    match cond {
        Cond::Cmp(op, operand) => present(format!(
            "{col} {} {}",
            sql_op(*op),
            literal::<Athena>(operand)
        )),
        Cond::In(values) if field.kind() == FieldKind::Addr => {
            let tests: Vec<String> = values
                .iter()
                .map(|v| match v {
                    Operand::Net(n) => format!("contains('{n}', {addr})"),
                    other => format!("{col} = {}", literal::<Athena>(other)),
                })
                .collect();
            format!("({})", tests.join(" OR "))
        }
        Cond::In(values) => {
            let values: Vec<String> = values.iter().map(literal::<Athena>).collect();
            format!("{col} IN ({})", values.join(", "))
        }
        Cond::Range { from, to } => format!("({col} >= {from} AND {col} < {to})"),
        Cond::Class(class) => {
            let tests: Vec<String> = networks(*class)
                .iter()
                .map(|n| format!("contains('{n}', {addr})"))
                .collect();
            if *class == AddrClass::Public {
                format!(
                    "({addr} IS NOT NULL AND NOT coalesce({}, false))",
                    tests.join(" OR ")
                )
            } else {
                format!("({})", tests.join(" OR "))
            }
        }
        Cond::Flag(flag) => format!("bitwise_and({col}, {0}) = {0}", flag.mask()),
        Cond::Text(op, text) => present(match op {
            TextOp::Contains => format!("strpos({col}, {}) > 0", quote(text)),
            TextOp::StartsWith => format!("starts_with({col}, {})", quote(text)),
            TextOp::EndsWith => format!(
                "substr({col}, -{}) = {}",
                text.chars().count().max(1),
                quote(text)
            ),
        }),
        Cond::Missing if string => format!("({col} IS NULL OR {col} = '-')"),
        Cond::Missing => format!("{col} IS NULL"),
        Cond::Present if string => format!("({col} IS NOT NULL AND {col} <> '-')"),
        Cond::Present => format!("{col} IS NOT NULL"),
    }
}

fn sql_op(op: Cmp) -> &'static str {
    match op {
        Cmp::Ne => "<>",
        other => other.symbol(),
    }
}
