//! Property tests: values land in their own columns whatever the layout, and chunk
//! boundaries change nothing.
//!
//! The reference for each value is the value the test wrote into the line, never the
//! decoder's own output.

use flowlog::{decode_all, DecodeOptions, Decoder, Field, FieldKind, FieldRef, Format, Value};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A value the test writes, and what reading it back must give.
#[derive(Clone, Debug)]
enum Written {
    Missing,
    Int(u64),
    /// Written in milliseconds; must read back as these seconds.
    Millis(u64),
    Addr(IpAddr),
    Text(String),
}

impl Written {
    fn token(&self) -> String {
        match self {
            Written::Missing => "-".into(),
            Written::Int(n) => n.to_string(),
            Written::Millis(s) => (s * 1000 + 123).to_string(),
            Written::Addr(a) => a.to_string(),
            Written::Text(t) => t.clone(),
        }
    }

    fn matches(&self, value: Value<'_>) -> bool {
        match (self, value) {
            (Written::Missing, Value::Missing) => true,
            (Written::Int(a), Value::Int(b)) => *a == b,
            (Written::Millis(a), Value::Int(b)) => *a == b,
            (Written::Addr(a), Value::Addr(b)) => *a == b,
            (Written::Text(a), Value::Text(b)) => a == b,
            _ => false,
        }
    }
}

fn value_for(kind: FieldKind) -> BoxedStrategy<Written> {
    let present = match kind {
        FieldKind::Int { max } => (0..=max).prop_map(Written::Int).boxed(),
        FieldKind::Time => prop_oneof![
            (0u64..(1 << 31)).prop_map(Written::Int),
            (1_000_000_000u64..2_000_000_000).prop_map(Written::Millis),
        ]
        .boxed(),
        FieldKind::Addr => prop_oneof![
            any::<u32>().prop_map(|w| Written::Addr(IpAddr::V4(Ipv4Addr::from(w)))),
            any::<u128>().prop_map(|w| Written::Addr(IpAddr::V6(Ipv6Addr::from(w)))),
        ]
        .boxed(),
        FieldKind::Enum(words) => proptest::sample::select(words.to_vec())
            .prop_map(|w| Written::Text(w.to_owned()))
            .boxed(),
        FieldKind::Text => "[a-zA-Z0-9%:/._-]{2,12}|[éü東京]{1,3}"
            .prop_map(Written::Text)
            .boxed(),
    };
    prop_oneof![1 => Just(Written::Missing), 6 => present].boxed()
}

/// A random layout: a subset of the known fields in random order, sometimes with an unknown
/// field name among them.
fn layout() -> impl Strategy<Value = Vec<FieldRef>> {
    let known: Vec<FieldRef> = Field::ALL.iter().map(|f| FieldRef::Known(*f)).collect();
    (
        proptest::sample::subsequence(known, 1..20),
        any::<bool>(),
        any::<proptest::sample::Index>(),
    )
        .prop_flat_map(|(fields, extra, at)| {
            let mut fields = fields;
            if extra {
                let at = at.index(fields.len() + 1);
                fields.insert(at, FieldRef::Other("my-extra-field".into()));
            }
            Just(fields).prop_shuffle()
        })
}

fn rows_for(fields: Vec<FieldRef>) -> impl Strategy<Value = (Vec<FieldRef>, Vec<Vec<Written>>)> {
    let row: Vec<BoxedStrategy<Written>> = fields.iter().map(|f| value_for(f.kind())).collect();
    (Just(fields), proptest::collection::vec(row, 1..20))
}

