//! Traffic over time: records, bytes and packets per time bucket, split by action.
//!
//! Buckets are aligned to multiples of their width since the Unix epoch (so buckets of
//! different files line up) and a record falls in the bucket of its `start`. With an
//! automatic width, records are counted per minute (flow logs never aggregate over less)
//! and [`Histogram::coarsened`] picks the width once every part is merged: the smallest of
//! 1, 5, 10, 15, 30 minutes, 1, 2, 3, 6, 12 hours, 1 day or a whole number of weeks that
//! gives at most the number of buckets asked for.

use crate::selection::Selection;
use crate::totals::{Counts, Totals};
use flowlog::{Field, FlowTable};
use serde::Serialize;
use std::collections::BTreeMap;

/// The finest width, and the one an automatic histogram counts at.
pub const BASE_WIDTH: u64 = 60;

/// The most buckets counted in an array, one entry each, rather than in a map.
const MOST_DENSE_BUCKETS: u64 = 1 << 22;

/// Buckets that may always be counted in an array, however few the rows: 45 days of
/// minutes, a few MB.
const DENSE_BUCKETS_FOR_ANY_ROWS: u64 = 1 << 16;

/// Whether `buckets` buckets of time, counting `rows` rows, are counted in an array of
/// one entry per bucket rather than in a map of the buckets that hold records.
///
/// An array is faster, but its size follows the range of times, not the rows: a file of
/// three records from 2014 and 2019 (AWS's own examples, say, or one corrupt time) spans
/// 2.5 million minutes, for which an array took 120 MB of WebAssembly memory that a tab
/// never gives back. So beyond a floor an array may have no more entries than rows.
pub(crate) fn dense_buckets(buckets: u64, rows: usize) -> bool {
    let rows = u64::try_from(rows).unwrap_or(u64::MAX);
    buckets <= MOST_DENSE_BUCKETS && buckets <= rows.max(DENSE_BUCKETS_FOR_ANY_ROWS)
}

const NICE_WIDTHS: &[u64] = &[
    60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800,
];

/// Totals of one bucket, by action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// Records whose action is `ACCEPT`.
    pub accept: Totals,
    /// Records whose action is `REJECT`.
    pub reject: Totals,
    /// Records without an action (`NODATA`, `SKIPDATA`, transit gateway).
    pub none: Totals,
}

impl Bucket {
    fn merge(&mut self, other: &Bucket) {
        self.accept.merge(&other.accept);
        self.reject.merge(&other.reject);
        self.none.merge(&other.none);
    }

    /// Every record of the bucket.
    pub fn total(&self) -> Totals {
        let mut t = self.accept;
        t.merge(&self.reject);
        t.merge(&self.none);
        t
    }
}

/// Totals per time bucket. Mergeable when the widths are equal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Histogram {
    /// Seconds per bucket.
    pub width: u64,
    /// Buckets by their first second; empty buckets are left out.
    pub buckets: BTreeMap<u64, Bucket>,
    /// Records without a `start`, which no bucket can hold.
    pub no_time: Totals,
}

impl Histogram {
    /// An empty histogram of buckets `width` seconds wide (at least 1).
    pub fn new(width: u64) -> Histogram {
        Histogram {
            width: width.max(1),
            buckets: BTreeMap::new(),
            no_time: Totals::default(),
        }
    }

    /// Buckets of `width` seconds over the selected rows of `table`.
    pub fn of(table: &FlowTable, selection: &Selection, width: u64) -> Histogram {
        let mut histogram = Histogram::new(width);
        let width = histogram.width;
        let counts = Counts::of(table);
        let Some(start) = table.int(Field::Start) else {
            selection.for_each(|row| counts.add(&mut histogram.no_time, row));
            return histogram;
        };
        let action = table.int(Field::Action);
        // Slot of a row's action: 0 accept, 1 reject, 2 none.
        let action_of = |row: usize| match action {
            Some(c) => c.get(row).map_or(2, |code| code as usize),
            None => 2,
        };
        // Records arrive in time order in runs, so the last bucket is remembered rather than
        // dividing for every row; the buckets themselves sit in a vector while their range
        // is small, which it is for anything but corrupt times.
        let (mut lo, mut hi) = (u64::MAX, 0);
        selection.for_each(|row| {
            if let Some(s) = start.get(row) {
                lo = lo.min(s);
                hi = hi.max(s);
            }
        });
        if lo <= hi {
            let first = lo / width;
            let count = hi / width - first + 1;
            if dense_buckets(count, table.len()) {
                let mut dense = vec![Bucket::default(); count as usize];
                let (mut from, mut to, mut index) = (1u64, 0u64, 0usize);
                selection.for_each(|row| {
                    let Some(s) = start.get(row) else {
                        return counts.add(&mut histogram.no_time, row);
                    };
                    if !(from..to).contains(&s) {
                        let b = s / width;
                        index = (b - first) as usize;
                        from = b * width;
                        to = from + width;
                    }
                    let bucket = &mut dense[index];
                    let slot = match action_of(row) {
                        0 => &mut bucket.accept,
                        1 => &mut bucket.reject,
                        _ => &mut bucket.none,
                    };
                    counts.add(slot, row);
                });
                for (i, bucket) in dense.into_iter().enumerate() {
                    if bucket.total().records > 0 {
                        histogram.buckets.insert((first + i as u64) * width, bucket);
                    }
                }
                return histogram;
            }
        }
        selection.for_each(|row| match start.get(row) {
            None => counts.add(&mut histogram.no_time, row),
            Some(s) => {
                let bucket = histogram.buckets.entry(s / width * width).or_default();
                let slot = match action_of(row) {
                    0 => &mut bucket.accept,
                    1 => &mut bucket.reject,
                    _ => &mut bucket.none,
                };
                counts.add(slot, row);
            }
        });
        histogram
    }

