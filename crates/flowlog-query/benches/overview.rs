//! Times a filter plus every overview aggregate (summary, histogram, five top lists) on one
//! core, for `cargo xtask bench-query`.
//!
//!     cargo bench -p flowlog-query --bench overview -- [--runs N] FILE FILTER...
//!
//! Prints one JSON line for the index built at load (its time and bytes, and the table's
//! bytes), then one per filter: the time of every run in seconds, and the answers in a shape
//! the DuckDB side prints too, so that the run checks both found the same numbers.

use flowlog::{decode_all, DecodeOptions};
use flowlog_query::{Filter, Measure, Overview, TableIndex};
use serde_json::json;
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut runs = 5;
    if args.first().map(String::as_str) == Some("--runs") {
        runs = args[1].parse().expect("--runs N");
        args.drain(..2);
    }
    let (path, filters) = args.split_first().expect("FILE FILTER...");
    let bytes = std::fs::read(path).expect("the file");
    let decoded = decode_all(path.as_str(), &bytes, DecodeOptions::default());
    drop(bytes);
    let table = decoded.table;
    let started = Instant::now();
    let index = TableIndex::build(&table);
    println!(
        "{}",
        json!({
            "index_seconds": started.elapsed().as_secs_f64(),
            "index_bytes": index.heap_bytes(),
            "table_bytes": table.heap_bytes(),
            "addresses": index.addresses(),
            "rows": table.len(),
        })
    );
    for text in filters {
        let filter = Filter::parse(text).unwrap_or_else(|e| panic!("{}", e.render(text)));
        let mut seconds = Vec::new();
        let mut answer = json!(null);
        for _ in 0..runs {
            let started = Instant::now();
            let overview = Overview::of(&table, &index, &filter);
            let histogram = overview.histogram.coarsened(120);
            let tops: Vec<_> = overview
                .groups
                .iter()
                .map(|g| g.top(10, Measure::Bytes))
                .collect();
            seconds.push(started.elapsed().as_secs_f64());
            let s = &overview.summary;
            answer = json!({
                "records": s.records,
                "bytes": s.bytes,
                "packets": s.packets,
                "first_start": s.first_start,
                "last_end": s.last_end,
                "interfaces": s.interfaces.len(),
                "addresses": s.addresses.len(),
                "buckets": histogram.buckets.len(),
                "top": tops.iter().map(|t| t.rows.first().map(|r| json!([r.key.to_string(), r.bytes]))).collect::<Vec<_>>(),
            });
        }
        println!(
            "{}",
            json!({"filter": text, "rows": table.len(), "seconds": seconds, "answer": answer})
        );
    }
}
