//! Times a filter plus every overview aggregate (summary, histogram, five top lists) on one
//! core, for `cargo xtask bench-query`.
//!
//!     cargo bench -p flowlog-query --bench overview -- [--runs N] FILE FILTER...
//!
//! Prints one JSON line per filter with the time of every run, in seconds, of each step and
//! of the whole, and the answers' sizes so that the peer's answers can be checked.

use flowlog::{decode_all, DecodeOptions};
use flowlog_query::{Filter, GroupBy, Groups, Histogram, Measure, Summary, BASE_WIDTH};
use flowlog_query::{Overview, Selection, OVERVIEW_GROUPS};
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
    let started = Instant::now();
    let decoded = decode_all(path.as_str(), &bytes, DecodeOptions::default());
    drop(bytes);
    let table = decoded.table;
    eprintln!(
        "decoded {} records in {:.2} s",
        table.len(),
        started.elapsed().as_secs_f64()
    );
    for text in filters {
        let filter = Filter::parse(text).unwrap_or_else(|e| panic!("{}", e.render(text)));
        let mut steps: Vec<(&str, Vec<f64>)> = Vec::new();
        let mut time =
            |name: &'static str, seconds: f64| match steps.iter_mut().find(|s| s.0 == name) {
                Some(s) => s.1.push(seconds),
                None => steps.push((name, vec![seconds])),
            };
        let mut answer = String::new();
        for _ in 0..runs {
            let all = Instant::now();
            let t = Instant::now();
            let selection: Selection = filter.select(&table);
            time("filter", t.elapsed().as_secs_f64());
            let t = Instant::now();
            let summary = Summary::of_selection(&table, &selection);
            time("summary", t.elapsed().as_secs_f64());
            let t = Instant::now();
            let histogram = Histogram::of(&table, &selection, BASE_WIDTH).coarsened(120);
            time("histogram", t.elapsed().as_secs_f64());
            let mut tops = Vec::new();
            for field in OVERVIEW_GROUPS {
                let t = Instant::now();
                let by = GroupBy::Field(flowlog::FieldRef::Known(field));
                let top = Groups::of(&table, &selection, &by).top(10, Measure::Bytes);
                time(field.name(), t.elapsed().as_secs_f64());
                tops.push(top);
            }
            time("separately", all.elapsed().as_secs_f64());
            let t = Instant::now();
            let selection = filter.select(&table);
            let overview = Overview::of_selection(&table, &selection);
            let histogram = overview.histogram.coarsened(120);
            let tops: Vec<_> = overview
                .groups
                .iter()
                .map(|g| g.top(10, Measure::Bytes))
                .collect();
            time("total", t.elapsed().as_secs_f64());
            assert_eq!(overview.summary.records, summary.records);
            let summary = overview.summary;
            answer = serde_json::json!({
                "records": summary.records,
                "bytes": summary.bytes,
                "buckets": histogram.buckets.len(),
                "addresses": summary.addresses.len(),
                "interfaces": summary.interfaces.len(),
                "top": tops.iter().map(|t| (t.by.clone(), t.groups, t.rows.first().map(|r| (r.key.to_string(), r.bytes)))).collect::<Vec<_>>(),
            })
            .to_string();
        }
        let steps: serde_json::Map<String, serde_json::Value> = steps
            .into_iter()
            .map(|(name, seconds)| (name.to_owned(), serde_json::json!(seconds)))
            .collect();
        println!(
            "{}",
            serde_json::json!({"filter": text, "rows": table.len(), "seconds": steps, "answer": serde_json::from_str::<serde_json::Value>(&answer).unwrap()})
        );
    }
}
