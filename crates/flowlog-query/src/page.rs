//! A sorted page of matching records: rows `offset..offset + limit` in the order of one
//! field, without sorting every match.
//!
//! Each selected row gets a sort word that is cheap to compare (the number itself, the rank
//! of a text in its dictionary, an address as a number), and only the first
//! `offset + limit` are kept, by partial selection. Missing values sort last in either
//! direction; ties keep table order.

use crate::selection::Selection;
use flowlog::{Column, FieldRef, FlowTable, Value};
use serde::Serialize;
use std::cmp::Ordering;
use std::net::IpAddr;

/// A value as records sort: numbers numerically, text by code point, addresses as numbers
/// (IPv4 before IPv6), missing last. Comparable across tables, so that pages of several
/// files merge.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SortValue {
    /// A number or time.
    Int(u64),
    /// Text or a closed-list word.
    Text(Box<str>),
    /// An address: family (4 or 6), then the address as a number.
    Addr(u8, u128),
    /// Missing.
    Missing,
}

impl SortValue {
    /// The sort value of a table value.
    pub fn of(value: Value<'_>) -> SortValue {
        match value {
            Value::Missing => SortValue::Missing,
            Value::Int(n) => SortValue::Int(n),
            Value::Text(t) => SortValue::Text(t.into()),
            Value::Addr(IpAddr::V4(a)) => SortValue::Addr(4, u32::from(a).into()),
            Value::Addr(IpAddr::V6(a)) => SortValue::Addr(6, a.into()),
        }
    }
}

/// The order of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortBy {
    /// The field records are sorted by.
    pub field: FieldRef,
    /// Largest first.
    pub descending: bool,
}

impl SortBy {
    /// Compares two sort values in this order, missing last either way.
    pub fn compare(&self, a: &SortValue, b: &SortValue) -> Ordering {
        match (a, b) {
            (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
            (SortValue::Missing, _) => Ordering::Greater,
            (_, SortValue::Missing) => Ordering::Less,
            _ if self.descending => b.cmp(a),
            _ => a.cmp(b),
        }
    }
}

/// The rows of one page, and how many rows matched in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Rows of the table, in page order, with their sort values.
    pub rows: Vec<(SortValue, usize)>,
    /// How many rows the selection holds.
    pub matched: usize,
}

/// Rows `offset..offset + limit` of the selected rows of `table`, sorted by `sort`.
pub fn page(
    table: &FlowTable,
    selection: &Selection,
    sort: &SortBy,
    offset: usize,
    limit: usize,
) -> Page {
    // A word per row that orders like the value, after a family mark that puts IPv6 after
    // IPv4 (0 for everything else); missing is `None`.
    type Word = Option<(u8, u128)>;
    let word: Box<dyn Fn(usize) -> Word> = match &sort.field {
        FieldRef::Known(field) => match table.column(*field) {
            None => Box::new(|_| None),
            Some(Column::Int(c)) => Box::new(move |r| c.get(r).map(|v| (0, u128::from(v)))),
            Some(Column::Addr(c)) => Box::new(move |r| {
                c.get(r).map(|a| match a {
                    IpAddr::V4(v4) => (0, u128::from(u32::from(v4))),
                    IpAddr::V6(v6) => (1, u128::from(v6)),
                })
            }),
            Some(Column::Text(c)) => {
                let ranks = ranks(c.dictionary());
                Box::new(move |r| match c.code(r) {
                    0 => None,
                    code => Some((0, u128::from(ranks[code as usize]))),
                })
            }
        },
        FieldRef::Other(name) => match table.other_columns().find(|(n, _)| *n == &**name) {
            None => Box::new(|_| None),
            Some((_, c)) => {
                let ranks = ranks(c.dictionary());
                Box::new(move |r| match c.code(r) {
                    0 => None,
                    code => Some((0, u128::from(ranks[code as usize]))),
                })
            }
        },
    };
    let mut keyed: Vec<((u8, u128), usize)> = Vec::with_capacity(selection.count());
    selection.for_each(|row| {
        let key = match word(row) {
            None => (2, 0),
            Some((family, w)) if sort.descending => (1 - family, !w),
            Some(w) => w,
        };
        keyed.push((key, row));
    });
    let matched = keyed.len();
    let wanted = offset.saturating_add(limit).min(matched);
    if wanted > 0 && wanted < matched {
        keyed.select_nth_unstable(wanted - 1);
    }
    keyed.truncate(wanted);
    keyed.sort_unstable();
    let rows = keyed
        .into_iter()
        .skip(offset)
        .map(|(_, row)| (SortValue::of(table.value(row, &sort.field)), row))
        .collect();
    Page { rows, matched }
}

/// The rank of every dictionary entry in code-point order.
fn ranks(dictionary: &[Box<str>]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..dictionary.len()).collect();
    order.sort_unstable_by(|&a, &b| dictionary[a].as_bytes().cmp(dictionary[b].as_bytes()));
    let mut ranks = vec![0u32; dictionary.len()];
    for (rank, index) in order.into_iter().enumerate() {
        ranks[index] = rank as u32;
    }
    ranks
}
