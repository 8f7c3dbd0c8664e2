//! `flowlens`: the flowlog engine from a terminal.
//!
//! The JSON it prints is a contract other tools rely on, documented in `--help` and the
//! README: keys are AWS field names, `-` is `null`, numbers are numbers, times are Unix
//! seconds, and extra keys start with an underscore.

use flowlog::{DecodeOptions, Decoded, Decoder, Format};
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

mod output;

const USAGE: &str = "\
flowlens: read AWS VPC Flow Logs and print them as JSON

Usage:
  flowlens records [--format FMT] FILE...   one JSON object per record (JSON Lines)
  flowlens summary [--format FMT] FILE...   one JSON object of totals, with per-file details

FILE may be plain text, gzip, a CloudWatch JSON or CSV export, or Firehose JSON lines; the
wrapper is detected from the content. `-` reads standard input.

Options:
  --format FMT   the layout of header-less lines: AWS's `${field} ...` string or a header
                 line of field names. A header line in the file takes precedence.
  -h, --help     this text

Lines that cannot be read are reported on standard error as FILE:LINE: KIND: MESSAGE and do
not change the exit status. A missing or unreadable file exits with status 2.";

/// The subcommands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    Records,
    Summary,
}

struct Args {
    command: Command,
    format: Option<Format>,
    files: Vec<String>,
}

fn parse_args() -> Result<Option<Args>, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut command = None;
    let mut format = None;
    let mut files = Vec::new();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
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
    if files.is_empty() {
        return Err("name at least one FILE (or `-` for standard input)".into());
    }
    Ok(Some(Args {
        command,
        format,
        files,
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
            Command::Summary => {}
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

fn write_error(error: io::Error) -> String {
    format!("cannot write the output: {error}")
}

/// An opened input and its size, when known.
struct Input {
    reader: Box<dyn Read>,
    size: Option<u64>,
}

fn open(name: &str) -> Result<Input, String> {
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

fn decode(name: &str, mut input: Input, format: Option<Format>) -> Result<Decoded, String> {
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

fn report_issues(decoded: &Decoded) {
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
