//! A parsed filter: typed conditions joined by `and`, `or` and `not`.
//!
//! Values are already checked and converted for their field (a port name is a number, an
//! `ACCEPT` is its index in the list, a time is Unix seconds), so evaluating a filter never
//! fails and every export (SQL, Logs Insights) starts from the same meaning.

use super::lex::Cmp;
use crate::class::AddrClass;
use flowlog::{Field, FieldKind, FieldRef};
use ipnet::IpNet;
use std::fmt;
use std::net::IpAddr;

/// A filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// Every part holds.
    And(Vec<Expr>),
    /// At least one part holds.
    Or(Vec<Expr>),
    /// The inner expression does not hold (a record where it is false only because a value
    /// is missing is therefore included).
    Not(Box<Expr>),
    /// One condition on one subject.
    Test(Test),
}

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// One field of the record.
    Field(FieldRef),
    /// `addr`: `srcaddr` or `dstaddr`.
    AnyAddr,
    /// `port`: `srcport` or `dstport`.
    AnyPort,
    /// `time`: the record's window from `start` to `end`.
    Time,
}

impl Subject {
    /// The kind of value the subject holds.
    pub fn kind(&self) -> FieldKind {
        match self {
            Subject::Field(field) => field.kind(),
            Subject::AnyAddr => FieldKind::Addr,
            Subject::AnyPort => Field::DstPort.kind(),
            Subject::Time => FieldKind::Time,
        }
    }

    /// The fields the subject reads.
    pub fn fields(&self) -> Vec<FieldRef> {
        let known = |fields: &[Field]| fields.iter().map(|f| FieldRef::Known(*f)).collect();
        match self {
            Subject::Field(field) => vec![field.clone()],
            Subject::AnyAddr => known(&[Field::SrcAddr, Field::DstAddr]),
            Subject::AnyPort => known(&[Field::SrcPort, Field::DstPort]),
            Subject::Time => known(&[Field::Start, Field::End]),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Field(field) => f.write_str(field.name()),
            Subject::AnyAddr => f.write_str("addr"),
            Subject::AnyPort => f.write_str("port"),
            Subject::Time => f.write_str("time"),
        }
    }
}

/// A value to compare with, already converted for its subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A number, a port, a protocol or a time in Unix seconds.
    Int(u64),
    /// A word of a closed list, as its index in the list (`ACCEPT` is 0).
    Word {
        /// The index in the field's list.
        code: u64,
        /// The word itself.
        word: &'static str,
    },
    /// One address.
    Addr(IpAddr),
    /// A network prefix (only inside `in`).
    Net(IpNet),
    /// Text.
    Text(String),
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Int(n) => write!(f, "{n}"),
            Operand::Word { word, .. } => f.write_str(word),
            Operand::Addr(a) => write!(f, "{a}"),
            Operand::Net(n) => write!(f, "{n}"),
            Operand::Text(t) if t.contains('"') => write!(f, "'{t}'"),
            Operand::Text(t) => write!(f, "\"{t}\""),
        }
    }
}

/// A TCP flag that `tcp-flags has …` tests. AWS logs FIN, SYN, RST and SYN-ACK; the others
/// are accepted for completeness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TcpFlag {
    /// FIN, bit 1.
    Fin,
    /// SYN, bit 2.
    Syn,
    /// RST, bit 4.
    Rst,
    /// PSH, bit 8.
    Psh,
    /// ACK, bit 16.
    Ack,
    /// URG, bit 32.
    Urg,
    /// SYN and ACK together, 18.
    SynAck,
}

impl TcpFlag {
    /// Every flag, in order.
    pub const ALL: [TcpFlag; 7] = [
        TcpFlag::Fin,
        TcpFlag::Syn,
        TcpFlag::Rst,
        TcpFlag::Psh,
        TcpFlag::Ack,
        TcpFlag::Urg,
        TcpFlag::SynAck,
    ];

    /// The bits that must all be set.
    pub fn mask(self) -> u64 {
        match self {
            TcpFlag::Fin => 1,
            TcpFlag::Syn => 2,
            TcpFlag::Rst => 4,
            TcpFlag::Psh => 8,
            TcpFlag::Ack => 16,
            TcpFlag::Urg => 32,
            TcpFlag::SynAck => 18,
        }
    }

