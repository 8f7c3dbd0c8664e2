//! Golden files: every input under `tests/data/decode` is decoded and its dump (records,
//! formats, issues) compared with the `.dump` file beside it. Each input is decoded whole and
//! split at every byte offset (for small inputs) and in random chunks (for all); every way
//! must give the same dump.
//!
//! A `.format` file beside an input holds the format to give for header-less lines. Run with
//! `UPDATE_EXPECT=1` to rewrite the dumps after a deliberate change, then review the diff.

use flowlog::{decode_all, DecodeOptions, Decoded, Decoder, Format, FormatSource, Value};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/decode")
}

fn inputs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            inputs(&path, out);
        } else if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("dump" | "format" | "md")
        ) {
            out.push(path);
        }
    }
}

/// A readable, complete account of what decoding produced.
fn dump(name: &str, decoded: &Decoded) -> String {
    let report = &decoded.report;
    let table = &decoded.table;
    let mut out = String::new();
    writeln!(out, "file: {name}").unwrap();
    writeln!(out, "wrappers: {}", report.wrapper_name()).unwrap();
    for (i, format) in report.formats.iter().enumerate() {
        let source = match format.source {
            FormatSource::Header { line } => format!("header at line {line}"),
            FormatSource::Given => "given".to_owned(),
            FormatSource::Guessed { confidence } => format!("guessed, confidence {confidence:.2}"),
        };
        writeln!(
            out,
            "format {}: {} ({source}): {} records: {}",
            i + 1,
            format.format.describe(),
            format.records,
            format.format.header()
        )
        .unwrap();
    }
    if let Some(source) = &report.source {
        writeln!(out, "s3: {source:?}").unwrap();
    }
    writeln!(
        out,
        "records: {}, header lines: {}, blank lines: {}, issues: {}",
        report.records,
        report.header_lines,
        report.blank_lines,
        report.issues.total()
    )
    .unwrap();
    for (kind, count) in report.issues.counts() {
        writeln!(out, "issues of kind {kind}: {count}").unwrap();
    }
    for row in 0..table.len() {
        write!(out, "line {}:", table.line_of(row)).unwrap();
        for field in table.format_of(row).fields() {
            let value = match table.value(row, field) {
                Value::Missing => "-".to_owned(),
                Value::Int(n) => n.to_string(),
                Value::Addr(a) => a.to_string(),
                Value::Text(t) => format!("{t:?}"),
            };
            write!(out, " {field}={value}").unwrap();
        }
        writeln!(out).unwrap();
    }
    for issue in report.issues.examples() {
        let field = issue
            .field
            .as_ref()
            .map_or(String::new(), |f| format!(" [{f}]"));
        writeln!(
            out,
            "issue at {}: {}{field}: {} | {}",
            issue.line, issue.kind, issue.message, issue.excerpt
        )
        .unwrap();
    }
    out
}

fn options(path: &Path) -> DecodeOptions {
    let mut format_path = path.as_os_str().to_owned();
    format_path.push(".format");
    let format = std::fs::read_to_string(&format_path)
        .ok()
        .map(|text| Format::parse(text.trim()).expect("the .format file is valid"));
    DecodeOptions {
        format,
        size_hint: None,
    }
}

fn decode_in_pieces(name: &str, bytes: &[u8], cuts: &[usize], options: DecodeOptions) -> Decoded {
    let mut decoder = Decoder::new(name, options);
    let mut at = 0;
    for &cut in cuts {
        decoder.decode(&bytes[at..cut]);
        at = cut;
    }
    decoder.decode(&bytes[at..]);
    decoder.finish()
}

#[test]
fn golden_files() {
    let root = data_dir();
    let mut paths = Vec::new();
    inputs(&root, &mut paths);
    assert!(paths.len() >= 10, "the golden inputs are missing");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for path in &paths {
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).unwrap();
        let decoded = decode_all(name.clone(), &bytes, options(path));
        let whole = dump(&name, &decoded);

        // A table moved to another instance as its image is the same table, and an image
        // cut short anywhere is refused, never read as a smaller table.
        let image = decoded.table.to_image();
        let moved = Decoded {
            table: flowlog::FlowTable::from_image(&image).unwrap_or_else(|e| panic!("{name}: {e}")),
            report: decoded.report.clone(),
        };
        assert_eq!(
            dump(&name, &moved),
            whole,
            "{name}: the image changed the table"
        );
        for cut in (0..image.len()).step_by(image.len() / 97 + 1) {
            assert!(
                flowlog::FlowTable::from_image(&image[..cut].to_vec()).is_err(),
                "{name}: an image cut at byte {cut} was read"
            );
        }

        // The invariant of the push decoder: chunk boundaries change nothing.
        if bytes.len() <= 4096 {
            for cut in 0..=bytes.len() {
                let split = dump(
                    &name,
                    &decode_in_pieces(&name, &bytes, &[cut], options(path)),
                );
                assert_eq!(
                    split, whole,
                    "{name}: split at byte {cut} changed the result"
                );
            }
        }
        let every_byte: Vec<usize> = (1..bytes.len()).collect();
        let bytewise = dump(
            &name,
            &decode_in_pieces(&name, &bytes, &every_byte, options(path)),
        );
        assert_eq!(
            bytewise, whole,
            "{name}: byte-by-byte decoding changed the result"
        );

        let mut expected_path = path.as_os_str().to_owned();
        expected_path.push(".dump");
        let expected_path = PathBuf::from(expected_path);
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != whole {
            if update {
                std::fs::write(&expected_path, &whole).unwrap();
            } else {
                failures.push(format!(
                    "{name}: the dump differs from {}\n--- expected\n{expected}\n--- got\n{whole}",
                    expected_path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
