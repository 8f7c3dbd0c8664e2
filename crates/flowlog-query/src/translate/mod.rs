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
use crate::filter::Filter;
use crate::key::GroupBy;
use crate::totals::Measure;
use flowlog::Format;

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
