//! Decoding speed on synthetic flow logs made in-process by `flowlog-gen`, so that the
//! benchmark needs no data files and every machine measures the same bytes.
//!
//! Throughput is counted in bytes of text (uncompressed), so that the figures of every case,
//! gzip included, read as MB/s of flow-log text and compare directly.
//!
//! `cargo bench -p flowlog --bench decode`; see BENCHMARKS.md for the figures.

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use flowlog::{DecodeOptions, Decoder};
use flowlog_gen::{Compression, Layout, Options};
use std::hint::black_box;
use std::time::Duration;

/// Records of the default format: about 22 MB of text, large enough that the table's growth
/// and the dictionaries weigh as they do in real files, small enough for quick samples.
const DEFAULT_RECORDS: u64 = 200_000;

/// Records of the 29-field format, whose lines are about three times as long.
const ALL_V5_RECORDS: u64 = 100_000;

/// One input: its name, its bytes, and the size of its text.
struct Input {
    name: &'static str,
    bytes: Vec<u8>,
    text_bytes: u64,
    records: u64,
}

fn input(name: &'static str, options: Options) -> Input {
    let mut bytes = Vec::new();
    let summary = flowlog_gen::generate(&options, &mut bytes).expect("writing to memory");
    Input {
        name,
        bytes,
        text_bytes: summary.text_bytes,
        records: summary.records,
    }
}

fn inputs() -> Vec<Input> {
    vec![
        input(
            "default-v2",
            Options {
                records: DEFAULT_RECORDS,
                layout: Layout::default_v2(),
                header: true,
                ..Options::default()
            },
        ),
        input(
            "all-v5",
            Options {
                records: ALL_V5_RECORDS,
                layout: Layout::all_v5(),
                header: true,
                ..Options::default()
            },
        ),
        input(
            "default-v2-gzip",
            Options {
                records: DEFAULT_RECORDS,
                layout: Layout::default_v2(),
                header: true,
                compression: Compression::Gzip,
                ..Options::default()
            },
        ),
    ]
}

/// Decodes `bytes` in chunks of `chunk` bytes, as a reader of a file or a stream would.
fn decode(bytes: &[u8], chunk: usize) -> flowlog::Decoded {
    let mut decoder = Decoder::new(
        "bench.log",
        DecodeOptions {
            format: None,
            size_hint: Some(bytes.len() as u64),
        },
    );
    for piece in bytes.chunks(chunk) {
        decoder.decode(piece);
    }
    decoder.finish()
}

fn bench_decode(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("decode");
    // Each iteration decodes tens of megabytes, so a few samples already give a steady
    // median, and the whole run stays within a few minutes on two cores.
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6));
    for input in &inputs {
        // A wrong count would make the figure meaningless, so it is checked once up front.
        let decoded = decode(&input.bytes, input.bytes.len());
        assert_eq!(decoded.report.records, input.records, "{}", input.name);
        assert_eq!(decoded.report.issues.total(), 0, "{}", input.name);
        drop(decoded);

        group.throughput(Throughput::Bytes(input.text_bytes));
        group.bench_with_input(
            BenchmarkId::new("whole", input.name),
            &input.bytes,
            |b, bytes| b.iter_with_large_drop(|| decode(black_box(bytes), bytes.len())),
        );
    }
    // Streams (`File.stream()`, a pipe) deliver pieces of about 64 KiB: this is what that many
    // chunk boundaries cost.
    let default = &inputs[0];
    group.throughput(Throughput::Bytes(default.text_bytes));
    group.bench_with_input(
        BenchmarkId::new("64KiB-chunks", default.name),
        &default.bytes,
        |b, bytes| b.iter_with_large_drop(|| decode(black_box(bytes), 64 << 10)),
    );
    group.finish();
}

// The group lives in a private module so that the function the macro makes is not public
// and needs no documentation.
mod group {
    criterion::criterion_group!(benches, super::bench_decode);
}
criterion_main!(group::benches);
