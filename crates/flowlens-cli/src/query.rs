//! `flowlens query`: filters and aggregates over every file, printed as one JSON object.
//!
//! Each file is decoded, answered and dropped before the next is read; the answers are
//! merged (every aggregate in flowlog-query is mergeable), so memory holds one table at a
//! time however many files are named.

use crate::{decode, open, report_issues, write_error, Args};
use flowlog::FlowTable;
use flowlog_query::{Filter, FilterError, GroupBy, Groups, Histogram, Measure, Summary, Totals};
use serde_json::{json, Map, Value as Json};
use std::io::{self, BufWriter, Write};

/// The switches of `flowlens query`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    filter: Option<String>,
    top: Option<String>,
    measure: Measure,
    limit: Option<usize>,
    summary: bool,
    histogram: Option<Width>,
    conversations: bool,
    rejected: bool,
    records: Option<usize>,
    sort: Option<String>,
    /// `athena` or `insights`.
    pub translation: Option<String>,
}

/// A histogram's bucket width: chosen, or picked from the data.
#[derive(Clone, Copy, Debug)]
enum Width {
    Auto,
    Seconds(u64),
}

/// Buckets an automatic histogram aims at, at most.
const AUTO_BUCKETS: u64 = 120;

impl Options {
    /// Whether `--name` is a query switch.
    pub fn takes(name: &str) -> bool {
        matches!(
            name,
            "filter"
                | "top"
                | "by"
                | "limit"
                | "summary"
                | "histogram"
                | "conversations"
                | "rejected"
                | "records"
                | "sort"
                | "as"
        )
    }

    /// Whether `--name` is followed by a value.
    pub fn needs_value(name: &str) -> bool {
        !matches!(name, "summary" | "conversations" | "rejected")
    }

    /// Records one switch.
    pub fn set(&mut self, name: &str, value: Option<String>) -> Result<(), String> {
        let value = value.unwrap_or_default();
        match name {
            "filter" => self.filter = Some(value),
            "top" => self.top = Some(value),
            "by" => {
                self.measure = Measure::from_name(&value).ok_or_else(|| {
                    format!("--by: expected bytes, packets or records, found `{value}`")
                })?
            }
            "limit" => {
                self.limit =
                    Some(value.parse().map_err(|_| {
                        format!("--limit: expected a whole number, found `{value}`")
                    })?)
            }
            "summary" => self.summary = true,
            "histogram" => self.histogram = Some(width(&value)?),
            "conversations" => self.conversations = true,
            "rejected" => self.rejected = true,
            "records" => {
                self.records = Some(value.parse().map_err(|_| {
                    format!("--records: expected the offset of the first record, found `{value}`")
                })?)
            }
            "sort" => self.sort = Some(value),
            "as" => match value.as_str() {
                "athena" | "insights" => self.translation = Some(value),
                _ => {
                    return Err(format!(
                        "--as: expected athena or insights, found `{value}`"
                    ))
                }
            },
            _ => unreachable!("Options::takes lists every switch"),
        }
        Ok(())
    }

    fn limit(&self) -> usize {
        self.limit.unwrap_or(10)
    }
}

fn width(text: &str) -> Result<Width, String> {
    if text.eq_ignore_ascii_case("auto") {
        return Ok(Width::Auto);
    }
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => 0,
    };
    match digits.parse::<u64>() {
        Ok(n) if n > 0 && scale > 0 => Ok(Width::Seconds(n * scale)),
        _ => Err(format!(
            "--histogram: expected `auto` or a width such as 300, 5m, 1h or 1d, found `{text}`"
        )),
    }
}

fn filter_error(text: &str, error: &FilterError) -> String {
    format!("--filter: {}", error.render(text))
}

/// The answers so far, merged file by file.
struct Answers {
    matched: Totals,
    summary: Option<Summary>,
    top: Option<Groups>,
    histogram: Option<Histogram>,
}

