//! The same question at full scale: a filter and an aggregate as Athena (Trino) SQL or as a
//! CloudWatch Logs Insights query.
//!
//! Both are written from the typed [`crate::filter::Expr`], so they mean what the filter means here, and
//! where a target cannot say exactly that, `docs/filter-language.md` says so. The rule that
//! takes care is "a comparison on a missing value is false, `not` negates the whole inner
//! expression": SQL's NULL logic agrees with it everywhere except under `NOT`, so the SQL
//! wraps what `NOT` negates in `coalesce(…, false)`; AWS's Athena table keeps `-` as text in
//! string columns, so every condition on one also requires `<> '-'`.

mod athena;
mod insights;

use crate::class::AddrClass;
use crate::filter::{Cond, Expr, Filter, Operand, Subject, Test};
use crate::key::GroupBy;
use crate::totals::Measure;
use flowlog::{Field, FieldRef, Format};

pub use athena::athena;
pub use insights::insights;

/// What is asked of the records the filter keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// Records, bytes and packets.
    Matched,
    /// The largest groups.
    Top {
        /// What to group by.
        by: GroupBy,
        /// What to order by.
        measure: Measure,
        /// How many rows.
        limit: usize,
    },
    /// Totals per time bucket and action.
    Histogram {
        /// Seconds per bucket.
        width: u64,
    },
}

/// A filter and an aggregate: one question.
#[derive(Clone, Debug)]
pub struct Question<'a> {
    /// Which records.
    pub filter: &'a Filter,
    /// What to compute.
    pub aggregate: Aggregate,
    /// The layout of the records (Logs Insights needs it to parse custom formats; Athena's
    /// table names every column whatever the format).
    pub format: Format,
}

/// The networks of each address class, as both translations test them. Public is what
/// none of them holds.
pub(crate) const CLASS_NETWORKS: &[(AddrClass, &str)] = &[
    (AddrClass::Private, "10.0.0.0/8"),
    (AddrClass::Private, "172.16.0.0/12"),
    (AddrClass::Private, "192.168.0.0/16"),
    (AddrClass::Private, "fc00::/7"),
    (AddrClass::Cgnat, "100.64.0.0/10"),
    (AddrClass::LinkLocal, "169.254.0.0/16"),
    (AddrClass::LinkLocal, "fe80::/10"),
    (AddrClass::Loopback, "127.0.0.0/8"),
    (AddrClass::Loopback, "::1/128"),
    (AddrClass::Multicast, "224.0.0.0/4"),
    (AddrClass::Multicast, "ff00::/8"),
    (AddrClass::Documentation, "192.0.2.0/24"),
    (AddrClass::Documentation, "198.51.100.0/24"),
    (AddrClass::Documentation, "203.0.113.0/24"),
    (AddrClass::Documentation, "2001:db8::/32"),
    (AddrClass::Documentation, "3fff::/20"),
    (AddrClass::Reserved, "0.0.0.0/8"),
    (AddrClass::Reserved, "192.0.0.0/24"),
    (AddrClass::Reserved, "198.18.0.0/15"),
    (AddrClass::Reserved, "240.0.0.0/4"),
    (AddrClass::Reserved, "::/128"),
    (AddrClass::Reserved, "64:ff9b:1::/48"),
    (AddrClass::Reserved, "100::/64"),
];

/// The networks of one class (every non-public network for [`AddrClass::Public`], which
/// is then negated).
pub(crate) fn networks(class: AddrClass) -> Vec<&'static str> {
    CLASS_NETWORKS
        .iter()
        .filter(|(c, _)| class == AddrClass::Public || *c == class)
        .map(|(_, n)| *n)
        .collect()
}

/// What the two target languages write differently in a filter. The walk over the typed
/// expression, which is where the meaning lives (what `not` covers, when `addr` and `port`
/// need both sides), is [`expression`], shared by both.
pub(crate) trait Dialect {
    /// The word joining the parts of a conjunction, with its spaces.
    const AND: &'static str;
    /// The word joining the parts of a disjunction, with its spaces.
    const OR: &'static str;
    /// The negation of an already written expression.
    fn not(inner: String) -> String;
    /// Records whose window overlaps `from..to` (Unix seconds).
    fn overlaps(from: u64, to: u64) -> String;
    /// One condition on one field.
    fn condition(field: &FieldRef, cond: &Cond) -> String;
    /// A string literal.
    fn quote(text: &str) -> String;
}

/// `expr` in the dialect `D`.
pub(crate) fn expression<D: Dialect>(expr: &Expr) -> String {
    match expr {
        Expr::And(parts) => joined::<D>(parts, D::AND),
        Expr::Or(parts) => joined::<D>(parts, D::OR),
        Expr::Not(inner) => D::not(expression::<D>(inner)),
        Expr::Test(test) => test_expression::<D>(test),
    }
}

fn joined<D: Dialect>(parts: &[Expr], word: &str) -> String {
    let parts: Vec<String> = parts.iter().map(expression::<D>).collect();
    format!("({})", parts.join(word))
}

fn test_expression<D: Dialect>(test: &Test) -> String {
    let one = |field: Field| D::condition(&FieldRef::Known(field), &test.cond);
    match &test.subject {
        Subject::Field(field) => D::condition(field, &test.cond),
        Subject::AnyAddr | Subject::AnyPort => {
            let (a, b) = if test.subject == Subject::AnyAddr {
                (Field::SrcAddr, Field::DstAddr)
            } else {
                (Field::SrcPort, Field::DstPort)
            };
            let word = if test.needs_both() { D::AND } else { D::OR };
            format!("({}{word}{})", one(a), one(b))
        }
        Subject::Time => match test.cond {
            Cond::Range { from, to } => D::overlaps(from, to),
            _ => unreachable!("the parser allows only ranges on time"),
        },
    }
}

/// A value in the dialect `D`: numbers bare, everything else quoted.
pub(crate) fn literal<D: Dialect>(operand: &Operand) -> String {
    match operand {
        Operand::Int(n) => n.to_string(),
        Operand::Word { word, .. } => D::quote(word),
        Operand::Addr(a) => D::quote(&a.to_string()),
        Operand::Net(n) => D::quote(&n.to_string()),
        Operand::Text(t) => D::quote(t),
    }
}
