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

mod aggregates {
    use super::decode;
    use crate::reference::{self, class_of, passes, Rec, Rng};
    use flowlog_query::{Filter, GroupBy, Groups, Histogram, Measure, Selection, Summary};
    use proptest::prelude::*;
    use serde_json::{json, Value};
    use std::cmp::Ordering;
    use std::collections::{BTreeMap, BTreeSet};
    use std::net::IpAddr;

    /// Group-bys whose keys the reference can compute from a record's tokens.
    const GROUP_BYS: &[&str] = &[
        "srcaddr",
        "dstaddr",
        "pair",
        "dstport",
        "protocol",
        "interface-id",
        "action",
        "vpc-id",
        "srcaddr-class",
        "tcp-flags",
        "bytes",
        "start",
        "pkt-dstaddr",
        "log-status",
    ];

    /// The key a record has for a group-by, as the JSON the CLI prints.
    fn key(rec: &Rec, by: &str) -> Value {
        let token = |field: &str| match rec.get(field) {
            None => Value::Null,
            Some(t) if field.ends_with("addr") => json!(t.parse::<IpAddr>().unwrap().to_string()),
            Some(t) => match t.parse::<u64>() {
                Ok(n) if !field.ends_with("-id") => json!(n),
                _ => json!(t),
            },
        };
        match by {
            "pair" => json!([token("srcaddr"), token("dstaddr")]),
            "srcaddr-class" => rec
                .get("srcaddr")
                .map_or(Value::Null, |a| json!(class_of(a.parse().unwrap()))),
            field => token(field),
        }
    }

