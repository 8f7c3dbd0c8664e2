//! The worker's answers: a [`Query`] over every loaded table, merged, as a small view model.
//!
//! Each table is filtered and aggregated on its own and the parts are merged, which is how
//! the engine's aggregates are meant to be used (dictionaries differ between files, so keys
//! become values before merging). The answer holds only what the page draws: totals, a
//! histogram coarsened to fit, and short top lists, so that it crosses to the page in
//! microseconds whatever the size of the data.
//!
//! Clicking a bar turns its key back into a filter condition ([`condition`]), in the same
//! language the user types, so that a click and typed text mean the same thing.

use crate::protocol::{
    Answer, Counts, FilterProblem, HistRow, OverviewView, Query, TopItem, TopView, Totals,
};
use flowlog::{Field, FieldRef, FlowTable};
use flowlog_query::{
    Filter, GroupBy, Groups, Histogram, Key, Measure, Summary, Totals as Sums, BASE_WIDTH,
};

/// The top lists of the overview, by their `flowlens query --top` names, in the order the
/// page shows them.
pub const TOP_LISTS: [&str; 6] = [
    "srcaddr",
    "dstaddr",
    "pair",
    "dstport",
    "protocol",
    "interface-id",
];

/// Answers `query` over `tables`.
pub fn answer<'a>(tables: impl IntoIterator<Item = &'a FlowTable>, query: &Query) -> Answer {
    let filter = match Filter::parse(&query.filter) {
        Ok(filter) => filter,
        Err(error) => {
            let chars = |byte: usize| query.filter.get(..byte).map_or(byte, |s| s.chars().count());
            return Answer::BadFilter(FilterProblem {
                start: chars(error.start),
                end: chars(error.end),
                message: format!("expected {}, found {}", error.expected, error.found),
            });
        }
    };
    let measure = Measure::from_name(&query.measure).unwrap_or(Measure::Bytes);
    let bys: Vec<GroupBy> = TOP_LISTS
        .iter()
        .map(|name| GroupBy::from_name(name, &[]).expect("the top lists name known fields"))
        .collect();
    let mut summary = Summary::default();
    let mut histogram = Histogram::new(BASE_WIDTH);
    let mut groups: Vec<Groups> = bys.iter().cloned().map(Groups::new).collect();
    for table in tables {
        let selection = filter.select(table);
        summary.merge(&Summary::of_selection(table, &selection));
        histogram.merge(&Histogram::of(table, &selection, BASE_WIDTH));
        for (all, by) in groups.iter_mut().zip(&bys) {
            all.merge(&Groups::of(table, &selection, by));
        }
    }
    let histogram = histogram.coarsened(u64::from(query.buckets.max(1)));
    let counts = |t: &Sums| [t.records, t.bytes, t.packets];
    Answer::Overview(OverviewView {
        totals: Totals::of(&summary),
        interfaces: summary.interfaces.len() as u64,
        addresses: summary.addresses.len() as u64,
        width: histogram.width,
        buckets: histogram
            .buckets
            .iter()
            .map(|(start, b)| HistRow {
                start: *start,
                accept: counts(&b.accept),
                reject: counts(&b.reject),
                none: counts(&b.none),
            })
            .collect(),
        no_time: counts(&histogram.no_time),
        tops: groups
            .iter()
            .map(|g| {
                let top = g.top(query.top.max(1) as usize, measure);
                TopView {
                    by: g.by().name(),
                    rows: top
                        .rows
                        .iter()
                        .map(|row| TopItem {
                            key: values(&row.key),
                            label: g.by().label(&row.key).map(str::to_owned),
                            counts: [row.records, row.bytes, row.packets],
                        })
                        .collect(),
                    other: counts(&top.other),
                    groups: top.groups as u64,
                }
            })
            .collect(),
    })
}

/// A key as the values `flowlens query` prints: one, or two for a pair.
fn values(key: &Key) -> Vec<Option<String>> {
    match key {
        Key::Pair(pair) => vec![value(&pair.0), value(&pair.1)],
        key => vec![value(key)],
    }
}

fn value(key: &Key) -> Option<String> {
    match key {
        Key::Null => None,
        key => Some(key.to_string()),
    }
}

