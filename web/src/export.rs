//! What the page's exports contain: CSV and JSON of the current table or aggregate, and the
//! Athena and Logs Insights text of the current filter.
//!
//! Everything here is pure (strings in, strings out), so the rules that matter most are
//! tested natively: values from the logs stay text, CSV is quoted as RFC 4180 says, and the
//! numbers are the ones the page shows and `flowlens query` prints, with the same keys.
//! The browser side (Blob URLs, the clipboard) is in `components/exports.rs`.

use crate::protocol::{ConversationsView, Counts, OverviewView, RecordRow, RejectedView, TopView};
use flowlog::{Field, FieldRef, Format};
use flowlog_query::translate::{athena, insights, Aggregate, Question};
use flowlog_query::{Filter, GroupBy};
use serde_json::{json, Map, Value};

/// The most records one export holds. The worker sends them in pages; a hundred thousand
/// rows of every column make a CSV of some tens of megabytes, which a tab handles well.
/// Larger extracts are `flowlens query --records` territory.
pub const RECORDS_CAP: u64 = 100_000;

/// Records asked of the worker per request while exporting.
pub const RECORDS_PAGE: u32 = 10_000;

/// The most conversations one export holds.
pub const CONVERSATIONS_CAP: u32 = 10_000;

/// One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180), and
/// protected against formula injection.
///
/// Values in flow logs are written by whoever controls the traffic or the tags: a cell that
/// starts with `=`, `+`, `-`, `@` (or a tab or carriage return, which some spreadsheets
/// skip before reading a formula) would be run as a formula when the file is opened in a
/// spreadsheet. Such a value gets a leading `'`, the spreadsheets' own "this is text"
/// mark, so that it is shown as the text it is. No number this page exports is negative,
/// so no number is changed by this.
pub fn csv_field(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A CSV document: a header line and one line per row, lines ended with CRLF as RFC 4180
/// has it; a missing value is an empty field.
pub fn csv<I, R>(header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = Option<String>>,
{
    let mut out = String::new();
    let line = |out: &mut String, fields: Vec<String>| {
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    line(&mut out, header.iter().map(|h| csv_field(h)).collect());
    for row in rows {
        let fields = row
            .into_iter()
            .map(|v| v.as_deref().map(csv_field).unwrap_or_default())
            .collect();
        line(&mut out, fields);
    }
    out
}

/// Whether `flowlens` prints values of the field `name` as JSON numbers.
fn numeric(name: &str) -> bool {
    Field::from_name(name).is_some_and(|f| f.kind().is_numeric())
}

/// A value of the field `name` as `flowlens` prints it in JSON: a number for number and
/// time fields, text otherwise, `null` when missing. A value that does not read as a number
/// stays text rather than being lost.
fn typed(name: &str, value: Option<&str>) -> Value {
    match value {
        None => Value::Null,
        Some(v) if numeric(name) => v
            .parse::<u64>()
            .map_or_else(|_| Value::String(v.to_owned()), Value::from),
        Some(v) => Value::String(v.to_owned()),
    }
}

fn counts_json(c: &Counts) -> Value {
    json!({ "records": c[0], "bytes": c[1], "packets": c[2] })
}

/// A group's key as `flowlens query --top` prints it: one value, or a list for a pair.
fn key_json(by: &str, key: &[Option<String>]) -> Value {
    match key {
        [one] => typed(by, one.as_deref()),
        many => Value::Array(
            many.iter()
                .map(|v| v.clone().map_or(Value::Null, Value::String))
                .collect(),
        ),
    }
}

/// A top list as JSON, in the shape of `flowlens query --top`'s answer.
pub fn top_json(top: &TopView) -> Value {
    json!({
        "by": top.by,
        "groups": top.groups,
        "top": top.rows.iter().map(|row| {
            let mut object = Map::new();
            object.insert("key".into(), key_json(&top.by, &row.key));
            if let Some(label) = &row.label {
                object.insert("label".into(), Value::String(label.clone()));
            }
            object.insert("records".into(), row.counts[0].into());
            object.insert("bytes".into(), row.counts[1].into());
            object.insert("packets".into(), row.counts[2].into());
            Value::Object(object)
        }).collect::<Vec<_>>(),
        "other": counts_json(&top.other),
    })
}

const TOP_HEADER: [&str; 8] = [
    "list", "key", "key2", "label", "records", "bytes", "packets", "groups",
];

/// The rows of top lists for a CSV: one per group, then one `(other)` row per list for
/// the groups not listed.
fn top_rows(tops: &[&TopView]) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    for top in tops {
        for row in &top.rows {
            rows.push(vec![
                Some(top.by.clone()),
                row.key.first().cloned().flatten(),
                row.key.get(1).cloned().flatten(),
                row.label.clone(),
                Some(row.counts[0].to_string()),
                Some(row.counts[1].to_string()),
                Some(row.counts[2].to_string()),
                Some(top.groups.to_string()),
            ]);
        }
        rows.push(vec![
            Some(top.by.clone()),
            Some("(other)".into()),
            None,
            None,
            Some(top.other[0].to_string()),
            Some(top.other[1].to_string()),
            Some(top.other[2].to_string()),
            Some(top.groups.to_string()),
        ]);
    }
    rows
}

/// One top list as CSV: `list,key,key2,label,records,bytes,packets,groups`, `key2` being the
/// destination of a pair.
pub fn top_csv(top: &TopView) -> String {
    csv(&TOP_HEADER, top_rows(&[top]))
}

/// Every top list of the overview in one CSV, in the page's order.
pub fn overview_csv(view: &OverviewView) -> String {
    csv(&TOP_HEADER, top_rows(&view.tops.iter().collect::<Vec<_>>()))
}

/// The histogram as CSV: one line per bucket with the three measures of each action.
pub fn histogram_csv(view: &OverviewView) -> String {
    let header = [
        "start",
        "width",
        "accept_records",
        "accept_bytes",
        "accept_packets",
        "reject_records",
        "reject_bytes",
        "reject_packets",
        "none_records",
        "none_bytes",
        "none_packets",
    ];
    let rows = view.buckets.iter().map(|b| {
        let mut row = vec![Some(b.start.to_string()), Some(view.width.to_string())];
        for counts in [b.accept, b.reject, b.none] {
            row.extend(counts.iter().map(|n| Some(n.to_string())));
        }
        row
    });
    csv(&header, rows)
}

/// The whole overview as JSON: the filter, the totals, the histogram and every top list.
pub fn overview_json(view: &OverviewView, filter: &str, measure: &str) -> String {
    let t = &view.totals;
    let value = json!({
        "filter": filter,
        "measure": measure,
        "summary": {
            "records": t.records,
            "bytes": t.bytes,
            "packets": t.packets,
            "accepted": t.accepted,
            "rejected": t.rejected,
            "first_start": t.first_start,
            "last_end": t.last_end,
            "interfaces": view.interfaces,
            "attachments": view.attachments,
            "addresses": view.addresses,
        },
        "histogram": {
            "width": view.width,
            "buckets": view.buckets.iter().map(|b| json!({
                "start": b.start,
                "accept": counts_json(&b.accept),
                "reject": counts_json(&b.reject),
                "none": counts_json(&b.none),
            })).collect::<Vec<_>>(),
            "no_time": counts_json(&view.no_time),
        },
        "tops": view.tops.iter().map(top_json).collect::<Vec<_>>(),
    });
    pretty(&value)
}

/// The records as CSV: the file and line each came from, then every column.
pub fn records_csv(columns: &[String], rows: &[RecordRow], file: impl Fn(u32) -> String) -> String {
    let mut header = vec!["_file", "_line"];
    header.extend(columns.iter().map(String::as_str));
    let rows = rows.iter().map(|row| {
        let mut out = vec![Some(file(row.file)), Some(row.line.to_string())];
        out.extend(row.values.iter().cloned());
        out
    });
    csv(&header, rows)
}

/// The records as JSON, each as `flowlens query --records` prints it (numbers as numbers,
/// `null` for missing, `_file` and `_line` for where it came from).
pub fn records_json(
    filter: &str,
    sort: (&str, bool),
    matched: u64,
    columns: &[String],
    rows: &[RecordRow],
    file: impl Fn(u32) -> String,
) -> String {
    let records: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut object = Map::new();
            for (name, value) in columns.iter().zip(&row.values) {
                object.insert(name.clone(), typed(name, value.as_deref()));
            }
            object.insert("_file".into(), Value::String(file(row.file)));
            object.insert("_line".into(), row.line.into());
            Value::Object(object)
        })
        .collect();
    let order = format!("{}{}", if sort.1 { "-" } else { "" }, sort.0);
    pretty(&json!({
        "filter": filter,
        "sort": order,
        "matched": matched,
        "exported": rows.len(),
        "records": records,
    }))
}

