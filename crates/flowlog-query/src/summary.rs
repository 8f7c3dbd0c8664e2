//! Totals over a table: records, bytes, packets, time span, by action and log-status.

use flowlog::field::{ACTIONS, LOG_STATUSES};
use flowlog::{Field, FlowTable};
use serde::Serialize;
use std::collections::BTreeMap;

/// Totals over some records. Missing counts (`-`) add nothing; they are never read as zero
/// records, only as zero bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records.
    pub records: u64,
    /// Sum of `bytes` over records that have it.
    pub bytes: u64,
    /// Sum of `packets` over records that have it.
    pub packets: u64,
    /// The earliest `start`, in Unix seconds.
    pub first_start: Option<u64>,
    /// The latest `end`, in Unix seconds.
    pub last_end: Option<u64>,
    /// Records by `action` (`ACCEPT`, `REJECT`); records without one are not counted here.
    pub by_action: BTreeMap<String, u64>,
    /// Records by `log-status` (`OK`, `NODATA`, `SKIPDATA`).
    pub by_log_status: BTreeMap<String, u64>,
}

impl Summary {
    /// Totals over every record of `table`.
    pub fn of(table: &FlowTable) -> Summary {
        let rows = table.len();
        let mut summary = Summary {
            records: rows as u64,
            ..Summary::default()
        };
        if let Some(bytes) = table.int(Field::Bytes) {
            summary.bytes = (0..rows)
                .filter_map(|r| bytes.get(r))
                .fold(0u64, u64::saturating_add);
        }
        if let Some(packets) = table.int(Field::Packets) {
            summary.packets = (0..rows)
                .filter_map(|r| packets.get(r))
                .fold(0u64, u64::saturating_add);
        }
        if let Some(start) = table.int(Field::Start) {
            summary.first_start = (0..rows).filter_map(|r| start.get(r)).min();
        }
        if let Some(end) = table.int(Field::End) {
            summary.last_end = (0..rows).filter_map(|r| end.get(r)).max();
        }
        summary.by_action = count_words(table, Field::Action, ACTIONS);
        summary.by_log_status = count_words(table, Field::LogStatus, LOG_STATUSES);
        summary
    }

    /// Adds another summary's totals to this one.
    pub fn merge(&mut self, other: &Summary) {
        self.records += other.records;
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.packets = self.packets.saturating_add(other.packets);
        self.first_start = min_of(self.first_start, other.first_start);
        self.last_end = self.last_end.max(other.last_end);
        for (key, n) in &other.by_action {
            *self.by_action.entry(key.clone()).or_insert(0) += n;
        }
        for (key, n) in &other.by_log_status {
            *self.by_log_status.entry(key.clone()).or_insert(0) += n;
        }
    }
}

fn min_of(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn count_words(table: &FlowTable, field: Field, words: &[&str]) -> BTreeMap<String, u64> {
    let mut counts = vec![0u64; words.len()];
    if let Some(column) = table.int(field) {
        for code in (0..table.len()).filter_map(|r| column.get(r)) {
            counts[code as usize] += 1;
        }
    }
    words
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(w, n)| (w.to_string(), n))
        .collect()
}
