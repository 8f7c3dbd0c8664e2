//! Deterministic, realistic synthetic AWS VPC Flow Logs, for tests, benchmarks and the
//! bundled sample data.
//!
//! # The key decision: integers all the way down
//!
//! The same seed must give the same bytes on every machine and every target, so that a
//! benchmark file can be named by its seed and a test can state its expected totals. The
//! random number generator is SplitMix64 written out here, and every distribution (Zipf
//! peers, heavy-tailed flow sizes) uses integer arithmetic only: floating-point functions
//! such as `ln` come from the platform's maths library and may differ in the last bit.
//!
//! Speed comes from the same plainness: records are built from precomputed ids and written
//! into a large buffer with a hand-written number formatter, so millions of records stream
//! through in bounded memory.
//!
//! # What the data looks like
//!
//! Hundreds of interfaces over three accounts and six VPCs (one of them a default VPC in
//! 172.31.0.0/16), Zipf-distributed peers on the internet and inside the VPCs, common service
//! ports and ephemeral client ports, mostly TCP with some UDP and ICMP, about 15 % REJECT from
//! scanners and closed ports, a little IPv6, NODATA and SKIPDATA lines, and 60-second windows
//! across a day. See [`Options`] for the knobs and [`story`] for the bundled sample story.
//!
//! # Modules
//!
//! - [`layout`]: which fields a line holds: the default, custom v5, "all fields to v5" and
//!   transit-gateway layouts, or any header.
//! - [`story`]: the sample files the page offers with "Try sample data".
//!
//! ```
//! let options = flowlog_gen::Options { records: 100, ..Default::default() };
//! let mut out = Vec::new();
//! let summary = flowlog_gen::generate(&options, &mut out).unwrap();
//! assert_eq!(summary.records, 100);
//! assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 101); // with the header line
//! ```

#![deny(missing_docs)]

pub mod layout;
mod record;
mod rng;
pub mod story;
mod traffic;
mod world;
mod writer;

use std::io::{self, Write};

pub use layout::{Field, Layout, UnknownField};
pub use writer::{Compression, Summary};

use rng::Rng;
use traffic::Traffic;
use world::World;
use writer::LineWriter;

/// 2026-11-20T00:00:00Z, the default first window.
pub const DEFAULT_START: u64 = 1_795_132_800;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Number of record lines (the header line is not counted).
    pub records: u64,
    /// The fields of each line.
    pub layout: Layout,
    /// Whether the first line names the fields, as in files AWS delivers to S3.
    pub header: bool,
    /// Plain text or gzip.
    pub compression: Compression,
    /// The seed: the same seed and options always give the same bytes.
    pub seed: u64,
    /// Unix seconds of the first 60-second window.
    pub start: u64,
    /// Seconds the records are spread over, in 60-second windows, in order.
    pub span_secs: u64,
    /// Number of network interfaces (at least one per VPC, so at least 6).
    pub interfaces: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            records: 10_000,
            layout: Layout::default_v2(),
            header: true,
            compression: Compression::None,
            seed: 0,
            start: DEFAULT_START,
            span_secs: 86_400,
            interfaces: 300,
        }
    }
}

/// Writes `options.records` records to `out` and says what they hold.
///
/// Memory use does not grow with the number of records: lines are written in blocks of a
/// few hundred kilobytes. `out` is not buffered further, so pass a `File` directly.
pub fn generate<W: Write>(options: &Options, out: W) -> io::Result<Summary> {
    let mut rng = Rng::new(options.seed);
    // Each part draws from its own stream, so that a change in one (say, more interfaces)
    // does not reshuffle the others.
    let world = World::random(&mut rng.fork(), options.interfaces);
    let mut traffic = Traffic::new(&world, rng.fork());
    let mut times = rng.fork();

    let mut writer = LineWriter::new(out, &options.layout, options.header, options.compression);
    let windows = u128::from((options.span_secs / 60).max(1));
    let records = u128::from(options.records.max(1));
    let transit_gateway = options.layout.is_transit_gateway();
    for i in 0..options.records {
        let window = (u128::from(i) * windows / records) as u64;
        let start = options.start + window * 60;
        // Most flows last the whole window; some end a few seconds early.
        let end = start
            + if times.chance(800) {
                60
            } else {
                times.between(52, 59)
            };
        let record = if transit_gateway {
            traffic.transit_gateway_record(start, end)
        } else {
            traffic.interface_record(start, end)
        };
        writer.push(&record)?;
    }
    writer.finish()
}
