//! `cargo xtask bench-query`: a filter plus every overview aggregate (summary, histogram,
//! five top-10 lists) on generated default-format records, timed on one core in flowlog-query
//! and in DuckDB running the same queries on the same data in the same run.
//!
//! Both sides have the records loaded before the clock starts: flowlog-query in its
//! `FlowTable` and the `TableIndex` built from it at load (timed and sized apart), DuckDB in
//! an in-memory table made by `read_csv`. Each run is the whole
//! question for one filter; the median of the runs is reported, and the answers of both
//! sides (records, bytes, the first row of each top list) must agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use flowlog_gen::{generate, Options};
use serde_json::Value;

use crate::bench::{duckdb_python, json_lines, load_average, median};
use crate::{root, target_dir, value, Result};

const USAGE: &str = "\
usage: cargo xtask bench-query [--records N] [--runs N] [--no-duckdb]

  --records N   default-format records to generate (default 10000000)
  --runs N      timed runs per filter and side (default 5)
  --no-duckdb   time flowlog-query alone
";

/// The filters measured, each with the same condition in DuckDB's SQL (whose columns keep
/// the hyphenated header names).
const FILTERS: &[(&str, &str)] = &[
    ("log-status = OK", "\"log-status\" = 'OK'"),
    ("action = REJECT", "action = 'REJECT'"),
    (
        "dstport in (ssh, rdp) and not srcaddr in 10.0.0.0/8",
        "dstport IN (22, 3389) AND NOT coalesce(srcaddr LIKE '10.%', false)",
    ),
];

/// The DuckDB side: one JSON line per filter, with the time of every run and the answers.
const DUCKDB_SCRIPT: &str = r#"
import json, sys, time
import duckdb
path, runs, filters = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
con = duckdb.connect()
con.execute("SET threads = 1")
con.execute("CREATE TABLE flows AS SELECT * FROM read_csv(?, delim = ' ', header = true, nullstr = '-')", [path])
tops = ["srcaddr", "dstaddr", "dstport", "protocol", '"interface-id"']
for where in filters:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        summary = con.execute(f'SELECT count(*), sum(bytes), sum(packets), min(start), max("end"), count(DISTINCT "interface-id") FROM flows WHERE {where}').fetchone()
        addresses = con.execute(f"SELECT count(*) FROM (SELECT srcaddr AS a FROM flows WHERE {where} UNION SELECT dstaddr FROM flows WHERE {where}) WHERE a IS NOT NULL").fetchone()[0]
        con.execute(f"SELECT action, count(*) FROM flows WHERE {where} GROUP BY ALL").fetchall()
        con.execute(f'SELECT "log-status", count(*) FROM flows WHERE {where} GROUP BY ALL').fetchall()
        span = con.execute(f"SELECT min(start), max(start) FROM flows WHERE {where}").fetchone()
        buckets = con.execute(f"SELECT start - start % 900 AS b, action, count(*), sum(bytes), sum(packets) FROM flows WHERE {where} GROUP BY ALL").fetchall()
        firsts = []
        for column in tops:
            rows = con.execute(f"SELECT {column}, count(*), sum(bytes), sum(packets) FROM flows WHERE {where} GROUP BY 1 ORDER BY 3 DESC NULLS LAST, 1 ASC NULLS LAST LIMIT 10").fetchall()
            firsts.append([str(rows[0][0]), int(rows[0][2])])
        seconds.append(time.perf_counter() - started)
    answer = {"records": summary[0], "bytes": int(summary[1] or 0), "addresses": addresses,
              "interfaces": summary[5], "buckets": len({b[0] for b in buckets}), "top": firsts}
    print(json.dumps({"where": where, "seconds": seconds, "answer": answer, "duckdb": duckdb.__version__}), flush=True)
"#;

