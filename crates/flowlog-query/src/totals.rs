//! Records, bytes and packets added up: the three measures every breakdown reports.

use flowlog::column::IntColumn;
use flowlog::{Field, FlowTable};
use serde::Serialize;
use std::fmt;

/// Records, and the sums of `bytes` and `packets` over them. A missing count adds nothing
/// to its sum but the record still counts. Sums saturate rather than wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Totals {
    /// Records.
    pub records: u64,
    /// Sum of `bytes`.
    pub bytes: u64,
    /// Sum of `packets`.
    pub packets: u64,
}

impl Totals {
    /// Adds one record.
    #[inline(always)]
    pub fn add(&mut self, bytes: u64, packets: u64) {
        self.records += 1;
        self.bytes = self.bytes.saturating_add(bytes);
        self.packets = self.packets.saturating_add(packets);
    }

    /// Adds another total.
    pub fn merge(&mut self, other: &Totals) {
        self.records += other.records;
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.packets = self.packets.saturating_add(other.packets);
    }

    /// Totals over the selected rows of `table`.
    pub fn of(table: &FlowTable, selection: &crate::Selection) -> Totals {
        let counts = Counts::of(table);
        let mut totals = Totals::default();
        selection.for_each(|row| counts.add(&mut totals, row));
        totals
    }

    /// The value of one measure.
    pub fn get(&self, measure: Measure) -> u64 {
        match measure {
            Measure::Records => self.records,
            Measure::Bytes => self.bytes,
            Measure::Packets => self.packets,
        }
    }
}

/// What top lists are ordered by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Number of records.
    Records,
    /// Sum of `bytes`.
    #[default]
    Bytes,
    /// Sum of `packets`.
    Packets,
}

impl Measure {
    /// Reads `records`, `bytes` or `packets`.
    pub fn from_name(name: &str) -> Option<Measure> {
        match name.to_ascii_lowercase().as_str() {
            "records" => Some(Measure::Records),
            "bytes" => Some(Measure::Bytes),
            "packets" => Some(Measure::Packets),
            _ => None,
        }
    }

    /// The name, as above.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Records => "records",
            Measure::Bytes => "bytes",
            Measure::Packets => "packets",
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `bytes` and `packets` columns of a table, read as raw words: a missing count is
/// stored as 0, which is exactly what it adds to a sum, so no missing check is needed.
#[derive(Clone, Copy)]
pub(crate) struct Counts<'a> {
    bytes: Option<&'a IntColumn>,
    packets: Option<&'a IntColumn>,
}

impl<'a> Counts<'a> {
    pub(crate) fn of(table: &'a FlowTable) -> Counts<'a> {
        Counts {
            bytes: table.int(Field::Bytes),
            packets: table.int(Field::Packets),
        }
    }

    /// `(bytes, packets)` of `row`, 0 where missing.
    #[inline(always)]
    pub(crate) fn at(&self, row: usize) -> (u64, u64) {
        (
            self.bytes.map_or(0, |c| c.raw(row)),
            self.packets.map_or(0, |c| c.raw(row)),
        )
    }

    /// Adds `row` to `totals`.
    #[inline(always)]
    pub(crate) fn add(&self, totals: &mut Totals, row: usize) {
        let (bytes, packets) = self.at(row);
        totals.add(bytes, packets);
    }
}
