//! Golden test of the filter parser: every line of `tests/data/query/filters.txt` with its
//! canonical form, or its error rendered as the CLI prints it.

use expect_test::expect_file;
use flowlog_query::Filter;
use std::fmt::Write;

#[test]
fn filters_parse_or_point_at_the_problem() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/query/filters.txt"
    );
    let inputs = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    for line in inputs.lines() {
        if line.starts_with('#') {
            continue;
        }
        writeln!(out, "> {line}").unwrap();
        match Filter::parse(line) {
            Ok(filter) => {
                let canonical = filter.to_string();
                writeln!(out, "{canonical}").unwrap();
                // The canonical form is itself a filter with the same meaning.
                let again = Filter::parse(&canonical).unwrap();
                assert_eq!(again.to_string(), canonical, "{line}");
            }
            Err(e) => writeln!(out, "error: {}", e.render(line)).unwrap(),
        }
        out.push('\n');
    }
    expect_file!["../../../../tests/data/query/filters.golden"].assert_eq(&out);
}
