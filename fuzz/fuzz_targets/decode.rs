//! Decodes arbitrary bytes whole and in chunks the fuzzer chooses, without a format and with
//! one, and checks what must hold for every input:
//!
//! 1. decoding never panics;
//! 2. chunk boundaries (and the size hint) change nothing: the whole and the chunked decode
//!    give the same dump of formats, counts, issues and every value of every row;
//! 3. counts add up: records, per-format records and table rows agree, issue counts match
//!    their kept examples, and for plain text every line is exactly one of a record, an
//!    issue, a blank line or a header line;
//! 4. every stored value is one its field allows, and excerpts carry no control characters.
//!
//! The input is `[format, n, size_1 … size_n, text …]`. `format` picks the format given on
//! the second decode (with its top bit set, the first line of the text is parsed as one, so
//! that the fuzzer can invent formats); the chunk sizes are used in turn until the text runs
//! out (a size of 0 means 256), and `n = 0` feeds the text one byte at a time. The seeds in
//! `corpus/decode` are the golden inputs of `tests/data/decode` behind such a prefix.

#![no_main]

use flowlog::issue::EXAMPLES_PER_KIND;
use flowlog::{
    DecodeOptions, Decoded, Decoder, FieldKind, FieldRef, Format, FormatSource, IssueKind, Value,
    MAX_SECONDS,
};
use libfuzzer_sys::fuzz_target;
use std::fmt::Write;

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::split(data) else {
        return;
    };
    check(&input, None);
    if let Some(format) = input.format() {
        check(&input, Some(format));
    }
});

/// The fuzz input, taken apart.
struct Input<'a> {
    format: u8,
    sizes: &'a [u8],
    text: &'a [u8],
}

impl<'a> Input<'a> {
    fn split(data: &'a [u8]) -> Option<Input<'a>> {
        let (&format, rest) = data.split_first()?;
        let (&n, rest) = rest.split_first()?;
        let n = usize::from(n % 8);
        if rest.len() < n {
            return None;
        }
        let (sizes, text) = rest.split_at(n);
        Some(Input {
            format,
            sizes,
            text,
        })
    }

    /// The format given on the second decode.
    fn format(&self) -> Option<Format> {
        if self.format & 0x80 != 0 {
            let first_line = self.text.split(|&b| b == b'\n').next()?;
            let first_line = std::str::from_utf8(first_line).ok()?;
            return Format::parse(first_line).ok();
        }
        let formats = [
            || Format::default_v2(),
            || Format::all_vpc_fields_up_to(5),
            || Format::all_vpc_fields_up_to(8),
            || Format::transit_gateway(),
            || Format::parse("version srcaddr dstaddr srcport dstport protocol action").unwrap(),
            || Format::parse("${srcaddr} ${x-custom} ${start} ${type}").unwrap(),
        ];
        Some(formats[usize::from(self.format) % formats.len()]())
    }

    /// The chunks the text is fed in.
    fn chunks(&self) -> Vec<&'a [u8]> {
        let mut chunks = Vec::new();
        let mut rest = self.text;
        let mut sizes = self.sizes.iter().cycle();
        while !rest.is_empty() {
            let size = match sizes.next() {
                None => 1,
                Some(0) => 256,
                Some(&size) => usize::from(size),
            };
            let (chunk, tail) = rest.split_at(size.min(rest.len()));
            chunks.push(chunk);
            rest = tail;
        }
        chunks
    }
}

fn check(input: &Input, format: Option<Format>) {
    let given = format.is_some();
    let whole = flowlog::decode_all(
        "fuzz.log",
        input.text,
        DecodeOptions {
            format: format.clone(),
            size_hint: Some(input.text.len() as u64),
        },
    );
    let mut decoder = Decoder::new(
        "fuzz.log",
        DecodeOptions {
            format,
            size_hint: None,
        },
    );
    for chunk in input.chunks() {
        decoder.decode(chunk);
    }
    let chunked = decoder.finish();

    let expected = dump(&whole);
    let found = dump(&chunked);
    assert!(
        expected == found,
        "chunk boundaries changed the result\n--- whole\n{expected}\n--- chunked\n{found}"
    );
    invariants(input.text, &whole, given);
    invariants(input.text, &chunked, given);
}

/// Everything a decode produced, as text, so that two decodes compare as wholes.
fn dump(decoded: &Decoded) -> String {
    let report = &decoded.report;
    let table = &decoded.table;
    let mut out = String::new();
    writeln!(out, "wrappers: {}", report.wrapper_name()).unwrap();
    for format in &report.formats {
        writeln!(
            out,
            "format {:?}: {} records: {}",
            format.source,
            format.records,
            format.format.header()
        )
        .unwrap();
    }
    writeln!(
        out,
        "records {}, header lines {}, blank lines {}, issues {}",
        report.records,
        report.header_lines,
        report.blank_lines,
        report.issues.total()
    )
    .unwrap();
    for (kind, count) in report.issues.counts() {
        writeln!(out, "{kind}: {count}").unwrap();
    }
    for row in 0..table.len() {
        write!(out, "line {}:", table.line_of(row)).unwrap();
        for field in table.format_of(row).fields() {
            write!(out, " {field}={:?}", table.value(row, field)).unwrap();
        }
        writeln!(out).unwrap();
    }
    for issue in report.issues.examples() {
        writeln!(
            out,
            "issue at {}: {} {:?}: {} | {}",
            issue.line, issue.kind, issue.field, issue.message, issue.excerpt
        )
        .unwrap();
    }
    out
}

