//! Times the decoding of whole files held in memory, for `cargo xtask bench-decode`, which
//! sets these figures beside DuckDB's CSV reader on the same files.
//!
//! `cargo bench -p flowlog --bench decode_files -- [--runs N] FILE…` prints one JSON object
//! per file: the time of every run in seconds, the records and issues read, the table's heap
//! bytes, and the file's size. Each run decodes the whole file (decoder, every line, sealing
//! the table) on one thread; reading the file and dropping the table are left out, so the
//! figure is the decoder's alone, as in the page, where the bytes are already in memory.

use flowlog::DecodeOptions;
use std::time::Instant;

fn main() {
    let mut runs = 5;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // Cargo passes `--bench` to every benchmark binary it runs.
            "--bench" => {}
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--runs takes a number");
            }
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        eprintln!("usage: decode_files [--runs N] FILE…");
        std::process::exit(2);
    }
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut seconds = Vec::with_capacity(runs);
        let mut outcome = None;
        for _ in 0..runs {
            let started = Instant::now();
            let decoded = flowlog::decode_all(
                file.clone(),
                &bytes,
                DecodeOptions {
                    format: None,
                    size_hint: Some(bytes.len() as u64),
                },
            );
            seconds.push(started.elapsed().as_secs_f64());
            outcome = Some((
                decoded.report.records,
                decoded.report.issues.total(),
                decoded.table.heap_bytes(),
            ));
        }
        let (records, issues, heap_bytes) = outcome.expect("at least one run");
        let line = serde_json::json!({
            "file": file,
            "bytes": bytes.len(),
            "records": records,
            "issues": issues,
            "heap_bytes": heap_bytes,
            "seconds": seconds,
        });
        println!("{line}");
    }
}
