//! A worker's first moments, spent before the user's file arrives: decoding, indexing and
//! answering a small made-up file, so that the browser has compiled the hot code well by
//! the time it matters.
//!
//! A browser compiles WebAssembly twice: at once with a quick compiler whose code runs two
//! to three times slower, then, for each function that has run long enough, again with the
//! optimising compiler, on another thread. Without a warm-up the user's first file pays for
//! the slow code: in Chromium a 1M-record file decoded in about 460 ms where the same file
//! loaded second took about 290 ms, and its index took 83 ms against 48. The functions are
//! shared by every instance of the module in the tab, so the workers started later for
//! other files find them compiled too.

use crate::ingest::Ingest;
use crate::protocol::{Answer, Query};
use flowlog_query::TableIndex;

/// Lines of the made-up file: enough for the decoder's and the overview's loops to be
/// compiled again, and little enough to take a few tens of milliseconds.
pub const LINES: u32 = 20_000;

/// Lines made and decoded in one step.
const LINES_PER_STEP: u32 = 1_000;

/// The filters the warm-up answers: none, and one that selects part of the rows.
const FILTERS: [&str; 2] = ["", "action = REJECT and dstport in (22, 3389)"];

/// The warm-up, in steps of a few milliseconds, so that a worker can stop it as soon as a
/// real file arrives.
pub struct WarmUp {
    ingest: Ingest,
    made: u32,
}

impl Default for WarmUp {
    fn default() -> Self {
        let ingest =
            Ingest::new(0, "warm-up.log", u64::from(LINES) * 120, None).expect("no format");
        WarmUp { ingest, made: 0 }
    }
}

impl WarmUp {
    /// Makes and decodes the next lines; false once every line is decoded.
    pub fn step(&mut self) -> bool {
        if self.made >= LINES {
            return false;
        }
        let records = LINES_PER_STEP.min(LINES - self.made);
        // The project's generator: realistic default-format records (missing values, IPv6,
        // both actions), written after one header line; a seed per step keeps each step's
        // lines different.
        let options = flowlog_gen::Options {
            records: u64::from(records),
            header: self.made == 0,
            seed: u64::from(self.made),
            interfaces: 20,
            ..Default::default()
        };
        let mut text = Vec::new();
        flowlog_gen::generate(&options, &mut text).expect("writing to memory cannot fail");
        self.ingest.feed(&text);
        self.made += records;
        true
    }

    /// Indexes the made-up table and answers the overview over it with each of
    /// `FILTERS`; returns the records of the first answer, so that the work cannot be
    /// left out and tests can check it.
    pub fn finish(self) -> u64 {
        let (table, _) = self.ingest.finish();
        let index = TableIndex::build(&table);
        let mut records = Vec::new();
        for filter in FILTERS {
            let query = Query {
                filter: filter.into(),
                measure: "bytes".into(),
                top: 10,
                buckets: 120,
            };
            if let Answer::Overview(view) = crate::query::answer([(&table, &index)], &query) {
                records.push(view.totals.records);
            }
        }
        records.first().copied().unwrap_or(0)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_answers_over_every_line() {
        let mut warm_up = WarmUp::default();
        let mut steps = 0;
        while warm_up.step() {
            steps += 1;
        }
        assert_eq!(steps, LINES.div_ceil(LINES_PER_STEP));
        assert_eq!(warm_up.finish(), u64::from(LINES));
    }
}