/// Runs `flowlens query`.
pub fn run(args: &Args) -> Result<(), String> {
    let options = &args.query;
    let filter_text = options.filter.clone().unwrap_or_default();
    // Checked before any file is read, so that a typo fails at once. A name the AWS table
    // does not know may still be a column of the files; that is settled once they are read.
    let early = Filter::parse(&filter_text);
    let group_by = options
        .top
        .as_ref()
        .map(|name| GroupBy::from_name(name, &[]));
    let mut inputs = Vec::new();
    for name in &args.files {
        inputs.push(open(name)?);
    }
    let mut answers = Answers {
        matched: Totals::default(),
        summary: options.summary.then(Summary::default),
        top: None,
        histogram: None,
    };
    let filter = early.as_ref().ok().cloned();
    for (name, input) in args.files.iter().zip(inputs) {
        let decoded = decode(name, input, args.format.clone())?;
        report_issues(&decoded);
        let table = &decoded.table;
        let others: Vec<&str> = table.other_columns().map(|(n, _)| n).collect();
        let filter = match &filter {
            Some(f) => f.clone(),
            None => Filter::parse_with(&filter_text, &others)
                .map_err(|e| filter_error(&filter_text, &e))?,
        };
        let by = match (&group_by, &options.top) {
            (Some(Some(by)), _) => Some(by.clone()),
            (Some(None), Some(name)) => {
                Some(GroupBy::from_name(name, &others).ok_or_else(|| {
                    format!(
                        "--top: expected a field name, `pair`, or an address field followed by \
                     `-class`, found `{name}`"
                    )
                })?)
            }
            _ => None,
        };
        answer(table, &filter, by.as_ref(), options, &mut answers);
    }
    if let Err(error) = &early {
        if args.files.is_empty() {
            return Err(filter_error(&filter_text, error));
        }
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut out, &to_json(&answers, options))
        .map_err(io::Error::from)
        .map_err(write_error)?;
    writeln!(out)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

fn answer(
    table: &FlowTable,
    filter: &Filter,
    by: Option<&GroupBy>,
    options: &Options,
    answers: &mut Answers,
) {
    let selection = filter.select(table);
    answers.matched.merge(&Totals::of(table, &selection));
    if let Some(summary) = &mut answers.summary {
        summary.merge(&Summary::of_selection(table, &selection));
    }
    if let Some(by) = by {
        let groups = Groups::of(table, &selection, by);
        match &mut answers.top {
            Some(top) => top.merge(&groups),
            None => answers.top = Some(groups),
        }
    }
    if let Some(width) = options.histogram {
        let seconds = match width {
            Width::Auto => flowlog_query::BASE_WIDTH,
            Width::Seconds(s) => s,
        };
        let histogram = Histogram::of(table, &selection, seconds);
        match &mut answers.histogram {
            Some(h) => h.merge(&histogram),
            None => answers.histogram = Some(histogram),
        }
    }
}

fn totals(t: &Totals) -> Json {
    json!({"records": t.records, "bytes": t.bytes, "packets": t.packets})
}

fn to_json(answers: &Answers, options: &Options) -> Json {
    let mut object = Map::new();
    object.insert("matched".into(), totals(&answers.matched));
    if let Some(s) = &answers.summary {
        object.insert(
            "summary".into(),
            json!({
                "records": s.records,
                "bytes": s.bytes,
                "packets": s.packets,
                "first_start": s.first_start,
                "last_end": s.last_end,
                "interfaces": s.interfaces.len(),
                "addresses": s.addresses.len(),
                "by_action": s.by_action,
                "by_log_status": s.by_log_status,
            }),
        );
    }
    if options.top.is_some() {
        let (rows, other, groups) = match &answers.top {
            Some(groups) => {
                let top = groups.top(options.limit(), options.measure);
                (
                    serde_json::to_value(&top.rows).expect("plain data"),
                    top.other,
                    top.groups,
                )
            }
            None => (json!([]), Totals::default(), 0),
        };
        object.insert("by".into(), json!(options.top));
        object.insert("measure".into(), json!(options.measure.name()));
        object.insert("top".into(), rows);
        object.insert("other".into(), totals(&other));
        object.insert("groups".into(), json!(groups));
    }
    if let Some(width) = options.histogram {
        let histogram = answers
            .histogram
            .clone()
            .unwrap_or_else(|| Histogram::new(60));
        let histogram = match width {
            Width::Auto => histogram.coarsened(AUTO_BUCKETS),
            Width::Seconds(_) => histogram,
        };
        let buckets: Vec<Json> = histogram
            .buckets
            .iter()
            .map(|(start, b)| {
                let all = b.total();
                json!({
                    "start": start,
                    "records": all.records,
                    "bytes": all.bytes,
                    "packets": all.packets,
                    "accept": totals(&b.accept),
                    "reject": totals(&b.reject),
                    "none": totals(&b.none),
                })
            })
            .collect();
        object.insert(
            "histogram".into(),
            json!({"width": histogram.width, "buckets": buckets, "no_time": totals(&histogram.no_time)}),
        );
    }
    Json::Object(object)
}
