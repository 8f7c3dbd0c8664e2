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

/// Lines of the made-up file.
pub const LINES: u32 = 20_000;

/// How many times the made-up lines are read, the first time as they are made.
///
/// The browser compiles a function again only once it has run long enough, and a call
/// that is running keeps the code it started with. With the lines read once, a 1M-record
/// file still had 23 of the worker's functions compiled again while it loaded (about
/// 150 ms of compiling on the two cores that reading and decoding need), among them the
/// index and the overview, which then ran their one long call in the slow code. Read
/// three times, and answered three times, 15 such functions were left, for about 30 ms.
/// Reading again costs little: the lines are made once.
pub const READS: u32 = 3;

/// How many times the made-up table is indexed and answered (see [`READS`]).
pub const ANSWERS: u32 = 3;

/// Lines made and decoded in one step.
const LINES_PER_STEP: u32 = 1_000;

/// The filters the warm-up answers: none, and one that selects part of the rows.
const FILTERS: [&str; 2] = ["", "action = REJECT and dstport in (22, 3389)"];

/// The warm-up, in steps of a few milliseconds, so that a worker can stop it as soon as a
/// real file arrives.
pub struct WarmUp {
    ingest: Ingest,
    /// The lines made so far, without the header, to be read again.
    lines: Vec<u8>,
    /// Where each step's lines start in `lines`, and where the last one ends.
    step_bounds: Vec<usize>,
    steps: u32,
}

impl Default for WarmUp {
    fn default() -> Self {
        let size = u64::from(LINES * READS) * 120;
        let ingest = Ingest::new(0, "warm-up.log", size, None).expect("no format");
        WarmUp {
            ingest,
            lines: Vec::new(),
            step_bounds: vec![0],
            steps: 0,
        }
    }
}

impl WarmUp {
    /// Makes or reads again the next lines and decodes them; false once every line has
    /// been read [`READS`] times.
    pub fn step(&mut self) -> bool {
        let steps_per_read = LINES.div_ceil(LINES_PER_STEP);
        if self.steps >= steps_per_read * READS {
            return false;
        }
        if self.steps < steps_per_read {
            self.make_and_decode();
        } else {
            let step = (self.steps % steps_per_read) as usize;
            let lines = &self.lines[self.step_bounds[step]..self.step_bounds[step + 1]];
            decode(&mut self.ingest, lines);
        }
        self.steps += 1;
        true
    }

    /// Makes the next lines, decodes them and keeps them.
    fn make_and_decode(&mut self) {
        let made = self.steps * LINES_PER_STEP;
        let records = LINES_PER_STEP.min(LINES - made);
        // The project's generator: realistic default-format records (missing values, IPv6,
        // both actions), written after one header line; a seed per step keeps each step's
        // lines different.
        let options = flowlog_gen::Options {
            records: u64::from(records),
            header: made == 0,
            seed: u64::from(made),
            interfaces: 20,
            ..Default::default()
        };
        let mut text = Vec::new();
        flowlog_gen::generate(&options, &mut text).expect("writing to memory cannot fail");
        decode(&mut self.ingest, &text);
        // The header is read once: read again, it would start a second layout.
        let header = if made == 0 {
            text.iter().position(|&b| b == b'\n').map_or(0, |at| at + 1)
        } else {
            0
        };
        self.lines.extend_from_slice(&text[header..]);
        self.step_bounds.push(self.lines.len());
    }

    /// Indexes the made-up table and answers the overview over it with each of
    /// `FILTERS`, [`ANSWERS`] times; returns the records of the first answer, so that the
    /// work cannot be left out and tests can check it.
    pub fn finish(self) -> u64 {
        let (table, _) = self.ingest.finish();
        let mut records = Vec::new();
        for _ in 0..ANSWERS {
            let index = TableIndex::build(&table);
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
        }
        records.first().copied().unwrap_or(0)
    }
}

/// Decodes `lines` the way a file's chunks are decoded: in WebAssembly, out of a
/// JavaScript buffer, so that the code a file goes through is the code warmed up.
#[cfg(target_arch = "wasm32")]
fn decode(ingest: &mut Ingest, lines: &[u8]) {
    let chunk = js_sys::Uint8Array::from(lines);
    ingest.feed_js(&chunk, &mut Vec::new());
}

#[cfg(not(target_arch = "wasm32"))]
fn decode(ingest: &mut Ingest, lines: &[u8]) {
    ingest.feed(lines);
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
        assert_eq!(steps, LINES.div_ceil(LINES_PER_STEP) * READS);
        assert_eq!(warm_up.finish(), u64::from(LINES * READS));
    }
}
