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
    // Only the first `wanted` rows can be on the page, so the buffer holds at most twice
    // that: when it fills, the best `wanted` are selected and the rest dropped. Memory
    // follows the page's depth, not the number of matches (ten million matches would
    // otherwise take 320 MB of keys for a page of a hundred rows).
    let matched = selection.count();
    let wanted = offset.saturating_add(limit).min(matched);
    let room = wanted.saturating_mul(2).max(4096).min(matched);
    let mut keyed: Vec<((u8, u128), usize)> = Vec::with_capacity(room);
    let keep_best = |keyed: &mut Vec<((u8, u128), usize)>| {
        if wanted == 0 {
            keyed.clear();
        } else if wanted < keyed.len() {
            keyed.select_nth_unstable(wanted - 1);
            keyed.truncate(wanted);
        }
    };
    selection.for_each(|row| {
        let key = match word(row) {
            None => (2, 0),
            Some((family, w)) if sort.descending => (1 - family, !w),
            Some(w) => w,
        };
        if keyed.len() == room {
            keep_best(&mut keyed);
        }
        keyed.push((key, row));
    });
    keep_best(&mut keyed);
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

#[cfg(test)]
mod tests {
    use super::*;
    use flowlog::{decode_all, DecodeOptions};

    /// More matches than the buffer's smallest size, so that the buffer is compacted
    /// several times on the way; the result must equal sorting every match.
    #[test]
    fn a_bounded_buffer_gives_the_same_page_as_sorting_everything() {
        let mut text = String::from("srcaddr bytes interface-id\n");
        for i in 0..20_000u64 {
            // Values repeat, so that ties (kept in table order) are common.
            let bytes = (i * 7919) % 1000;
            let addr = if i % 5 == 0 {
                "-".to_owned()
            } else {
                format!("10.0.{}.{}", (i * 31) % 7, i % 3)
            };
            text.push_str(&format!("{addr} {bytes} eni-{}\n", i % 11));
        }
        let table = decode_all("t.log", text.as_bytes(), DecodeOptions::default()).table;
        let selection = Selection::from_fn(table.len(), |row| row % 3 != 1);
        for (name, descending) in [("bytes", true), ("srcaddr", false), ("interface-id", true)] {
            let sort = SortBy {
                field: FieldRef::from_name(name),
                descending,
            };
            let mut every: Vec<(SortValue, usize)> = selection
                .rows()
                .map(|row| (SortValue::of(table.value(row, &sort.field)), row))
                .collect();
            every.sort_by(|a, b| sort.compare(&a.0, &b.0).then(a.1.cmp(&b.1)));
            for (offset, limit) in [(0, 50), (5_000, 100), (13_300, 100), (0, 0)] {
                let got = page(&table, &selection, &sort, offset, limit);
                assert_eq!(got.matched, every.len());
                let expected: Vec<(SortValue, usize)> =
                    every.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(got.rows, expected, "{name} {offset} {limit}");
            }
        }
    }
}
