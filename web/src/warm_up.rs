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
    lines: MadeUp,
}

impl Default for WarmUp {
    fn default() -> Self {
        let mut ingest =
            Ingest::new(0, "warm-up.log", u64::from(LINES) * 120, None).expect("no format");
        ingest.feed(HEADER.as_bytes());
        WarmUp {
            ingest,
            lines: MadeUp::default(),
        }
    }
}

impl WarmUp {
    /// Makes and decodes the next lines; false once every line is decoded.
    pub fn step(&mut self) -> bool {
        if self.lines.made >= LINES {
            return false;
        }
        let text = self
            .lines
            .next_lines(LINES_PER_STEP.min(LINES - self.lines.made));
        self.ingest.feed(&text);
        true
    }

    /// Indexes the made-up table and answers the overview over it with each of
    /// [`FILTERS`]; returns the records of the first answer, so that the work cannot be
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

/// The header line of the made-up file.
const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport \
                      protocol packets bytes start end action log-status\n";

/// Default-format records with varied addresses, ports, actions and sizes, from a fixed
/// sequence of pseudo-random numbers.
struct MadeUp {
    made: u32,
    state: u64,
}

impl Default for MadeUp {
    fn default() -> Self {
        MadeUp {
            made: 0,
            state: 0x2545_f491_4f6c_dd1d,
        }
    }
}

impl MadeUp {
    fn next_lines(&mut self, lines: u32) -> Vec<u8> {
        use std::fmt::Write;
        let mut text = String::with_capacity(lines as usize * 120);
        for _ in 0..lines {
            // xorshift64: cheap, and varied enough to fill dictionaries and top lists.
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            let r = self.state;
            let (a, b, c, d) = (r as u8, (r >> 8) as u8, (r >> 16) as u8, (r >> 24) as u8);
            let port = [22, 80, 443, 3389, 53][(r >> 32) as usize % 5];
            let action = if (r >> 40).is_multiple_of(4) {
                "REJECT"
            } else {
                "ACCEPT"
            };
            let start = 1_700_000_000 + u64::from(self.made) * 3;
            let _ = writeln!(
                text,
                "2 123456789012 eni-{:017x} 10.{a}.{b}.{c} 172.31.{d}.{a} {} {port} 6 {} {} \
                 {start} {} {action} OK",
                (r >> 48) % 16,
                1024 + (r >> 20) % 60_000,
                1 + (r >> 28) % 100,
                40 + (r >> 36) % 100_000,
                start + 60,
            );
            self.made += 1;
        }
        text.into_bytes()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_made_up_file_reads_whole() {
        let mut text = HEADER.as_bytes().to_vec();
        text.extend(MadeUp::default().next_lines(500));
        let mut ingest = Ingest::new(0, "w.log", text.len() as u64, None).unwrap();
        ingest.feed(&text);
        let (table, result) = ingest.finish();
        assert_eq!(table.len(), 500);
        assert_eq!(result.issues, 0, "{:?}", result.examples);
        assert_eq!(result.totals.accepted + result.totals.rejected, 500);
        assert!(result.totals.rejected > 50, "both actions occur");
    }

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
