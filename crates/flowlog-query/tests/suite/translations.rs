//! Golden test of the Athena and Logs Insights translations.

use expect_test::expect_file;
use flowlog::Format;
use flowlog_query::translate::{athena, insights, Aggregate, Question};
use flowlog_query::{Filter, GroupBy, Measure};
use std::fmt::Write;

#[test]
fn translations_of_filters_and_aggregates() {
    let top = |by: &str, measure, limit| Aggregate::Top {
        by: GroupBy::from_name(by, &[]).unwrap(),
        measure,
        limit,
    };
    let custom = Format::parse(
        "version srcaddr dstaddr srcport dstport protocol packets bytes start end action \
         tcp-flags pkt-srcaddr pkt-dstaddr interface-id vpc-id log-status",
    )
    .unwrap();
    let cases = [
        ("", Aggregate::Matched, Format::default_v2()),
        ("dstport = ssh", Aggregate::Matched, Format::default_v2()),
        (
            "action = REJECT and not srcaddr is private",
            top("srcaddr", Measure::Records, 10),
            Format::default_v2(),
        ),
        (
            "not (action = ACCEPT) or port != 443",
            top("dstport", Measure::Bytes, 5),
            Format::default_v2(),
        ),
        (
            "srcaddr in (10.0.0.0/8, 2001:db8::/32, 192.168.1.1) and protocol in (tcp, udp)",
            top("pair", Measure::Packets, 3),
            Format::default_v2(),
        ),
        (
            "time in 2026-11-20T10:00Z..2026-11-20T11:00Z and addr is public",
            Aggregate::Histogram { width: 300 },
            Format::default_v2(),
        ),
        (
            "tcp-flags has syn and vpc-id endswith prod and interface-id startswith 'eni-0a'",
            top("pkt-dstaddr", Measure::Bytes, 10),
            custom.clone(),
        ),
        (
            "interface-id contains \"b8c\" and log-status is present and srcport is missing",
            top("dstaddr-class", Measure::Bytes, 10),
            custom,
        ),
    ];
    let mut out = String::new();
    for (filter, aggregate, format) in cases {
        let parsed = Filter::parse(filter).unwrap();
        let question = Question {
            filter: &parsed,
            aggregate: aggregate.clone(),
            format,
        };
        writeln!(out, "> filter: {filter}\n> aggregate: {aggregate:?}\n").unwrap();
        writeln!(out, "-- Athena\n{}", athena(&question, "vpc_flow_logs")).unwrap();
        writeln!(out, "# Logs Insights\n{}", insights(&question)).unwrap();
    }
    expect_file!["../../../../tests/data/query/translations.golden"].assert_eq(&out);
}