    /// Ties by key: numbers numerically, strings by code point, arrays element by
    /// element, null last.
    fn key_order(a: &Value, b: &Value) -> Ordering {
        match (a, b) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => Ordering::Greater,
            (_, Value::Null) => Ordering::Less,
            (Value::Number(a), Value::Number(b)) => a.as_u64().cmp(&b.as_u64()),
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Array(a), Value::Array(b)) => a
                .iter()
                .zip(b)
                .map(|(x, y)| key_order(x, y))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
            _ => panic!("keys of different kinds: {a} {b}"),
        }
    }

    fn counts(rec: &Rec) -> [u64; 3] {
        [
            1,
            rec.num("bytes").unwrap_or(0),
            rec.num("packets").unwrap_or(0),
        ]
    }

    fn add(a: &mut [u64; 3], b: [u64; 3]) {
        for i in 0..3 {
            a[i] = a[i].saturating_add(b[i]);
        }
    }

    fn reference_top(records: &[&Rec], by: &str, n: usize, measure: usize) -> Value {
        let mut groups: Vec<(Value, [u64; 3])> = Vec::new();
        for rec in records {
            let k = key(rec, by);
            match groups.iter_mut().find(|(g, _)| *g == k) {
                Some((_, t)) => add(t, counts(rec)),
                None => groups.push((k, counts(rec))),
            }
        }
        groups.sort_by(|a, b| b.1[measure].cmp(&a.1[measure]).then(key_order(&a.0, &b.0)));
        let mut other = [0; 3];
        for (_, t) in groups.iter().skip(n) {
            add(&mut other, *t);
        }
        let rows: Vec<Value> = groups
            .iter()
            .take(n)
            .map(|(k, t)| json!({"key": k, "records": t[0], "bytes": t[1], "packets": t[2]}))
            .collect();
        json!({"rows": rows, "other": {"records": other[0], "bytes": other[1], "packets": other[2]}, "groups": groups.len()})
    }

    fn reference_summary(records: &[&Rec]) -> Value {
        let mut totals = [0u64; 3];
        let mut by_action = BTreeMap::new();
        let mut by_status = BTreeMap::new();
        let mut interfaces = BTreeSet::new();
        let mut addresses = BTreeSet::new();
        for rec in records {
            add(&mut totals, counts(rec));
            if let Some(a) = rec.get("action") {
                *by_action.entry(a.to_owned()).or_insert(0u64) += 1;
            }
            if let Some(s) = rec.get("log-status") {
                *by_status.entry(s.to_owned()).or_insert(0u64) += 1;
            }
            if let Some(i) = rec.get("interface-id") {
                interfaces.insert(i.to_owned());
            }
            for field in ["srcaddr", "dstaddr"] {
                if let Some(a) = rec.addr(field) {
                    addresses.insert(a);
                }
            }
        }
        json!({
            "records": totals[0], "bytes": totals[1], "packets": totals[2],
            "first_start": records.iter().filter_map(|r| r.num("start")).min(),
            "last_end": records.iter().filter_map(|r| r.num("end")).max(),
            "by_action": by_action, "by_log_status": by_status,
            "interfaces": interfaces.len(), "addresses": addresses.len(),
        })
    }

    fn summary_json(s: &Summary) -> Value {
        let mut v = serde_json::to_value(s).unwrap();
        v["interfaces"] = json!(s.interfaces.len());
        v["addresses"] = json!(s.addresses.len());
        v
    }

    fn reference_histogram(records: &[&Rec], width: u64) -> Value {
        let mut buckets: BTreeMap<u64, [[u64; 3]; 3]> = BTreeMap::new();
        let mut no_time = [0; 3];
        for rec in records {
            let Some(start) = rec.num("start") else {
                add(&mut no_time, counts(rec));
                continue;
            };
            let slot = match rec.get("action") {
                Some("ACCEPT") => 0,
                Some("REJECT") => 1,
                _ => 2,
            };
            add(
                &mut buckets.entry(start - start % width).or_default()[slot],
                counts(rec),
            );
        }
        let t = |c: [u64; 3]| json!({"records": c[0], "bytes": c[1], "packets": c[2]});
        let buckets: serde_json::Map<String, Value> = buckets
            .into_iter()
            .map(|(s, b)| {
                (
                    s.to_string(),
                    json!({"accept": t(b[0]), "reject": t(b[1]), "none": t(b[2])}),
                )
            })
            .collect();
        json!({"width": width, "buckets": buckets, "no_time": t(no_time)})
    }

    /// A conversation as the reference sees it: (protocol, A, B) with A and B as
    /// (address, port), and [A→B, B→A] totals, first and last seen.
    type RefConversations = Vec<(Value, [[u64; 3]; 2], Option<u64>, Option<u64>)>;

    fn reference_conversations(records: &[&Rec]) -> RefConversations {
        let mut out: RefConversations = Vec::new();
        for rec in records {
            let src = rec.addr("pkt-srcaddr").or(rec.addr("srcaddr"));
            let dst = rec.addr("pkt-dstaddr").or(rec.addr("dstaddr"));
            let (Some(src), Some(dst)) = (src, dst) else {
                continue;
            };
            let s = (src, rec.num("srcport"));
            let d = (dst, rec.num("dstport"));
            // The client has the higher port; with equal ports, the address that prints
            // first (then the port).
            let src_is_a = match s.1.cmp(&d.1) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => (s.0.to_string(), s.1) <= (d.0.to_string(), d.1),
            };
            let (a, b) = if src_is_a { (s, d) } else { (d, s) };
            let key = json!([
                rec.num("protocol"),
                [a.0.to_string(), a.1],
                [b.0.to_string(), b.1]
            ]);
            let (start, end) = (rec.num("start"), rec.num("end"));
            let i = match out.iter().position(|c| c.0 == key) {
                Some(i) => i,
                None => {
                    out.push((key, [[0; 3]; 2], start, end));
                    out.len() - 1
                }
            };
            let c = &mut out[i];
            add(&mut c.1[if src_is_a { 0 } else { 1 }], counts(rec));
            c.2 = match (c.2, start) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            c.3 = c.3.max(end);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(120))]

        #[test]
        fn conversations_rejected_and_pages_agree_with_the_reference(seed in any::<u64>()) {
            let mut rng = Rng::new(seed);
            let (records, text) = reference::file(&mut rng, 200);
            let table = decode(&text, records.len());
            let filter = Filter::parse(&reference::filter_text(&mut rng, 1)).unwrap();
            let selection = filter.select(&table);
            let kept: Vec<(usize, &Rec)> = records
                .iter()
                .enumerate()
                .filter(|(_, r)| passes(r, filter.expr().unwrap()))
                .collect();
            let kept_recs: Vec<&Rec> = kept.iter().map(|(_, r)| *r).collect();

            let conversations = flowlog_query::Conversations::of(&table, &selection);
            let expected = reference_conversations(&kept_recs);
            prop_assert_eq!(conversations.len(), expected.len());
            let all = conversations.top(usize::MAX, Measure::Bytes);
            for (key, c) in &all {
                let got_key = json!([key.protocol, [key.a.addr.to_string(), key.a.port], [key.b.addr.to_string(), key.b.port]]);
                let found = expected.iter().find(|e| e.0 == got_key);
                prop_assert!(found.is_some(), "unexpected conversation {}", got_key);
                let found = found.unwrap();
                let t = |x: &flowlog_query::Totals| [x.records, x.bytes, x.packets];
                prop_assert_eq!([t(&c.a_to_b), t(&c.b_to_a)], found.1, "{}", got_key);
                prop_assert_eq!((c.first_seen, c.last_seen), (found.2, found.3));
            }
            // Largest first.
            prop_assert!(all.windows(2).all(|w| w[0].1.total().bytes >= w[1].1.total().bytes));

            let rejected = flowlog_query::Rejected::of(&table, &selection);
            let rejects: Vec<&Rec> = kept_recs.iter().copied().filter(|r| r.get("action") == Some("REJECT")).collect();
            prop_assert_eq!(rejected.totals.records, rejects.len() as u64);
            let top = rejected.by_port.top(3, Measure::Records);
            prop_assert_eq!(
                json!({"rows": top.rows, "other": top.other, "groups": top.groups}),
                reference_top(&rejects, "dstport", 3, 0)
            );
            let top = rejected.by_source.top(3, Measure::Bytes);
            prop_assert_eq!(
                json!({"rows": top.rows, "other": top.other, "groups": top.groups}),
                reference_top(&rejects, "srcaddr", 3, 1)
            );

            // Pages: records sort numbers numerically, text by code point, addresses as
            // numbers with IPv4 first, missing last either way, ties in table order.
            let field = *rng.pick(&["bytes", "srcaddr", "interface-id", "start", "action", "vpc-id"]);
            let descending = rng.chance(50);
            let (offset, limit) = (rng.below(30) as usize, rng.below(30) as usize);
            #[derive(PartialEq, Eq, PartialOrd, Ord)]
            enum V { Num(u64), Text(String), V4(u32), V6(u128) }
            let value = |r: &Rec| r.get(field).map(|t| match t.parse::<IpAddr>() {
                Ok(IpAddr::V4(a)) => V::V4(a.into()),
                Ok(IpAddr::V6(a)) => V::V6(a.into()),
                Err(_) => match t.parse::<u64>() {
                    Ok(n) if field != "vpc-id" && field != "interface-id" => V::Num(n),
                    _ => V::Text(t.to_owned()),
                },
            });
            let mut order: Vec<(usize, &Rec)> = kept.clone();
            order.sort_by(|(i, a), (j, b)| {
                let by_value = match (value(a), value(b)) {
                    (None, None) => Ordering::Equal,
                    (None, _) => Ordering::Greater,
                    (_, None) => Ordering::Less,
                    (Some(x), Some(y)) if descending => y.cmp(&x),
                    (Some(x), Some(y)) => x.cmp(&y),
                };
                by_value.then(i.cmp(j))
            });
            let expected: Vec<usize> = order.iter().skip(offset).take(limit).map(|(i, _)| *i).collect();
            let sort = flowlog_query::SortBy {
                field: flowlog::FieldRef::from_name(field),
                descending,
            };
            let page = flowlog_query::page(&table, &selection, &sort, offset, limit);
            prop_assert_eq!(page.matched, kept.len());
            let got: Vec<usize> = page.rows.iter().map(|(_, row)| *row).collect();
            prop_assert_eq!(got, expected, "sorted by {} descending {}", field, descending);
        }

        #[test]
        fn aggregates_agree_with_the_reference(seed in any::<u64>()) {
            let mut rng = Rng::new(seed);
            let (records, text) = reference::file(&mut rng, 200);
            let table = decode(&text, records.len());
            let filter_text = if rng.chance(30) {
                String::new()
            } else {
                reference::filter_text(&mut rng, 2)
            };
            let filter = Filter::parse(&filter_text).unwrap();
            let selection = filter.select(&table);
            let kept: Vec<&Rec> = records
                .iter()
                .filter(|r| filter.expr().is_none_or(|e| passes(r, e)))
                .collect();

            prop_assert_eq!(
                summary_json(&Summary::of_selection(&table, &selection)),
                reference_summary(&kept)
            );
            for by in GROUP_BYS {
                let group_by = GroupBy::from_name(by, &[]).unwrap();
                let groups = Groups::of(&table, &selection, &group_by);
                let n = rng.below(6) as usize;
                let (measure, index) = *rng.pick(&[
                    (Measure::Records, 0),
                    (Measure::Bytes, 1),
                    (Measure::Packets, 2),
                ]);
                let top = groups.top(n, measure);
                let got = json!({"rows": top.rows, "other": top.other, "groups": top.groups});
                prop_assert_eq!(got, reference_top(&kept, by, n, index), "top {} by {}", by, measure);
            }
            // The one-pass overview equals its parts computed one by one.
            let index = flowlog_query::TableIndex::build(&table);
            let overview = flowlog_query::Overview::of_selection(&table, &index, &selection);
            prop_assert_eq!(&overview.summary, &Summary::of_selection(&table, &selection));
            prop_assert_eq!(&overview.histogram, &Histogram::of(&table, &selection, 60));
            for (groups, field) in overview.groups.iter().zip(flowlog_query::OVERVIEW_GROUPS) {
                let by = GroupBy::Field(flowlog::FieldRef::Known(field));
                prop_assert_eq!(groups, &Groups::of(&table, &selection, &by));
            }
            // Pairs counted by the index's codes equal pairs counted by address.
            prop_assert_eq!(&overview.pairs, &Groups::of(&table, &selection, &GroupBy::Pair));

            let width = *rng.pick(&[60u64, 7, 300, 3600]);
            let histogram = Histogram::of(&table, &selection, width);
            prop_assert_eq!(serde_json::to_value(&histogram).unwrap(), reference_histogram(&kept, width));
            let max = 1 + rng.below(30);
            let coarse = histogram.coarsened(max);
            prop_assert!(coarse.buckets.len() as u64 <= max);
            prop_assert_eq!(coarse.width % width, 0);
            prop_assert_eq!(
                serde_json::to_value(&coarse).unwrap(),
                reference_histogram(&kept, coarse.width)
            );
        }

        #[test]
        fn overview_equals_its_parts_over_several_chunks(seed in any::<u64>()) {
            // Long enough for whole chunks of 1,024 rows as well as a partial one, so both
            // ways the overview reads a chunk (every row kept, or some) are checked.
            let mut rng = Rng::new(seed);
            let (records, text) = reference::file(&mut rng, 3000);
            let table = decode(&text, records.len());
            let index = flowlog_query::TableIndex::build(&table);
            let filter_text = if rng.chance(50) {
                String::new()
            } else {
                reference::filter_text(&mut rng, 2)
            };
            let selection = Filter::parse(&filter_text).unwrap().select(&table);
            let overview = flowlog_query::Overview::of_selection(&table, &index, &selection);
            prop_assert_eq!(&overview.summary, &Summary::of_selection(&table, &selection));
            prop_assert_eq!(&overview.histogram, &Histogram::of(&table, &selection, 60));
            for (groups, field) in overview.groups.iter().zip(flowlog_query::OVERVIEW_GROUPS) {
                let by = GroupBy::Field(flowlog::FieldRef::Known(field));
                let expected = Groups::of(&table, &selection, &by);
                prop_assert_eq!(groups.len(), expected.len());
                // Top lists of every length, short ones taken from the groups still by code.
                for n in [0, 1, 2, 10, 100, 5000] {
                    for measure in [Measure::Records, Measure::Bytes, Measure::Packets] {
                        prop_assert_eq!(groups.top(n, measure), expected.top(n, measure), "{:?} {} {}", field, n, measure);
                    }
                }
                prop_assert_eq!(groups, &expected);
            }
            let expected = Groups::of(&table, &selection, &GroupBy::Pair);
            for n in [0, 1, 2, 10, 100, 5000] {
                for measure in [Measure::Records, Measure::Bytes, Measure::Packets] {
                    prop_assert_eq!(overview.pairs.top(n, measure), expected.top(n, measure), "pairs {} {}", n, measure);
                }
            }
            prop_assert_eq!(&overview.pairs, &expected);
        }

        #[test]
        fn merging_two_files_equals_reading_both(seed in any::<u64>()) {
            let mut rng = Rng::new(seed);
            let (first, first_text) = reference::file(&mut rng, 120);
            let (second, second_text) = reference::file(&mut rng, 120);
            let a = decode(&first_text, first.len());
            let b = decode(&second_text, second.len());
            let both = decode(&format!("{first_text}{second_text}"), first.len() + second.len());
            let all = |t: &flowlog::FlowTable| Selection::all(t.len());

            let mut summary = Summary::of(&a);
            summary.merge(&Summary::of(&b));
            prop_assert_eq!(summary, Summary::of(&both));

            for by in GROUP_BYS {
                let by = GroupBy::from_name(by, &[]).unwrap();
                let mut groups = Groups::of(&a, &all(&a), &by);
                groups.merge(&Groups::of(&b, &all(&b), &by));
                prop_assert_eq!(groups, Groups::of(&both, &all(&both), &by));
            }

            let mut conversations = flowlog_query::Conversations::of(&a, &all(&a));
            conversations.merge(&flowlog_query::Conversations::of(&b, &all(&b)));
            prop_assert_eq!(conversations, flowlog_query::Conversations::of(&both, &all(&both)));
            let mut rejected = flowlog_query::Rejected::of(&a, &all(&a));
            rejected.merge(&flowlog_query::Rejected::of(&b, &all(&b)));
            prop_assert_eq!(rejected, flowlog_query::Rejected::of(&both, &all(&both)));

            // Overviews merge too, their groups still by code or not.
            let overview = |t: &flowlog::FlowTable| {
                let index = flowlog_query::TableIndex::build(t);
                flowlog_query::Overview::of_selection(t, &index, &all(t))
            };
            let mut merged = overview(&a);
            merged.merge(&overview(&b));
            let whole = overview(&both);
            prop_assert_eq!(&merged.summary, &whole.summary);
            prop_assert_eq!(&merged.histogram, &whole.histogram);
            for (m, w) in merged.groups.iter().zip(&whole.groups) {
                prop_assert_eq!(m.top(3, Measure::Bytes), w.top(3, Measure::Bytes));
                prop_assert_eq!(m, w);
            }
            prop_assert_eq!(merged.pairs.top(3, Measure::Bytes), whole.pairs.top(3, Measure::Bytes));
            prop_assert_eq!(&merged.pairs, &whole.pairs);
            let mut empty = flowlog_query::Overview {
                summary: Summary::default(),
                histogram: Histogram::new(60),
                groups: flowlog_query::OVERVIEW_GROUPS
                    .iter()
                    .map(|f| Groups::new(GroupBy::Field(flowlog::FieldRef::Known(*f))))
                    .collect(),
                pairs: Groups::new(GroupBy::Pair),
            };
            empty.merge(&whole);
            for (m, w) in empty.groups.iter().zip(&whole.groups) {
                prop_assert_eq!(m.top(4, Measure::Packets), w.top(4, Measure::Packets));
                prop_assert_eq!(m, w);
            }
            prop_assert_eq!(empty.pairs.top(4, Measure::Packets), whole.pairs.top(4, Measure::Packets));
            prop_assert_eq!(&empty.pairs, &whole.pairs);

            let mut histogram = Histogram::of(&a, &all(&a), 60);
            histogram.merge(&Histogram::of(&b, &all(&b), 60));
            prop_assert_eq!(&histogram, &Histogram::of(&both, &all(&both), 60));
            // Different widths merge at the wider one when one divides the other.
            let mut mixed = Histogram::of(&a, &all(&a), 60);
            mixed.merge(&Histogram::of(&b, &all(&b), 600));
            prop_assert_eq!(mixed, Histogram::of(&both, &all(&both), 600));
        }

        /// Groups keep an index from one merge to the next; this merges several files one
        /// after another, with a group-by of addresses and of pairs so that files share
        /// some keys and not others.
        #[test]
        fn merging_files_one_after_another_equals_reading_them_all(seed in any::<u64>(), files in 3usize..6) {
            let mut rng = Rng::new(seed);
            let mut texts = String::new();
            let mut lines = 0;
            let mut tables = Vec::new();
            let mut texts_of_first = None;
            for _ in 0..files {
                let (records, text) = reference::file(&mut rng, 60);
                texts_of_first.get_or_insert_with(|| text.clone());
                tables.push(decode(&text, records.len()));
                texts += &text;
                lines += records.len();
            }
            let whole = decode(&texts, lines);
            let all = |t: &flowlog::FlowTable| Selection::all(t.len());
            for by in ["srcaddr", "pair", "dstport"] {
                let by = GroupBy::from_name(by, &[]).unwrap();
                let mut merged = Groups::new(by.clone());
                for table in &tables {
                    merged.merge(&Groups::of(table, &all(table), &by));
                }
                prop_assert_eq!(&merged, &Groups::of(&whole, &all(&whole), &by));
            }
            let overview = |t: &flowlog::FlowTable| {
                let index = flowlog_query::TableIndex::build(t);
                flowlog_query::Overview::of_selection(t, &index, &all(t))
            };
            let mut merged = overview(&tables[0]);
            for table in &tables[1..] {
                merged.merge(&overview(table));
            }
            let expected = overview(&whole);
            for (m, w) in merged.groups.iter().zip(&expected.groups) {
                prop_assert_eq!(m, w);
            }
            prop_assert_eq!(&merged.pairs, &expected.pairs);
            prop_assert_eq!(merged.pairs.top(5, Measure::Bytes), expected.pairs.top(5, Measure::Bytes));
            // From the third file on, the groups merge by value; their top lists, short
            // (made from the values) and long (from every group keyed), are the whole's.
            let lists = || merged.groups.iter().zip(&expected.groups).chain([(&merged.pairs, &expected.pairs)]);
            for (m, w) in lists() {
                prop_assert_eq!(m.len(), w.len());
                for n in [0, 1, 3, 70] {
                    for measure in [Measure::Records, Measure::Bytes, Measure::Packets] {
                        prop_assert_eq!(m.top(n, measure), w.top(n, measure), "{:?} top {} {}", m.by(), n, measure);
                    }
                }
            }
            // Groups by key merged into groups by value (and the other way round) still add
            // up to the whole.
            let (first, rest) = tables.split_first().unwrap();
            for by in ["srcaddr", "pair", "dstport", "protocol", "interface-id"] {
                let by = GroupBy::from_name(by, &[]).unwrap();
                let at = flowlog_query::OVERVIEW_GROUPS.iter().position(|f| GroupBy::Field(flowlog::FieldRef::Known(*f)) == by);
                let part = |o: &flowlog_query::Overview| match at {
                    Some(at) => o.groups[at].clone(),
                    None => o.pairs.clone(),
                };
                let mut by_value = part(&overview(first));
                for table in rest {
                    by_value.merge(&part(&overview(table)));
                }
                // Two sets of parts merged by value, then merged together.
                let (left, right) = tables.split_at(tables.len() / 2 + 1);
                let halves = [left, right].map(|half| {
                    let mut merged = part(&overview(&half[0]));
                    for table in &half[1..] {
                        merged.merge(&part(&overview(table)));
                    }
                    merged
                });
                let [mut together, right] = halves;
                together.merge(&right);
                let every = Groups::of(&whole, &all(&whole), &by);
                prop_assert_eq!(&together, &every, "{:?}", by);
                prop_assert_eq!(together.top(3, Measure::Bytes), every.top(3, Measure::Bytes));
                let mut keyed = Groups::of(first, &all(first), &by);
                keyed.merge(&by_value);
                by_value.merge(&Groups::of(first, &all(first), &by));
                let twice = decode(&(texts_of_first.clone().unwrap() + &texts), lines + first.len());
                let expected = Groups::of(&twice, &all(&twice), &by);
                prop_assert_eq!(&by_value, &expected, "{:?}", by);
                prop_assert_eq!(&keyed, &expected, "{:?}", by);
            }
        }
    }
}
