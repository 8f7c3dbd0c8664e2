//! `flowlens`: the flowlog engine from a terminal.
//!
//! The JSON it prints is a contract other tools rely on, documented in `--help` and the
//! README: keys are AWS field names, `-` is `null`, numbers are numbers, times are Unix
//! seconds, and extra keys start with an underscore.

use flowlog::{DecodeOptions, Decoded, Decoder, Format};
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

mod output;
mod query;

const USAGE: &str = "\
flowlens: read AWS VPC Flow Logs and print them as JSON

Usage:
  flowlens records [--format FMT] FILE...   one JSON object per record (JSON Lines)
  flowlens summary [--format FMT] FILE...   one JSON object of totals, with per-file details
  flowlens query [--format FMT] [--filter EXPR] [OPTIONS] FILE...
                                            one JSON object of answers over the records the
                                            filter keeps (see below)

FILE may be plain text, gzip, a CloudWatch JSON or CSV export, or Firehose JSON lines; the
wrapper is detected from the content. `-` reads standard input.

Options:
  --format FMT   the layout of header-less lines: AWS's `${field} ...` string or a header
                 line of field names. A header line in the file takes precedence.
  -h, --help     this text

Query options (docs/filter-language.md describes the filter language):
  --filter EXPR          keep the records for which EXPR holds, e.g.
                         'dstport in (ssh, rdp) and srcaddr is public'
  --top FIELD            the largest groups by FIELD: a field name, `pair` (srcaddr and
                         dstaddr), or `srcaddr-class` / `dstaddr-class`; prints \"top\" and
                         \"other\" (the groups not listed, added up)
  --by MEASURE           what --top orders by: bytes (default), packets or records
  --limit N              rows of --top, --conversations and --records (default 10)
  --summary              also print \"summary\": time span, distinct interfaces and addresses,
                         records by action and log-status
  --histogram WIDTH      also print \"histogram\": buckets of WIDTH (`auto`, seconds, or a
                         number with s, m, h or d), split by action
  --conversations        also print \"conversations\": both directions of each flow in one
                         row, through NAT where pkt-srcaddr / pkt-dstaddr are recorded
  --rejected             also print \"rejected\": REJECT records by source, destination port
                         and interface
  --records OFFSET       also print \"records\": --limit matching records from OFFSET, sorted
  --sort FIELD           the order of --records (default start); `-FIELD` for descending
  --as athena|insights   print the same question as Athena SQL or a CloudWatch Logs Insights
                         query instead of answering it (FILE may then be left out)

The JSON always holds \"matched\": {\"records\", \"bytes\", \"packets\"}. Keys print as `flowlens
records` prints the field; records whose field is missing are grouped under null. Rows are
ordered by the measure, largest first, then by key ascending (numbers numerically, text by
code point, null last). A filter that cannot be read exits with status 2 and a message that
points at the problem.

Lines that cannot be read are reported on standard error as FILE:LINE: KIND: MESSAGE and do
not change the exit status. A missing or unreadable file exits with status 2.";

/// The subcommands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    Records,
    Summary,
    Query,
}

struct Args {
    command: Command,
    format: Option<Format>,
    files: Vec<String>,
    query: query::Options,
}

fn parse_args() -> Result<Option<Args>, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut command = None;
    let mut format = None;
    let mut files = Vec::new();
    let mut query = query::Options::default();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Long(name) if command == Some(Command::Query) && query::Options::takes(name) => {
                let name = name.to_owned();
                let value = if query::Options::needs_value(&name) {
                    let value = parser.value().map_err(|e| e.to_string())?;
                    Some(value.to_string_lossy().into_owned())
                } else {
                    None
                };
                query.set(&name, value)?;
            }
            Long("format") => {
                let text = parser.value().map_err(|e| e.to_string())?;
                let text = text.to_string_lossy();
                format = Some(Format::parse(&text).map_err(|e| format!("--format: {e}"))?);
            }
            Value(value) => {
                let value = value.to_string_lossy().into_owned();
                if command.is_none() {
                    command = Some(match value.as_str() {
                        "records" => Command::Records,
                        "summary" => Command::Summary,
                        "query" => Command::Query,
                        other => return Err(format!("unknown command `{other}`")),
                    });
                } else {
                    files.push(value);
                }
            }
            // `-` alone is a file name (standard input), which lexopt hands over as a value.
            other => return Err(other.unexpected().to_string()),
        }
    }
    let Some(command) = command else {
        return Ok(None);
    };
    // A translation needs no data unless the format has to be read from a file.
    let translating = command == Command::Query && query.translation.is_some();
    if files.is_empty() && !translating {
        return Err("name at least one FILE (or `-` for standard input)".into());
    }
    Ok(Some(Args {
        command,
        format,
        files,
        query,
    }))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("flowlens: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flowlens: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    if args.command == Command::Query {
        return query::run(args);
    }
    // Every file is opened before any output, so that a typo in the last name does not
    // leave half an answer behind.
    let mut inputs = Vec::new();
    for name in &args.files {
        inputs.push(open(name)?);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut decoded_files = Vec::new();
    for (name, input) in args.files.iter().zip(inputs) {
        let decoded = decode(name, input, args.format.clone())?;
        report_issues(&decoded);
        match args.command {
            Command::Records => output::records(&mut out, &decoded).map_err(write_error)?,
            Command::Summary | Command::Query => {}
        }
        // The records command needs nothing kept once a file is printed.
        if args.command == Command::Summary {
            decoded_files.push(decoded);
        }
    }
    if args.command == Command::Summary {
        output::summary(&mut out, &decoded_files).map_err(write_error)?;
    }
    out.flush().map_err(write_error)
}

pub(crate) fn write_error(error: io::Error) -> String {
    format!("cannot write the output: {error}")
}

/// An opened input and its size, when known.
pub(crate) struct Input {
    reader: Box<dyn Read>,
    size: Option<u64>,
}

pub(crate) fn open(name: &str) -> Result<Input, String> {
    if name == "-" {
        return Ok(Input {
            reader: Box::new(io::stdin()),
            size: None,
        });
    }
    let file = std::fs::File::open(name).map_err(|e| format!("cannot open {name}: {e}"))?;
    let metadata = file
        .metadata()
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if metadata.is_dir() {
        return Err(format!("cannot read {name}: it is a directory"));
    }
    Ok(Input {
        reader: Box::new(file),
        size: Some(metadata.len()),
    })
}

pub(crate) fn decode(
    name: &str,
    mut input: Input,
    format: Option<Format>,
) -> Result<Decoded, String> {
    let options = DecodeOptions {
        format,
        size_hint: input.size,
    };
    let mut decoder = Decoder::new(name, options);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        match input.reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => decoder.decode(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("cannot read {name}: {e}")),
        }
    }
    Ok(decoder.finish())
}

pub(crate) fn report_issues(decoded: &Decoded) {
    let issues = &decoded.report.issues;
    if issues.total() == 0 {
        return;
    }
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for issue in issues.examples() {
        let _ = writeln!(err, "{issue}");
    }
    let shown = issues.examples().len() as u64;
    if issues.total() > shown {
        let _ = writeln!(
            err,
            "{}: {} more issues not shown ({} in all)",
            decoded.report.file,
            issues.total() - shown,
            issues.total()
        );
    }
}