/// The filter condition that keeps a top list's group (`exclude`: that drops it), in the
/// filter language: `dstport = 22`, `srcaddr = 10.0.0.1 and dstaddr = 10.0.0.2`,
/// `interface-id is missing`.
pub fn condition(by: &str, key: &[Option<String>], exclude: bool) -> String {
    let fields: Vec<&str> = if by == "pair" {
        vec!["srcaddr", "dstaddr"]
    } else {
        vec![by]
    };
    let parts: Vec<String> = fields
        .iter()
        .zip(key)
        .map(|(field, value)| match value {
            None => format!("{field} is missing"),
            Some(value) => format!("{field} = {}", quote(value)),
        })
        .collect();
    let all = parts.join(" and ");
    match (exclude, parts.len()) {
        (false, _) => all,
        (true, 1) => format!("not {all}"),
        (true, _) => format!("not ({all})"),
    }
}

/// A value as the filter language reads it: bare when it is one plain token, else quoted.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '_' | '-' | '/'));
    if plain {
        value.to_owned()
    } else if !value.contains('\'') {
        format!("'{value}'")
    } else {
        format!("\"{value}\"")
    }
}

/// The field of a top list, where it is one field.
pub fn field_of(by: &str) -> Option<FieldRef> {
    Field::from_name(by).map(FieldRef::Known)
}

/// Adds `b` to `a`.
pub fn add(a: &mut Counts, b: &Counts) {
    for (x, y) in a.iter_mut().zip(b) {
        *x = x.saturating_add(*y);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use flowlog::{DecodeOptions, Decoder};

    const LOG: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 1 eni-a 10.0.0.1 10.0.0.2 40000 22 6 5 500 1795161600 1795161660 REJECT OK
2 1 eni-a 10.0.0.1 10.0.0.2 40001 22 6 5 300 1795161700 1795161760 REJECT OK
2 1 eni-b 10.0.0.3 8.8.8.8 40002 443 6 9 900 1795165200 1795165260 ACCEPT OK
2 1 eni-b - - - - - - - 1795165200 1795165260 - NODATA
";

    fn table(text: &str) -> FlowTable {
        let mut decoder = Decoder::new("t.log", DecodeOptions::default());
        decoder.decode(text.as_bytes());
        decoder.finish().table
    }

    fn overview(tables: &[FlowTable], filter: &str) -> OverviewView {
        let query = Query {
            filter: filter.into(),
            measure: "bytes".into(),
            top: 10,
            buckets: 100,
        };
        match answer(tables, &query) {
            Answer::Overview(view) => view,
            Answer::BadFilter(problem) => panic!("{problem:?}"),
        }
    }

    #[test]
    fn files_merge_into_one_answer() {
        let tables = [table(LOG), table(LOG)];
        let view = overview(&tables, "");
        assert_eq!(view.totals.records, 8);
        assert_eq!(view.totals.bytes, 3400);
        assert_eq!(view.totals.rejected, 4);
        assert_eq!(view.interfaces, 2);
        assert_eq!(view.addresses, 4);
        let dstport = &view.tops[3];
        assert_eq!(dstport.by, "dstport");
        assert_eq!(dstport.rows[0].key, [Some("443".to_owned())]);
        assert_eq!(dstport.rows[0].label.as_deref(), Some("https"));
        assert_eq!(dstport.rows[1].counts, [4, 1600, 20]);
        let pair = &view.tops[2];
        assert_eq!(pair.by, "pair");
        assert_eq!(pair.rows[1].key.len(), 2);
        let in_buckets: u64 = view
            .buckets
            .iter()
            .map(|b| b.accept[0] + b.reject[0] + b.none[0])
            .sum();
        assert_eq!(in_buckets + view.no_time[0], 8);
    }

    #[test]
    fn a_click_means_what_typing_means() {
        let tables = [table(LOG)];
        let all = overview(&tables, "");
        for top in &all.tops {
            for row in &top.rows {
                let only = overview(&tables, &condition(&top.by, &row.key, false));
                assert_eq!(
                    only.totals.records, row.counts[0],
                    "{} {:?}",
                    top.by, row.key
                );
                let without = overview(&tables, &condition(&top.by, &row.key, true));
                assert_eq!(
                    without.totals.records + row.counts[0],
                    all.totals.records,
                    "{} {:?}",
                    top.by,
                    row.key
                );
            }
        }
    }

    #[test]
    fn a_bad_filter_says_where_in_characters() {
        let query = Query {
            filter: "srcaddr = é and dstport = sshh".into(),
            ..Query::default()
        };
        let Answer::BadFilter(problem) = answer(&[table(LOG)], &query) else {
            panic!("the filter should not read");
        };
        assert_eq!(problem.start, 10);
        assert!(
            problem.message.starts_with("expected"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(quote("eni-0a1b"), "eni-0a1b");
        assert_eq!(quote("2001:db8::1"), "2001:db8::1");
        assert_eq!(quote("my tag"), "'my tag'");
        assert_eq!(quote("it's"), "\"it's\"");
    }
}