const CONVERSATION_HEADER: [&str; 15] = [
    "protocol",
    "protocol_name",
    "a",
    "a_port",
    "b",
    "b_port",
    "service",
    "a_to_b_records",
    "a_to_b_bytes",
    "a_to_b_packets",
    "b_to_a_records",
    "b_to_a_bytes",
    "b_to_a_packets",
    "first_seen",
    "last_seen",
];

/// The conversations as CSV, largest first.
pub fn conversations_csv(view: &ConversationsView) -> String {
    let text = |n: Option<u64>| n.map(|n| n.to_string());
    let rows = view.rows.iter().map(|c| {
        let mut row = vec![
            text(c.protocol.map(u64::from)),
            c.protocol_name.clone(),
            Some(c.a.clone()),
            text(c.a_port.map(u64::from)),
            Some(c.b.clone()),
            text(c.b_port.map(u64::from)),
            c.service.clone(),
        ];
        row.extend(c.a_to_b.iter().map(|n| Some(n.to_string())));
        row.extend(c.b_to_a.iter().map(|n| Some(n.to_string())));
        row.push(text(c.first_seen));
        row.push(text(c.last_seen));
        row
    });
    csv(&CONVERSATION_HEADER, rows)
}

/// The conversations as JSON.
pub fn conversations_json(view: &ConversationsView, filter: &str, measure: &str) -> String {
    pretty(&json!({
        "filter": filter,
        "measure": measure,
        "total": view.total,
        "conversations": view.rows.iter().map(|c| json!({
            "protocol": c.protocol,
            "protocol_name": c.protocol_name,
            "a": c.a,
            "a_port": c.a_port,
            "b": c.b,
            "b_port": c.b_port,
            "service": c.service,
            "a_to_b": counts_json(&c.a_to_b),
            "b_to_a": counts_json(&c.b_to_a),
            "first_seen": c.first_seen,
            "last_seen": c.last_seen,
        })).collect::<Vec<_>>(),
    }))
}