fn invariants(text: &[u8], decoded: &Decoded, given: bool) {
    let report = &decoded.report;
    let table = &decoded.table;

    assert_eq!(report.bytes_read, text.len() as u64);
    assert_eq!(report.records, table.len() as u64, "records and table rows");
    let per_format: u64 = report.formats.iter().map(|f| f.records).sum();
    assert_eq!(per_format, report.records, "records by format and in all");
    let report_formats: Vec<&Format> = report.formats.iter().map(|f| &f.format).collect();
    let table_formats: Vec<&Format> = table.formats().iter().collect();
    assert_eq!(
        report_formats, table_formats,
        "the report's and the table's formats"
    );
    if given {
        assert!(
            !report
                .formats
                .iter()
                .any(|f| matches!(f.source, FormatSource::Guessed { .. })),
            "a layout was guessed although a format was given"
        );
        assert!(!report
            .issues
            .counts()
            .contains_key(&IssueKind::UnknownLayout));
    }

    // Counts are exact; examples are the first of each kind, up to the cap.
    let issues = &report.issues;
    assert_eq!(issues.total(), issues.counts().values().sum::<u64>());
    for (&kind, &count) in issues.counts() {
        let kept = issues.examples().iter().filter(|e| e.kind == kind).count() as u64;
        assert_eq!(
            kept,
            count.min(EXAMPLES_PER_KIND as u64),
            "examples of {kind}"
        );
    }
    assert_eq!(
        issues.examples().len() as u64,
        issues
            .counts()
            .values()
            .map(|&c| c.min(EXAMPLES_PER_KIND as u64))
            .sum::<u64>()
    );
    for issue in issues.examples() {
        assert!(
            !issue.excerpt.chars().any(char::is_control),
            "an excerpt carries a control character: {:?}",
            issue.excerpt
        );
    }

    for row in 0..table.len() {
        assert!(table.line_of(row) >= 1, "row {row} has line 0");
        for field in table.format_of(row).fields() {
            check_value(field, table.value(row, field));
        }
    }

    if plain_text(text, decoded) {
        assert!(report.wrappers.is_empty());
        let lines = memchr_count(text) + u64::from(text.last().is_some_and(|&b| b != b'\n'));
        assert_eq!(
            report.records + issues.total() + report.blank_lines + report.header_lines,
            lines,
            "every line of plain text is one record, issue, blank or header line"
        );
        let mut previous = 0;
        for row in 0..table.len() {
            let line = table.line_of(row);
            assert!(
                line > previous && line <= lines,
                "row {row} has line {line}"
            );
            previous = line;
        }
        for issue in issues.examples() {
            assert!(
                (1..=lines).contains(&issue.line),
                "issue at line {}",
                issue.line
            );
        }
    }
}

/// Whether the decoder must have read `text` as plain lines. The sniffer only looks further
/// when the text opens with gzip's magic, a JSON value (`{`, `[`), a CSV header (`@…`,
/// `timestamp,…`) or a known file type, so text without those bytes is plain.
fn plain_text(text: &[u8], decoded: &Decoded) -> bool {
    !text.starts_with(&[0x1f, 0x8b])
        && !text.iter().any(|b| b"{[@,".contains(b))
        && !decoded
            .report
            .issues
            .counts()
            .contains_key(&IssueKind::UnsupportedFile)
}

fn memchr_count(text: &[u8]) -> u64 {
    text.iter().filter(|&&b| b == b'\n').count() as u64
}

/// A stored value must be one its field allows.
fn check_value(field: &FieldRef, value: Value) {
    let kind = field.kind();
    match (kind, value) {
        (_, Value::Missing) => {}
        (FieldKind::Int { max }, Value::Int(v)) => assert!(v <= max, "{field}={v} above {max}"),
        (FieldKind::Time, Value::Int(v)) => assert!(v <= MAX_SECONDS, "{field}={v}"),
        (FieldKind::Addr, Value::Addr(_)) => {}
        (FieldKind::Enum(words), Value::Text(t)) => {
            assert!(words.contains(&t), "{field}={t:?} is not one of {words:?}")
        }
        (FieldKind::Text, Value::Text(t)) => assert!(
            !t.is_empty() && t != "-" && !t.bytes().any(|b| b.is_ascii_whitespace()),
            "{field}={t:?} is not a token"
        ),
        (kind, value) => panic!("{field} of kind {kind:?} holds {value:?}"),
    }
}
