//! `flowlens query`: filters and aggregates over every file, printed as one JSON object.
//!
//! Each file is decoded, answered and dropped before the next is read; the answers are
//! merged (every aggregate in flowlog-query is mergeable), so memory holds one table at a
//! time however many files are named.

use crate::{decode, open, report_issues, write_error, Args};
use flowlog::FieldRef;
use flowlog::FlowTable;
use flowlog_query::{
    page, Conversations, Filter, FilterError, GroupBy, Groups, Histogram, Measure, Rejected,
    SortBy, SortValue, Summary, Top, Totals,
};
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
    conversations: Option<Conversations>,
    rejected: Option<Rejected>,
    /// The best rows of every file so far: sort value, file number, row, record JSON.
    records: Vec<(SortValue, usize, usize, String)>,
    matched_records: usize,
}

/// Runs `flowlens query`.
pub fn run(args: &Args) -> Result<(), String> {
    let options = &args.query;
    let filter_text = options.filter.clone().unwrap_or_default();
    // Checked before any file is read, so that a typo fails at once. A name the AWS table
    // does not know may still be a column of the files; that is settled once they are read.
    let early = Filter::parse(&filter_text);
    if let Some(target) = &options.translation {
        return translate(args, target, &filter_text);
    }
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
        conversations: None,
        rejected: None,
        records: Vec::new(),
        matched_records: 0,
    };
    let sort = match &options.sort {
        None => SortBy {
            field: FieldRef::Known(flowlog::Field::Start),
            descending: false,
        },
        Some(text) => {
            let (descending, name) = match text.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, text.as_str()),
            };
            SortBy {
                field: FieldRef::from_name(name),
                descending,
            }
        }
    };
    let filter = early.as_ref().ok().cloned();
    for (file, (name, input)) in args.files.iter().zip(inputs).enumerate() {
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
        let file = (file, serde_json::to_string(name).expect("a string"));
        answer(
            table,
            &filter,
            by.as_ref(),
            options,
            &sort,
            &file,
            &mut answers,
        )
        .map_err(write_error)?;
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
    sort: &SortBy,
    (file, file_json): &(usize, String),
    answers: &mut Answers,
) -> io::Result<()> {
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
    if options.conversations {
        let conversations = Conversations::of(table, &selection);
        match &mut answers.conversations {
            Some(c) => c.merge(&conversations),
            None => answers.conversations = Some(conversations),
        }
    }
    if options.rejected {
        let rejected = Rejected::of(table, &selection);
        match &mut answers.rejected {
            Some(r) => r.merge(&rejected),
            None => answers.rejected = Some(rejected),
        }
    }
    if let Some(offset) = options.records {
        // Every file's first offset + limit rows are candidates; the page is cut from them
        // once all files are read.
        let wanted = offset.saturating_add(options.limit());
        let page = page(table, &selection, sort, 0, wanted);
        answers.matched_records += page.matched;
        for (value, row) in page.rows {
            let mut json = Vec::new();
            crate::output::record(&mut json, table, row, file_json)?;
            let json = String::from_utf8(json).expect("JSON is UTF-8");
            answers.records.push((value, *file, row, json));
        }
        answers.records.sort_by(|a, b| {
            sort.compare(&a.0, &b.0)
                .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
        });
        answers.records.truncate(wanted);
    }
    Ok(())
}

fn top_rows(top: &Top) -> Json {
    serde_json::to_value(&top.rows).expect("plain data")
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
    if let Some(conversations) = &answers.conversations {
        let rows: Vec<Json> = conversations
            .top(options.limit(), options.measure)
            .into_iter()
            .map(|(key, c)| {
                let total = c.total();
                json!({
                    "protocol": key.protocol,
                    "a": {"addr": key.a.addr.to_string(), "port": key.a.port},
                    "b": {"addr": key.b.addr.to_string(), "port": key.b.port},
                    "a_to_b": totals(&c.a_to_b),
                    "b_to_a": totals(&c.b_to_a),
                    "records": total.records,
                    "bytes": total.bytes,
                    "packets": total.packets,
                    "first_seen": c.first_seen,
                    "last_seen": c.last_seen,
                    "duration": c.duration(),
                })
            })
            .collect();
        object.insert("conversations".into(), json!(rows));
        object.insert("conversations_total".into(), json!(conversations.len()));
    }
    if let Some(r) = &answers.rejected {
        let (n, m) = (options.limit(), options.measure);
        object.insert(
            "rejected".into(),
            json!({
                "records": r.totals.records,
                "bytes": r.totals.bytes,
                "packets": r.totals.packets,
                "by_source": top_rows(&r.by_source.top(n, m)),
                "by_port": top_rows(&r.by_port.top(n, m)),
                "by_interface": top_rows(&r.by_interface.top(n, m)),
                "by_destination": top_rows(&r.by_destination.top(n, m)),
            }),
        );
    }
    if let Some(offset) = options.records {
        let rows: Vec<Json> = answers
            .records
            .iter()
            .skip(offset)
            .map(|(_, _, _, json)| serde_json::from_str(json).expect("written as JSON"))
            .collect();
        object.insert(
            "records".into(),
            json!({"matched": answers.matched_records, "offset": offset, "rows": rows}),
        );
    }
    Json::Object(object)
}

/// `--as athena|insights`: the question as text for the service, not answered here.
fn translate(args: &Args, target: &str, filter_text: &str) -> Result<(), String> {
    use flowlog_query::translate::{athena, insights, Aggregate, Question};
    let options = &args.query;
    // The layout: given, or that of the first file (read only when it is needed).
    let mut format = args.format.clone();
    if format.is_none() {
        if let Some(name) = args.files.first() {
            let decoded = decode(name, open(name)?, None)?;
            format = decoded.report.formats.first().map(|f| f.format.clone());
        }
    }
    let format = format.unwrap_or_else(flowlog::Format::default_v2);
    let others: Vec<&str> = format
        .fields()
        .iter()
        .filter(|f| matches!(f, FieldRef::Other(_)))
        .map(|f| f.name())
        .collect();
    let filter =
        Filter::parse_with(filter_text, &others).map_err(|e| filter_error(filter_text, &e))?;
    let aggregate = match (&options.top, options.histogram) {
        (Some(name), _) => Aggregate::Top {
            by: GroupBy::from_name(name, &others)
                .ok_or_else(|| format!("--top: unknown field `{name}`"))?,
            measure: options.measure,
            limit: options.limit(),
        },
        (None, Some(width)) => Aggregate::Histogram {
            width: match width {
                // Without the data there is no span to fit; an hour suits a day of logs.
                Width::Auto => 3600,
                Width::Seconds(s) => s,
            },
        },
        (None, None) => Aggregate::Matched,
    };
    let question = Question {
        filter: &filter,
        aggregate,
        format,
    };
    let text = match target {
        "athena" => athena(&question, "vpc_flow_logs"),
        _ => insights(&question),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(write_error)
}