/// The rejected-traffic lists as CSV, in the tab's order.
pub fn rejected_csv(view: &RejectedView) -> String {
    csv(&TOP_HEADER, top_rows(&view.tops.iter().collect::<Vec<_>>()))
}

/// The rejected-traffic breakdown as JSON.
pub fn rejected_json(view: &RejectedView, filter: &str, measure: &str) -> String {
    pretty(&json!({
        "filter": filter,
        "measure": measure,
        "rejected": counts_json(&view.totals),
        "tops": view.tops.iter().map(top_json).collect::<Vec<_>>(),
    }))
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// What a translation asks besides the filter: the tab's aggregate where one maps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Records, bytes and packets of what the filter keeps.
    Matched,
    /// The largest groups of a field, by a measure.
    Top {
        /// The group-by, as `flowlens query --top` names it.
        by: String,
        /// `bytes`, `packets` or `records`.
        measure: String,
        /// How many rows.
        limit: usize,
    },
}

/// The current question as Athena SQL and as a Logs Insights query, from the same typed
/// filter the worker evaluates. `header` is the layout of the loaded records as a header
/// line (Logs Insights needs it to parse a custom format); `others` are the names of the
/// loaded files' fields AWS does not document, read as text fields as the worker reads them.
pub fn translations(
    filter: &str,
    ask: &Ask,
    header: Option<&str>,
    others: &[&str],
) -> Result<(String, String), String> {
    let parsed = Filter::parse_with(filter, others).map_err(|e| e.to_string())?;
    let format = header
        .and_then(|h| Format::parse(h).ok())
        .unwrap_or_else(Format::default_v2);
    let aggregate = match ask {
        Ask::Matched => Aggregate::Matched,
        Ask::Top { by, measure, limit } => Aggregate::Top {
            by: GroupBy::from_name(by, others).ok_or_else(|| format!("unknown field `{by}`"))?,
            measure: flowlog_query::Measure::from_name(measure)
                .unwrap_or(flowlog_query::Measure::Bytes),
            limit: *limit,
        },
    };
    let question = Question {
        filter: &parsed,
        aggregate,
        format,
    };
    Ok((athena(&question, "vpc_flow_logs"), insights(&question)))
}

