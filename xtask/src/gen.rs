//! `cargo xtask gen`: synthetic flow logs from the command line, for tests and benchmarks.

use std::fs::File;
use std::io::{self, Write};
use std::time::Instant;

use flowlog_gen::{generate, Compression, Layout, Options};

use crate::{value, Result};

const USAGE: &str = "\
usage: cargo xtask gen --records N [options] -o FILE

  --records N          number of records (required)
  --format F           default (14 fields, the default) | v5 (the AWS guide's custom v5 layout)
                       | all-v5 (every field to version 5, 29 fields) | tgw (transit gateway,
                       36 fields) | a header line or ${field} format string in quotes
  --no-header          leave out the header line AWS writes at the top of S3 objects
  --gzip               gzip the output (--gzip-members N: a new gzip member every N records)
  --seed S             the seed (default 0): the same seed always gives the same bytes
  --start UNIX         the first 60-second window, in Unix seconds (default 2026-11-20 00:00 UTC)
  --interfaces N       number of network interfaces (default 300)
  -o FILE              where to write; - for standard output
";

/// `cargo xtask gen …`.
pub fn task(rest: &[String]) -> Result {
    let mut options = Options::default();
    let mut records = None;
    let mut output = None;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => records = Some(number(value(&mut args, arg)?, arg)?),
            "--format" => options.layout = layout(value(&mut args, arg)?)?,
            "--no-header" => options.header = false,
            "--gzip" => options.compression = Compression::Gzip,
            "--gzip-members" => {
                let records_per_member = number(value(&mut args, arg)?, arg)?;
                options.compression = Compression::GzipMembers { records_per_member };
            }
            "--seed" => options.seed = number(value(&mut args, arg)?, arg)?,
            "--start" => options.start = number(value(&mut args, arg)?, arg)?,
            "--interfaces" => options.interfaces = number(value(&mut args, arg)?, arg)? as usize,
            "-o" | "--output" => output = Some(value(&mut args, arg)?.to_owned()),
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unexpected argument `{other}`\n\n{USAGE}")),
        }
    }
    options.records = records.ok_or_else(|| format!("--records is required\n\n{USAGE}"))?;
    let output = output.ok_or_else(|| format!("-o FILE is required\n\n{USAGE}"))?;

    let start = Instant::now();
    let summary = if output == "-" {
        generate(&options, io::stdout().lock())
    } else {
        File::create(&output).and_then(|file| generate(&options, file))
    }
    .map_err(|e| format!("{output}: {e}"))?;
    let took = start.elapsed().as_secs_f64();
    let megabytes = summary.text_bytes as f64 / 1e6;
    let mut err = io::stderr().lock();
    let _ = writeln!(
        err,
        "{} records ({} accepted, {} rejected, {} NODATA, {} SKIPDATA), {megabytes:.1} MB of text \
         in {took:.2} s ({:.0} MB/s) to {output}",
        summary.records,
        summary.accepted,
        summary.rejected,
        summary.nodata,
        summary.skipdata,
        megabytes / took.max(1e-9),
    );
    Ok(())
}

fn number(text: &str, option: &str) -> Result<u64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    digits
        .parse()
        .map_err(|_| format!("{option}: `{text}` is not a whole number"))
}

fn layout(name: &str) -> Result<Layout> {
    match name {
        "default" | "v2" => Ok(Layout::default_v2()),
        "v5" | "custom-v5" => Ok(Layout::custom_v5()),
        "all-v5" => Ok(Layout::all_v5()),
        "tgw" | "transit-gateway" => Ok(Layout::transit_gateway()),
        text if text.contains(' ') => Layout::parse(text).map_err(|e| format!("--format: {e}")),
        other => Err(format!(
            "--format: `{other}` is not default, v5, all-v5, tgw or a header line"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_named_or_given_as_headers() {
        assert_eq!(layout("v5").unwrap(), Layout::custom_v5());
        assert_eq!(layout("tgw").unwrap().fields().len(), 36);
        assert_eq!(layout("version srcaddr").unwrap().fields().len(), 2);
        assert!(layout("v9").is_err());
        assert_eq!(number("1_000_000", "--records"), Ok(1_000_000));
    }

    #[test]
    fn writes_a_gzip_file_the_generator_would() {
        let path = std::env::temp_dir().join(format!("flowlens-gen-{}.log.gz", std::process::id()));
        let args: Vec<String> = ["--records", "50", "--gzip", "--seed", "5", "-o"]
            .iter()
            .map(|s| s.to_string())
            .chain([path.display().to_string()])
            .collect();
        task(&args).unwrap();
        let written = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let mut expected = Vec::new();
        let options = Options {
            records: 50,
            seed: 5,
            compression: Compression::Gzip,
            ..Options::default()
        };
        generate(&options, &mut expected).unwrap();
        assert_eq!(written, expected);
    }
}
