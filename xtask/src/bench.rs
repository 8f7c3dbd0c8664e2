//! `cargo xtask bench-decode`: flowlog's native decoder beside DuckDB's CSV reader on the same
//! generated files, in the same run, and the table's memory per record.
//!
//! Both sides are timed in their own process on bytes the machine already holds: flowlog by
//! the `decode_files` benchmark binary (release profile, one thread, the file in memory),
//! DuckDB by `bench/duckdb_csv.py` (`read_csv` into an in-memory table, the file in the page
//! cache) with one thread and with two. Each figure is the median of several runs. The
//! figures and how to read them are in BENCHMARKS.md.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use flowlog_gen::{generate, Layout, Options};
use serde_json::Value;

use crate::{root, target_dir, value, Result};

const USAGE: &str = "\
usage: cargo xtask bench-decode [options]

  --records N          records per file for the speed figures (default 1000000)
  --memory-records N   records of the file for the bytes-per-record figure (default 10000000;
                       0 leaves it out)
  --runs N             timed runs per figure, of which the median is shown (default 5)
  --no-duckdb          time flowlog alone
";

/// The DuckDB release the figures are measured with; the venv is rebuilt when it differs.
const DUCKDB_VERSION: &str = "2.0.0";

/// One generated file.
struct Input {
    /// The layout's name in the table.
    name: &'static str,
    path: PathBuf,
    records: u64,
    text_bytes: u64,
}

/// What flowlog measured on one file.
struct Flowlog {
    median: f64,
    records: u64,
    issues: u64,
    heap_bytes: u64,
}

/// `cargo xtask bench-decode …`.
pub fn task(rest: &[String]) -> Result {
    let mut records = 1_000_000;
    let mut memory_records = 10_000_000;
    let mut runs = 5;
    let mut duckdb = true;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => records = number(value(&mut args, arg)?, arg)?,
            "--memory-records" => memory_records = number(value(&mut args, arg)?, arg)?,
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

    let speed = [
        input(&dir, "default (14 fields)", Layout::default_v2(), records)?,
        input(&dir, "all-v5 (29 fields)", Layout::all_v5(), records)?,
    ];
    let python = if duckdb {
        Some(duckdb_python(&dir)?)
    } else {
        None
    };

    println!("\n==> flowlog: {runs} runs per file");
    let paths: Vec<&Path> = speed.iter().map(|i| i.path.as_path()).collect();
    let flowlog = flowlog_runs(&paths, runs)?;
    let duckdb = match &python {
        Some(python) => {
            println!("==> DuckDB {DUCKDB_VERSION} read_csv: {runs} runs per file, 1 and 2 threads");
            Some(duckdb_runs(python, &paths, runs)?)
        }
        None => None,
    };

    let memory = if memory_records > 0 {
        let big = input(
            &dir,
            "default (14 fields)",
            Layout::default_v2(),
            memory_records,
        )?;
        println!("==> flowlog: table memory on {memory_records} records");
        let measured = flowlog_runs(&[big.path.as_path()], 1)?;
        Some((
            big,
            measured.into_iter().next().expect("one file, one result"),
        ))
    } else {
        None
    };

    println!(
        "\nflowlog {}; load average {}",
        commit(&["crates/flowlog/src"]),
        load_average()
    );
    print_speed(&speed, &flowlog, duckdb.as_deref())?;
    if let Some((input, measured)) = memory {
        check(&input, &measured)?;
        println!(
            "\ntable memory: {} records of {}, {:.1} MB of text: {:.1} MB of heap, {:.1} bytes \
             per record; decoded once in {:.2} s ({:.0} MB/s)",
            measured.records,
            input.name,
            input.text_bytes as f64 / 1e6,
            measured.heap_bytes as f64 / 1e6,
            measured.heap_bytes as f64 / measured.records.max(1) as f64,
            measured.median,
            input.text_bytes as f64 / 1e6 / measured.median,
        );
    }
    Ok(())
}

fn number(text: &str, option: &str) -> Result<u64> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("{option} takes a number, not `{text}`"))
}

/// Generates one file with a header line, as AWS delivers them to S3. It is written afresh
/// every time, so that a change to the generator is never measured on stale bytes.
fn input(dir: &Path, name: &'static str, layout: Layout, records: u64) -> Result<Input> {
    let short = if name.starts_with("all-v5") {
        "all-v5"
    } else {
        "default"
    };
    let path = dir.join(format!("{short}-{records}.log"));
    let options = Options {
        records,
        layout,
        header: true,
        ..Options::default()
    };
    let partial = path.with_extension("log.partial");
    let summary = File::create(&partial)
        .and_then(|file| generate(&options, file))
        .map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "generated {} records of {name}, {:.1} MB: {}",
        summary.records,
        summary.text_bytes as f64 / 1e6,
        path.display()
    );
    Ok(Input {
        name,
        path,
        records: summary.records,
        text_bytes: summary.text_bytes,
    })
}

/// Runs the `decode_files` benchmark binary (built with the bench profile: release, LTO).
fn flowlog_runs(paths: &[&Path], runs: u64) -> Result<Vec<Flowlog>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command
        .current_dir(root())
        .args([
            "bench",
            "--quiet",
            "-p",
            "flowlog",
            "--bench",
            "decode_files",
            "--",
        ])
        .args(["--runs", &runs.to_string()])
        .args(paths);
    let lines = json_lines(command, "the flowlog benchmark")?;
    lines
        .iter()
        .map(|line| {
            Ok(Flowlog {
                median: median(&line["seconds"])?,
                records: field(line, "records")?,
                issues: field(line, "issues")?,
                heap_bytes: field(line, "heap_bytes")?,
            })
        })
        .collect()
}

