//! Golden test of the filter parser: every line of `tests/data/query/filters.txt` with its
//! canonical form, or its error rendered as the CLI prints it.

use expect_test::expect_file;
use flowlog_query::Filter;
use std::fmt::Write;

/// The lines of `tests/data/query/filters.txt`, comments included.
fn filter_lines() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/query/filters.txt"
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn filters_parse_or_point_at_the_problem() {
    let inputs = filter_lines();
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

/// Whether `line` reads as a filter once the names it stops at are other columns, found
/// one after another as `parse_with` stops at each: what `Filter::check` should say.
fn readable_with_some_columns(line: &str) -> Result<(), flowlog_query::FilterError> {
    let mut others: Vec<&str> = Vec::new();
    loop {
        match Filter::parse_with(line, &others) {
            Ok(_) => return Ok(()),
            Err(e) if e.expected.starts_with("a field name") => {
                let name = &line[e.start..e.end];
                assert!(
                    !others.contains(&name),
                    "{line}: {name} refused as a column"
                );
                others.push(name);
            }
            Err(e) => return Err(e),
        }
    }
}

#[test]
fn check_refuses_only_what_no_columns_could_make_readable() {
    let inputs = filter_lines();
    let (mut names_only, mut refused) = (0, 0);
    for line in inputs.lines().filter(|l| !l.starts_with('#')) {
        let expected = readable_with_some_columns(line);
        assert_eq!(Filter::check(line), expected, "{line}");
        names_only += usize::from(expected.is_ok() && Filter::parse(line).is_err());
        refused += usize::from(expected.is_err());
    }
    // The file has lines of both kinds, so that the test tells them apart.
    assert!(names_only > 0 && refused > 0, "{names_only} {refused}");
}