/// The names of `header`'s fields that AWS does not document.
pub fn unknown_fields(header: &str) -> Vec<String> {
    header
        .split_whitespace()
        .filter(|name| matches!(FieldRef::from_name(name), FieldRef::Other(_)))
        .map(str::to_owned)
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::{ConversationRow, HistRow, TopItem, Totals};

    #[test]
    fn csv_fields_are_quoted_and_formulas_stay_text() {
        assert_eq!(csv_field("10.0.0.1"), "10.0.0.1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-cmd"), "'-cmd");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(
            csv_field("<img src=x onerror=alert(1)>"),
            "<img src=x onerror=alert(1)>"
        );
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn csv_documents_end_lines_with_crlf_and_leave_missing_empty() {
        let text = csv(
            &["a", "b"],
            vec![
                vec![Some("1".to_owned()), None],
                vec![None, Some("x,y".to_owned())],
            ],
        );
        assert_eq!(text, "a,b\r\n1,\r\n,\"x,y\"\r\n");
    }

    fn top() -> TopView {
        TopView {
            by: "dstport".into(),
            rows: vec![
                TopItem {
                    key: vec![Some("22".into())],
                    label: Some("ssh".into()),
                    counts: [5, 500, 50],
                },
                TopItem {
                    key: vec![None],
                    label: None,
                    counts: [1, 0, 0],
                },
            ],
            other: [2, 20, 2],
            groups: 4,
        }
    }

    #[test]
    fn top_lists_as_csv_and_as_the_clis_json() {
        assert_eq!(
            top_csv(&top()),
            "list,key,key2,label,records,bytes,packets,groups\r\n\
             dstport,22,,ssh,5,500,50,4\r\n\
             dstport,,,,1,0,0,4\r\n\
             dstport,(other),,,2,20,2,4\r\n"
        );
        let json = top_json(&top());
        assert_eq!(json["top"][0]["key"], json!(22));
        assert_eq!(json["top"][1]["key"], Value::Null);
        assert_eq!(json["other"]["bytes"], json!(20));
        let pair = TopView {
            by: "pair".into(),
            rows: vec![TopItem {
                key: vec![Some("10.0.0.1".into()), Some("=1+1".into())],
                label: None,
                counts: [1, 2, 3],
            }],
            ..TopView::default()
        };
        assert_eq!(
            top_json(&pair)["top"][0]["key"],
            json!(["10.0.0.1", "=1+1"])
        );
        assert!(top_csv(&pair).contains("pair,10.0.0.1,'=1+1,,1,2,3,0\r\n"));
    }

    #[test]
    fn the_overview_keeps_exact_numbers() {
        let view = OverviewView {
            totals: Totals {
                records: 3,
                bytes: u64::MAX,
                ..Totals::default()
            },
            width: 60,
            buckets: vec![HistRow {
                start: 120,
                accept: [1, 2, 3],
                ..HistRow::default()
            }],
            tops: vec![top()],
            ..OverviewView::default()
        };
        let text = overview_json(&view, "dstport = 22", "bytes");
        assert!(text.contains("18446744073709551615"), "{text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value["histogram"]["buckets"][0]["accept"]["bytes"],
            json!(2)
        );
        assert_eq!(value["tops"][0]["by"], json!("dstport"));
        assert_eq!(
            histogram_csv(&view).lines().nth(1),
            Some("120,60,1,2,3,0,0,0,0,0,0")
        );
        assert!(overview_csv(&view).starts_with("list,key,"));
    }

    #[test]
    fn records_carry_every_column_as_text_or_as_the_clis_numbers() {
        let columns = vec![
            "srcaddr".to_owned(),
            "bytes".to_owned(),
            "x-note".to_owned(),
        ];
        let rows = vec![RecordRow {
            file: 1,
            line: 7,
            values: vec![
                Some("10.0.0.1".into()),
                Some("4249".into()),
                Some("<script>alert(1)</script>".into()),
            ],
        }];
        let name = |_| "a,b.log".to_owned();
        assert_eq!(
            records_csv(&columns, &rows, name),
            "_file,_line,srcaddr,bytes,x-note\r\n\"a,b.log\",7,10.0.0.1,4249,<script>alert(1)</script>\r\n"
        );
        let value: Value = serde_json::from_str(&records_json(
            "",
            ("start", false),
            9,
            &columns,
            &rows,
            name,
        ))
        .unwrap();
        let record = &value["records"][0];
        assert_eq!(record["bytes"], json!(4249));
        assert_eq!(record["srcaddr"], json!("10.0.0.1"));
        assert_eq!(record["x-note"], json!("<script>alert(1)</script>"));
        assert_eq!(record["_line"], json!(7));
        assert_eq!(value["matched"], json!(9));
        assert_eq!(value["sort"], json!("start"));
    }

    #[test]
    fn conversations_and_rejected_rows() {
        let view = ConversationsView {
            total: 1,
            rows: vec![ConversationRow {
                protocol: Some(6),
                protocol_name: Some("tcp".into()),
                a: "10.0.0.1".into(),
                a_port: Some(40000),
                b: "10.0.0.2".into(),
                b_port: Some(443),
                service: Some("https".into()),
                a_to_b: [1, 100, 2],
                b_to_a: [1, 900, 3],
                first_seen: Some(10),
                last_seen: None,
            }],
            span: None,
        };
        assert_eq!(
            conversations_csv(&view).lines().nth(1),
            Some("6,tcp,10.0.0.1,40000,10.0.0.2,443,https,1,100,2,1,900,3,10,")
        );
        let value: Value = serde_json::from_str(&conversations_json(&view, "", "bytes")).unwrap();
        assert_eq!(value["conversations"][0]["b_to_a"]["bytes"], json!(900));
        let rejected = RejectedView {
            totals: [1, 2, 3],
            tops: vec![top()],
        };
        assert!(rejected_csv(&rejected).contains("dstport,22,,ssh,5,500,50,4"));
        let value: Value = serde_json::from_str(&rejected_json(&rejected, "", "bytes")).unwrap();
        assert_eq!(value["rejected"]["packets"], json!(3));
    }

    #[test]
    fn translations_come_from_the_typed_filter() {
        let (sql, logs) = translations("dstport = ssh", &Ask::Matched, None, &[]).unwrap();
        assert!(sql.contains("dstport = 22"), "{sql}");
        assert!(logs.contains("dstPort = 22"), "{logs}");
        let (sql, logs) = translations(
            "team = red",
            &Ask::Top {
                by: "srcaddr".into(),
                measure: "packets".into(),
                limit: 10,
            },
            Some("srcaddr dstaddr bytes team"),
            &["team"],
        )
        .unwrap();
        assert!(sql.contains("LIMIT 10"), "{sql}");
        assert!(logs.starts_with("parse @message"), "{logs}");
        assert!(translations("dstport = sshh", &Ask::Matched, None, &[]).is_err());
        assert_eq!(unknown_fields("srcaddr team bytes x-y"), ["team", "x-y"]);
    }
}
