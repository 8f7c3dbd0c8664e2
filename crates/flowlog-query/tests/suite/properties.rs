//! Property tests: every filter and aggregate against the naive model in `reference`, on
//! random files with missing values, both address families and two layouts.

use crate::reference::{self, passes, Rng};
use flowlog::{decode_all, DecodeOptions, FlowTable};
use flowlog_query::Filter;
use proptest::prelude::*;

/// Decodes generated text, checking that every line became a record.
pub fn decode(text: &str, records: usize) -> FlowTable {
    let decoded = decode_all("test.log", text.as_bytes(), DecodeOptions::default());
    assert_eq!(
        decoded.report.issues.total(),
        0,
        "{:?}",
        decoded.report.issues
    );
    assert_eq!(decoded.table.len(), records);
    decoded.table
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn filters_select_what_the_reference_selects(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let (records, text) = reference::file(&mut rng, 150);
        let table = decode(&text, records.len());
        for _ in 0..20 {
            let text = reference::filter_text(&mut rng, 3);
            let filter = Filter::parse(&text).unwrap_or_else(|e| panic!("{}", e.render(&text)));
            let expr = filter.expr().unwrap();
            let selection = filter.select(&table);
            for (row, rec) in records.iter().enumerate() {
                prop_assert_eq!(
                    selection.contains(row),
                    passes(rec, expr),
                    "filter `{}` on row {}: {:?}", text, row, rec
                );
            }
            prop_assert_eq!(
                selection.count(),
                records.iter().filter(|r| passes(r, expr)).count()
            );
        }
    }
}