fn text_of(fields: &[FieldRef], rows: &[Vec<Written>], separator: &str) -> String {
    let header: Vec<&str> = fields.iter().map(FieldRef::name).collect();
    let mut text = header.join(" ") + "\n";
    for row in rows {
        let tokens: Vec<String> = row.iter().map(Written::token).collect();
        text += &tokens.join(separator);
        text += "\n";
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every value comes back from its own column, in any layout.
    #[test]
    fn values_land_in_their_own_columns(
        (fields, rows) in layout().prop_flat_map(rows_for),
        separator in prop_oneof![Just(" "), Just("  "), Just("\t"), Just(" \t ")],
    ) {
        let text = text_of(&fields, &rows, separator);
        let decoded = decode_all("p.log", text.as_bytes(), DecodeOptions::default());
        prop_assert_eq!(decoded.report.issues.total(), 0, "{:?}", decoded.report.issues.examples());
        prop_assert_eq!(decoded.table.len(), rows.len());
        for (r, row) in rows.iter().enumerate() {
            prop_assert_eq!(decoded.table.line_of(r), r as u64 + 2);
            for (field, written) in fields.iter().zip(row) {
                let value = decoded.table.value(r, field);
                prop_assert!(written.matches(value), "row {r} {field}: wrote {written:?}, read {value:?}");
            }
        }
    }

    /// A line with one field too many or too few is an issue, and the lines around it
    /// still parse.
    #[test]
    fn a_wrong_field_count_is_reported_not_shifted(
        (fields, rows) in layout().prop_flat_map(rows_for),
        extra in any::<bool>(),
        at in any::<proptest::sample::Index>(),
    ) {
        // With one field, a line without its last token is a blank line, not a record.
        prop_assume!(fields.len() >= 2);
        let mut text = text_of(&fields, &rows, " ");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let broken = 1 + at.index(rows.len());
        if extra {
            lines[broken] += " 7";
        } else {
            let cut = lines[broken].rfind(' ').unwrap_or(0);
            lines[broken].truncate(cut);
        }
        text = lines.join("\n") + "\n";
        let decoded = decode_all("p.log", text.as_bytes(), DecodeOptions::default());
        prop_assert_eq!(decoded.report.issues.total(), 1);
        prop_assert_eq!(decoded.report.issues.examples()[0].line, broken as u64 + 1);
        prop_assert_eq!(decoded.table.len(), rows.len() - 1);
    }

    /// Chunk boundaries change nothing, including inside gzip blocks.
    #[test]
    fn chunking_changes_nothing(
        seed in 0u64..1000,
        gzip in any::<bool>(),
        cuts in proptest::collection::vec(1usize..5000, 0..30),
    ) {
        let options = flowlog_gen::Options {
            records: 300,
            seed,
            compression: if gzip {
                flowlog_gen::Compression::Gzip
            } else {
                flowlog_gen::Compression::None
            },
            ..Default::default()
        };
        let mut bytes = Vec::new();
        flowlog_gen::generate(&options, &mut bytes).unwrap();
        let whole = decode_all("g.log", &bytes, DecodeOptions::default());
        let mut decoder = Decoder::new("g.log", DecodeOptions::default());
        let mut at = 0;
        for cut in cuts {
            let end = (at + cut).min(bytes.len());
            decoder.decode(&bytes[at..end]);
            at = end;
        }
        decoder.decode(&bytes[at..]);
        let chunked = decoder.finish();
        prop_assert_eq!(chunked.table.len(), whole.table.len());
        let format = Format::default_v2();
        for row in 0..whole.table.len() {
            for field in format.fields() {
                prop_assert_eq!(chunked.table.value(row, field), whole.table.value(row, field));
            }
        }
    }
}

/// A gzip file's content inflated elsewhere (as the page does with the browser's own
/// inflater) decodes to exactly what the decoder makes of the compressed file: the same
/// values, issues, layouts and wrapper, whatever the chunks.
#[test]
fn content_inflated_elsewhere_decodes_as_the_gzip_file_does() {
    use std::io::Write;
    let options = flowlog_gen::Options {
        records: 2_000,
        seed: 11,
        ..Default::default()
    };
    let mut text = Vec::new();
    flowlog_gen::generate(&options, &mut text).unwrap();
    // Lines the decoder reports, so that issues and their line numbers are compared too.
    text.extend_from_slice(
        b"2 123456789010 eni-1 10.0.0.1 10.0.0.2 99999 22 6 1 1 1 2 ACCEPT OK\n",
    );
    text.extend_from_slice(b"not a flow log line\n");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&text).unwrap();
    let gzip = encoder.finish().unwrap();

    let expected = decode_all("g.log.gz", &gzip, DecodeOptions::default());
    assert_eq!(expected.report.wrapper_name(), "gzip");
    assert_eq!(expected.report.issues.total(), 2);
    for cut in [1_000, 65_536, text.len()] {
        let options = DecodeOptions {
            size_hint: Some(text.len() as u64),
            ..Default::default()
        };
        let mut decoder = Decoder::of_inflated("g.log.gz", options);
        for chunk in text.chunks(cut) {
            decoder.decode(chunk);
        }
        let got = decoder.finish();
        assert_eq!(got.report.wrapper_name(), "gzip", "chunks of {cut}");
        assert_eq!(
            got.report.records, expected.report.records,
            "chunks of {cut}"
        );
        assert_eq!(got.report.header_lines, expected.report.header_lines);
        assert_eq!(got.report.issues.counts(), expected.report.issues.counts());
        let lines = |d: &flowlog::Decoded| -> Vec<(u64, String)> {
            let issues = d.report.issues.examples().iter();
            issues.map(|i| (i.line, i.message.clone())).collect()
        };
        assert_eq!(lines(&got), lines(&expected), "chunks of {cut}");
        assert_eq!(got.report.formats.len(), expected.report.formats.len());
        assert_eq!(got.table.len(), expected.table.len());
        let format = Format::default_v2();
        for row in 0..expected.table.len() {
            for field in format.fields() {
                assert_eq!(
                    got.table.value(row, field),
                    expected.table.value(row, field)
                );
            }
        }
    }
}