/// `cargo xtask bench-query …`.
pub fn task(rest: &[String]) -> Result {
    let mut records = 10_000_000u64;
    let mut runs = 5u64;
    let mut duckdb = true;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => records = number(value(&mut args, arg)?, arg)?,
            "--runs" => runs = number(value(&mut args, arg)?, arg)?.max(1),
            "--no-duckdb" => duckdb = false,
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unexpected argument `{other}`\n\n{USAGE}")),
        }
    }
    let dir = target_dir().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = input(&dir, records)?;

    println!("==> flowlog-query: {runs} runs per filter, one core");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root())
        .args(["bench", "-p", "flowlog-query", "--bench", "overview", "--"])
        .args(["--runs", &runs.to_string()])
        .arg(&path)
        .args(FILTERS.iter().map(|(f, _)| *f));
    let mut ours = json_lines(command, "the flowlog-query benchmark")?;
    // The first line is the index built at load, timed apart from the queries.
    let index = if ours
        .first()
        .is_some_and(|l| l.get("index_seconds").is_some())
    {
        Some(ours.remove(0))
    } else {
        None
    };

    let theirs = if duckdb {
        let python = duckdb_python(&dir)?;
        println!("==> DuckDB: the same queries, {runs} runs per filter, one thread");
        let wheres: Vec<&str> = FILTERS.iter().map(|(_, w)| *w).collect();
        let mut command = Command::new(python);
        command
            .args(["-c", DUCKDB_SCRIPT])
            .arg(&path)
            .arg(runs.to_string())
            .arg(serde_json::to_string(&wheres).expect("strings"));
        Some(json_lines(command, "the DuckDB benchmark")?)
    } else {
        None
    };

    println!(
        "\n{records} default-format records; a filter + summary + histogram + 5 top-10 lists, \
         median of {runs} runs, one core\n"
    );
    println!(
        "{:<55} {:>10} {:>12} {:>10} {:>8}",
        "filter", "matched", "flowlog ms", "DuckDB ms", "ratio"
    );
    for (i, (filter, _)) in FILTERS.iter().enumerate() {
        let line = &ours[i];
        let ms = median(&line["seconds"])? * 1e3;
        let matched = line["answer"]["records"].as_u64().unwrap_or(0);
        let (duck, ratio) = match &theirs {
            Some(theirs) => {
                let peer = &theirs[i];
                check(&line["answer"], &peer["answer"], filter)?;
                let duck = median(&peer["seconds"])? * 1e3;
                (format!("{duck:.1}"), format!("{:.2}", duck / ms))
            }
            None => ("-".into(), "-".into()),
        };
        println!("{filter:<55} {matched:>10} {ms:>12.1} {duck:>10} {ratio:>8}");
    }
    if let Some(theirs) = &theirs {
        println!(
            "\nDuckDB {}; ratio = DuckDB time ÷ flowlog-query time",
            theirs[0]["duckdb"]
        );
    }
    if let Some(index) = index {
        let rows = index["rows"].as_f64().unwrap_or(0.0).max(1.0);
        let bytes = |key: &str| index[key].as_f64().unwrap_or(0.0);
        println!(
            "index built at load (once per table, not in the times above): {:.0} ms, \
             {:.1} MB = {:.1} bytes per record ({} distinct addresses); \
             the table itself: {:.1} bytes per record",
            bytes("index_seconds") * 1e3,
            bytes("index_bytes") / 1e6,
            bytes("index_bytes") / rows,
            index["addresses"],
            bytes("table_bytes") / rows,
        );
    }
    println!("load average: {}", load_average());
    Ok(())
}

/// Both sides must have answered the same question.
fn check(ours: &Value, theirs: &Value, filter: &str) -> Result {
    for key in ["records", "bytes", "addresses", "interfaces", "buckets"] {
        if ours[key] != theirs[key] {
            return Err(format!(
                "`{filter}`: {key} differs: flowlog-query {} and DuckDB {}",
                ours[key], theirs[key]
            ));
        }
    }
    let (a, b) = (&ours["top"], &theirs["top"]);
    if a != b {
        return Err(format!(
            "`{filter}`: top rows differ: flowlog-query {a} and DuckDB {b}"
        ));
    }
    Ok(())
}

fn number(text: &str, option: &str) -> Result<u64> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("{option} takes a number, not `{text}`"))
}

/// The generated file, written once per record count and reused (the generator is
/// deterministic, so the same name always holds the same bytes).
fn input(dir: &Path, records: u64) -> Result<PathBuf> {
    let path = dir.join(format!("query-default-{records}.log"));
    if path.exists() {
        return Ok(path);
    }
    let partial = path.with_extension("log.partial");
    let options = Options {
        records,
        ..Options::default()
    };
    std::fs::File::create(&partial)
        .and_then(|file| generate(&options, file))
        .map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("generated {records} records: {}", path.display());
    Ok(path)
}