    /// The name used in filters.
    pub fn name(self) -> &'static str {
        match self {
            TcpFlag::Fin => "fin",
            TcpFlag::Syn => "syn",
            TcpFlag::Rst => "rst",
            TcpFlag::Psh => "psh",
            TcpFlag::Ack => "ack",
            TcpFlag::Urg => "urg",
            TcpFlag::SynAck => "syn-ack",
        }
    }
}

/// A way of matching text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextOp {
    /// The value contains the text.
    Contains,
    /// The value starts with the text.
    StartsWith,
    /// The value ends with the text.
    EndsWith,
}

impl TextOp {
    /// The keyword used in filters.
    pub fn keyword(self) -> &'static str {
        match self {
            TextOp::Contains => "contains",
            TextOp::StartsWith => "startswith",
            TextOp::EndsWith => "endswith",
        }
    }

    /// Whether `value` matches `pattern`.
    pub fn holds(self, value: &str, pattern: &str) -> bool {
        match self {
            TextOp::Contains => value.contains(pattern),
            TextOp::StartsWith => value.starts_with(pattern),
            TextOp::EndsWith => value.ends_with(pattern),
        }
    }
}

/// What a condition requires of its subject's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// `= != < <= > >=` a value.
    Cmp(Cmp, Operand),
    /// Equal to one of the values, or inside one of the prefixes.
    In(Vec<Operand>),
    /// A time range, from inclusive to exclusive, in Unix seconds.
    Range {
        /// The first second inside the range.
        from: u64,
        /// The first second after the range.
        to: u64,
    },
    /// An address of this class.
    Class(AddrClass),
    /// TCP flags with every bit of the flag set.
    Flag(TcpFlag),
    /// Text that contains, starts or ends with the given text.
    Text(TextOp, String),
    /// The value is missing (`-`, or a field the record's format lacks).
    Missing,
    /// The value is present.
    Present,
}

/// One condition: a subject and what it must satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Test {
    /// What it looks at.
    pub subject: Subject,
    /// What it requires.
    pub cond: Cond,
}

impl Test {
    /// Whether a two-sided subject (`addr`, `port`) needs both sides to satisfy the
    /// condition rather than either. Only `!=` does: `port != 22` means neither port is 22.
    pub fn needs_both(&self) -> bool {
        matches!(self.cond, Cond::Cmp(Cmp::Ne, _))
    }
}

fn time(f: &mut fmt::Formatter<'_>, seconds: u64) -> fmt::Result {
    match i64::try_from(seconds)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
    {
        Some(t) => write!(f, "{t}"),
        None => write!(f, "{seconds}"),
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = &self.subject;
        let is_time = self.subject.kind() == FieldKind::Time;
        match &self.cond {
            Cond::Cmp(op, Operand::Int(n)) if is_time => {
                write!(f, "{subject} {} ", op.symbol())?;
                time(f, *n)
            }
            Cond::Cmp(op, value) => write!(f, "{subject} {} {value}", op.symbol()),
            Cond::In(values) => {
                write!(f, "{subject} in (")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
            Cond::Range { from, to } => {
                write!(f, "{subject} in ")?;
                time(f, *from)?;
                f.write_str("..")?;
                time(f, *to)
            }
            Cond::Class(class) => write!(f, "{subject} is {class}"),
            Cond::Flag(flag) => write!(f, "{subject} has {}", flag.name()),
            Cond::Text(op, text) => {
                write!(
                    f,
                    "{subject} {} {}",
                    op.keyword(),
                    Operand::Text(text.clone())
                )
            }
            Cond::Missing => write!(f, "{subject} is missing"),
            Cond::Present => write!(f, "{subject} is present"),
        }
    }
}

impl fmt::Display for Expr {
    /// The canonical form: every group in parentheses, keywords in lower case.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, parts: &[Expr], word: &str| {
            f.write_str("(")?;
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                write!(f, "{part}")?;
            }
            f.write_str(")")
        };
        match self {
            Expr::And(parts) => list(f, parts, "and"),
            Expr::Or(parts) => list(f, parts, "or"),
            Expr::Not(inner) => write!(f, "not {inner}"),
            Expr::Test(test) => write!(f, "{test}"),
        }
    }
}