/// The decoder's totals equal what the generator says it wrote, in every layout and
/// wrapper the generator makes. The generator is an independent implementation.
#[test]
fn generated_files_decode_to_the_generators_totals() {
    use flowlog_gen::{Compression, Layout};
    let layouts = [
        Layout::default_v2(),
        Layout::custom_v5(),
        Layout::all_v5(),
        Layout::transit_gateway(),
    ];
    let compressions = [
        Compression::None,
        Compression::Gzip,
        Compression::GzipMembers {
            records_per_member: 777,
        },
    ];
    for layout in &layouts {
        for header in [true, false] {
            for compression in compressions {
                let options = flowlog_gen::Options {
                    records: 5_000,
                    layout: layout.clone(),
                    header,
                    compression,
                    seed: 7,
                    ..Default::default()
                };
                let mut bytes = Vec::new();
                let expected = flowlog_gen::generate(&options, &mut bytes).unwrap();
                let what = format!("{} header={header} {compression:?}", layout.header());
                let decoded = decode_all("g", &bytes, DecodeOptions::default());
                if !header && *layout == Layout::custom_v5() {
                    // A custom order without a header cannot be told from the values alone:
                    // every line must be reported, none guessed into columns.
                    assert_eq!(decoded.table.len(), 0, "{what}");
                    let unknown =
                        decoded.report.issues.counts()[&flowlog::IssueKind::UnknownLayout];
                    assert_eq!(unknown, expected.records, "{what}");
                    continue;
                }
                assert_eq!(decoded.report.issues.total(), 0, "{what}");
                let table = &decoded.table;
                let sum = |field: Field| -> u64 {
                    let column = table.int(field).unwrap();
                    (0..table.len()).filter_map(|r| column.get(r)).sum()
                };
                let count = |field: Field, word: &str| -> u64 {
                    let field = FieldRef::Known(field);
                    (0..table.len())
                        .filter(|&r| table.value(r, &field) == Value::Text(word))
                        .count() as u64
                };
                assert_eq!(table.len() as u64, expected.records, "{what}");
                assert_eq!(sum(Field::Bytes), expected.bytes, "{what}");
                assert_eq!(sum(Field::Packets), expected.packets, "{what}");
                assert_eq!(count(Field::LogStatus, "NODATA"), expected.nodata, "{what}");
                assert_eq!(
                    count(Field::LogStatus, "SKIPDATA"),
                    expected.skipdata,
                    "{what}"
                );
                if layout.fields().iter().any(|f| f.name() == "action") {
                    assert_eq!(count(Field::Action, "REJECT"), expected.rejected, "{what}");
                }
            }
        }
    }
}
