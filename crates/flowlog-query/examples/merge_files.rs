//! Times the overview of several files, computed table by table and merged one after
//! another as the page's worker answers over a folder, and prints the number of address
//! pairs found so that two builds can be checked to agree:
//! `cargo run --release -p flowlog-query --example merge_files -- FILE...`.

use flowlog_query::{Measure, Overview, Selection, TableIndex};
use std::time::Instant;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    assert!(!paths.is_empty(), "usage: merge_files FILE...");
    let tables: Vec<_> = paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).expect("readable file");
            let table = flowlog::decode_all(path.as_str(), &bytes, Default::default()).table;
            let index = TableIndex::build(&table);
            (table, index)
        })
        .collect();
    for run in 1..=3 {
        let started = Instant::now();
        let mut merged: Option<Overview> = None;
        for (table, index) in &tables {
            let part = Overview::of_selection(table, index, &Selection::all(table.len()));
            match merged.as_mut() {
                Some(merged) => merged.merge(&part),
                None => merged = Some(part),
            }
        }
        let pairs = merged.map_or(0, |m| m.pairs.top(10, Measure::Bytes).groups);
        println!(
            "run {run}: {} files, overview and merge in {:.3} s, {pairs} address pairs",
            tables.len(),
            started.elapsed().as_secs_f64()
        );
    }
}