    /// Adds another part's buckets. Where the widths differ, both are first coarsened to
    /// the wider one, which is exact when one width divides the other.
    pub fn merge(&mut self, other: &Histogram) {
        let width = self.width.max(other.width);
        if self.width != width {
            *self = self.with_width(width);
        }
        let other = if other.width != width {
            std::borrow::Cow::Owned(other.with_width(width))
        } else {
            std::borrow::Cow::Borrowed(other)
        };
        for (start, bucket) in &other.buckets {
            self.buckets.entry(*start).or_default().merge(bucket);
        }
        self.no_time.merge(&other.no_time);
    }

    /// The same records in buckets of `width` seconds.
    pub fn with_width(&self, width: u64) -> Histogram {
        let mut out = Histogram::new(width);
        let width = out.width;
        for (start, bucket) in &self.buckets {
            out.buckets
                .entry(start / width * width)
                .or_default()
                .merge(bucket);
        }
        out.no_time = self.no_time;
        out
    }

    /// The same records in the narrowest "nice" width (a multiple of this one) that needs
    /// at most `max_buckets` buckets from the first to the last.
    pub fn coarsened(&self, max_buckets: u64) -> Histogram {
        let (Some(first), Some(last)) = (self.buckets.keys().next(), self.buckets.keys().last())
        else {
            return self.clone();
        };
        let fits = |w: u64| last / w - first / w < max_buckets.max(1);
        let nice = NICE_WIDTHS
            .iter()
            .copied()
            .filter(|w| *w >= self.width && w % self.width == 0)
            .find(|w| fits(*w));
        let width = nice.unwrap_or_else(|| {
            let week = NICE_WIDTHS[NICE_WIDTHS.len() - 1].max(self.width);
            let weeks = (last - first) / week / max_buckets.max(1) + 1;
            (weeks..)
                .map(|n| n * week)
                .find(|w| fits(*w))
                .expect("fits eventually")
        });
        self.with_width(width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlog::{decode_all, DecodeOptions};

    #[test]
    fn an_array_of_buckets_is_never_much_larger_than_the_rows() {
        // Up to the floor, whatever the rows.
        assert!(dense_buckets(DENSE_BUCKETS_FOR_ANY_ROWS, 3));
        assert!(!dense_buckets(DENSE_BUCKETS_FOR_ANY_ROWS + 1, 3));
        // Beyond it, as many buckets as rows, up to the most.
        assert!(dense_buckets(1_000_000, 1_000_000));
        assert!(!dense_buckets(1_000_001, 1_000_000));
        assert!(!dense_buckets(MOST_DENSE_BUCKETS + 1, 100_000_000));
    }

    #[test]
    fn records_years_apart_fall_in_their_own_minutes() {
        // Four of AWS's example records, from December 2014, May 2015 and October 2016:
        // a million minutes from first to last, for a table of four rows.
        let text = "\
version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK
2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK
";
        let table = decode_all("t", text.as_bytes(), DecodeOptions::default()).table;
        assert!(!dense_buckets((1477913708 - 1418530010) / 60, table.len()));
        let histogram = Histogram::of(&table, &Selection::all(table.len()), BASE_WIDTH);
        let totals = |records, bytes, packets| Totals {
            records,
            bytes,
            packets,
        };
        let none = Totals::default();
        let expected: BTreeMap<u64, Bucket> = [
            (
                1418529960,
                Bucket {
                    accept: totals(1, 4249, 20),
                    reject: totals(1, 4249, 20),
                    none,
                },
            ),
            (
                1432917000,
                Bucket {
                    accept: totals(1, 336, 4),
                    reject: none,
                    none,
                },
            ),
            (
                1477913700,
                Bucket {
                    accept: totals(1, 8855, 54),
                    reject: none,
                    none,
                },
            ),
        ]
        .into();
        assert_eq!(histogram.buckets, expected);
        assert_eq!(histogram.no_time, none);
    }
}
