//! Decodes a file held in memory and prints the time and the table's memory per record:
//! `cargo run --release -p flowlog --example decode_file -- FILE [CHUNK_BYTES]`.

use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: decode_file FILE [CHUNK_BYTES]");
    let chunk: usize = std::env::args()
        .nth(2)
        .map_or(1 << 20, |c| c.parse().expect("CHUNK_BYTES is a number"));
    let bytes = std::fs::read(&path).expect("readable file");
    let started = Instant::now();
    let mut decoder = flowlog::Decoder::new(
        path.clone(),
        flowlog::DecodeOptions {
            format: None,
            size_hint: Some(bytes.len() as u64),
        },
    );
    for piece in bytes.chunks(chunk) {
        decoder.decode(piece);
    }
    let decoded = decoder.finish();
    let seconds = started.elapsed().as_secs_f64();
    let records = decoded.table.len();
    println!(
        "{records} records, {} issues, {:.1} MB in {seconds:.3} s: {:.0} MB/s; table {:.1} bytes per record",
        decoded.report.issues.total(),
        bytes.len() as f64 / 1e6,
        bytes.len() as f64 / 1e6 / seconds,
        decoded.table.heap_bytes() as f64 / records.max(1) as f64
    );
}