/// A venv under `target/bench/venv` with the pinned DuckDB, made once and then reused.
pub(crate) fn duckdb_python(dir: &Path) -> Result<PathBuf> {
    let venv = dir.join("venv");
    let python = venv.join("bin").join("python");
    let installed = Command::new(&python)
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    if installed.as_deref() == Some(DUCKDB_VERSION) {
        return Ok(python);
    }
    println!(
        "==> installing DuckDB {DUCKDB_VERSION} into {}",
        venv.display()
    );
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("duckdb=={DUCKDB_VERSION}"),
    ]))?;
    Ok(python)
}

/// DuckDB's runs: per file, the run times with one thread and with two.
fn duckdb_runs(python: &Path, paths: &[&Path], runs: u64) -> Result<Vec<(u64, u64, f64)>> {
    let mut command = Command::new(python);
    command
        .arg(root().join("bench").join("duckdb_csv.py"))
        .args(["--runs", &runs.to_string(), "--threads", "1,2"])
        .args(paths);
    json_lines(command, "the DuckDB benchmark")?
        .iter()
        .map(|line| {
            Ok((
                field(line, "threads")?,
                field(line, "rows")?,
                median(&line["seconds"])?,
            ))
        })
        .collect()
}

fn print_speed(
    inputs: &[Input],
    flowlog: &[Flowlog],
    duckdb: Option<&[(u64, u64, f64)]>,
) -> Result {
    println!(
        "\n{:<20} {:<22} {:>9} {:>9} {:>10} {:>14}",
        "format", "reader", "median s", "MB/s", "Mrecords/s", "flowlog ÷ it"
    );
    for (i, (input, measured)) in inputs.iter().zip(flowlog).enumerate() {
        check(input, measured)?;
        let row = |reader: &str, seconds: f64, ratio: String| {
            println!(
                "{:<20} {:<22} {:>9.3} {:>9.0} {:>10.2} {:>14}",
                input.name,
                reader,
                seconds,
                input.text_bytes as f64 / 1e6 / seconds,
                input.records as f64 / 1e6 / seconds,
                ratio
            );
        };
        row("flowlog, 1 thread", measured.median, String::new());
        // The Python script prints every file for one thread count, then for the next.
        for threads in [1, 2] {
            let Some(&(_, rows, seconds)) =
                duckdb.and_then(|d| d.iter().filter(|r| r.0 == threads).nth(i))
            else {
                continue;
            };
            if rows != input.records {
                return Err(format!(
                    "DuckDB loaded {rows} rows of {}, not {}",
                    input.path.display(),
                    input.records
                ));
            }
            let plural = if threads == 1 { "" } else { "s" };
            row(
                &format!("DuckDB, {threads} thread{plural}"),
                seconds,
                format!("{:.2}×", seconds / measured.median),
            );
        }
    }
    Ok(())
}

/// A figure is only worth printing when every record was read.
fn check(input: &Input, measured: &Flowlog) -> Result {
    if measured.records != input.records || measured.issues != 0 {
        return Err(format!(
            "flowlog read {} records and {} issues from {}; expected {} records",
            measured.records,
            measured.issues,
            input.path.display(),
            input.records
        ));
    }
    Ok(())
}

/// The commit measured, marked when the sources under `paths` differ from it.
pub fn commit(paths: &[&str]) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root())
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "(no git)".into());
    let mut status = vec!["status", "--porcelain", "--"];
    status.extend(paths);
    if git(&status).is_some_and(|s| !s.is_empty()) {
        format!("{head}, with uncommitted changes to {}", paths.join(", "))
    } else {
        head
    }
}

/// The machine's load average, since other work on a shared machine skews every figure.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

fn run(command: &mut Command) -> Result {
    let status = command
        .status()
        .map_err(|e| format!("could not start {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed ({status})", command.get_program()))
    }
}

/// Runs `command` and reads each line of its output as a JSON object; its standard error
/// goes to the terminal, so that build progress and errors show.
pub(crate) fn json_lines(mut command: Command, what: &str) -> Result<Vec<Value>> {
    let output = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("{what}: could not start {:?}: {e}", command.get_program()))?;
    if !output.status.success() {
        return Err(format!("{what} failed ({})", output.status));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).map_err(|e| format!("{what}: {e}: {line}")))
        .collect()
}

fn field(line: &Value, name: &str) -> Result<u64> {
    line[name]
        .as_u64()
        .ok_or_else(|| format!("`{name}` missing from {line}"))
}

/// The median of the run times in a JSON array.
pub(crate) fn median(seconds: &Value) -> Result<f64> {
    let seconds = seconds.as_array().ok_or("no run times")?;
    median_of(seconds.iter().filter_map(Value::as_f64).collect())
        .ok_or_else(|| "no run times".into())
}

/// The median of the finite values, `None` when there is none.
pub(crate) fn median_of(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_run() {
        assert_eq!(median(&serde_json::json!([3.0, 1.0, 2.0])).unwrap(), 2.0);
        assert_eq!(
            median(&serde_json::json!([4.0, 1.0, 2.0, 3.0])).unwrap(),
            2.5
        );
        assert!(median(&serde_json::json!([])).is_err());
    }
}
