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
    Answer, ConversationRow, ConversationsView, Counts, Detail, DetailQuery, FilterProblem,
    HistRow, JobId, OverviewView, Query, RecordRow, RecordsView, RejectedView, TopItem, TopView,
    Totals,
};
use flowlog::{Field, FieldRef, FlowTable, Value};
use flowlog_query::{
    names, page, Conversations, Filter, FilterError, GroupBy, Groups, Histogram, Key, Measure,
    Overview, Rejected, SortBy, TableIndex, Totals as Sums, BASE_WIDTH, OVERVIEW_GROUPS,
};

/// The top lists of the overview, by their `flowlens query --top` names, in the order the
/// page shows them. Over transit gateway logs the attachments are listed too (see
/// [`AttachmentList`]).
pub const TOP_LISTS: [&str; 6] = [
    "srcaddr",
    "dstaddr",
    "pair",
    "dstport",
    "protocol",
    "interface-id",
];

/// The field transit gateway flow logs name where VPC flow logs name the interface: the
/// attachment a flow crossed.
pub const ATTACHMENTS: Field = Field::TgwAttachmentId;

/// Where the overview lists [`ATTACHMENTS`], if anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentList {
    /// No table read has `tgw-attachment-id`.
    Not,
    /// Transit gateway logs alone: in the interfaces' place, where a list of interfaces
    /// would be one "(missing)" bar.
    InPlaceOfInterfaces,
    /// Transit gateway logs beside VPC logs: after the interfaces, so that neither kind
    /// of log loses its list.
    AfterInterfaces,
}

impl AttachmentList {
    /// Where the attachments are listed over `tables`.
    pub fn over<'a>(tables: impl IntoIterator<Item = &'a FlowTable>) -> AttachmentList {
        let (mut interfaces, mut attachments) = (false, false);
        for table in tables {
            interfaces |= table.column(Field::InterfaceId).is_some();
            attachments |= table.column(ATTACHMENTS).is_some();
        }
        match (attachments, interfaces) {
            (false, _) => AttachmentList::Not,
            (true, false) => AttachmentList::InPlaceOfInterfaces,
            (true, true) => AttachmentList::AfterInterfaces,
        }
    }
}

/// The rejected-traffic lists, by their `flowlens query --top` names, in the order of
/// [`flowlog_query::Rejected`]'s fields.
pub const REJECTED_LISTS: [&str; 4] = ["srcaddr", "dstport", "interface-id", "dstaddr"];

/// How deep a sorted table can be scrolled. Sorting keeps the first `offset + limit`
/// matches of each file, so the memory a sorted page takes grows with its offset; past this
/// depth the page says so and shows the files' order instead.
pub const SORTED_DEPTH: u64 = 1_000_000;

/// Reads a filter, with the unknown columns of `tables` as text fields; a problem becomes
/// the answer, with positions in characters.
fn parse_filter<'a>(
    tables: impl IntoIterator<Item = &'a FlowTable>,
    text: &str,
) -> Result<Filter, FilterProblem> {
    let mut others: Vec<&str> = Vec::new();
    for table in tables {
        for (name, _) in table.other_columns() {
            if !others.contains(&name) {
                others.push(name);
            }
        }
    }
    Filter::parse_with(text, &others).map_err(|error| problem(text, &error))
}

/// The problems any files' answer would find in the filter `text`, found without the files
/// (see [`Filter::check`]), so that the page can say so while the worker is still reading.
pub fn check_filter(text: &str) -> Result<(), FilterProblem> {
    Filter::check(text).map_err(|error| problem(text, &error))
}

/// `error` in `text` as the page shows it, with positions in characters.
fn problem(text: &str, error: &FilterError) -> FilterProblem {
    let chars = |byte: usize| text.get(..byte).map_or(byte, |s| s.chars().count());
    FilterProblem {
        start: chars(error.start),
        end: chars(error.end),
        message: format!("expected {}, found {}", error.expected, error.found),
    }
}

/// Answers `query` over `tables`, each with the index built for it when it was loaded.
///
/// Each table's [`Overview`] (summary, histogram and the six top lists, in one pass over
/// the selected rows) is merged with the others'.
pub fn answer<'a>(
    tables: impl IntoIterator<Item = (&'a FlowTable, &'a TableIndex)>,
    query: &Query,
) -> Answer {
    let numbered: Vec<_> = (tables.into_iter().enumerate())
        .map(|(at, (table, index))| (at as JobId, table, index))
        .collect();
    answer_keeping(&numbered, query, &mut MergedOverview::default())
}

/// The overview merged for an answer, kept by the worker for the next one (see
/// [`answer_keeping`]).
#[derive(Default)]
pub struct MergedOverview {
    /// The filter it answered, as typed.
    filter: String,
    /// The tables merged into it, in the order they were merged.
    tables: Vec<JobId>,
    overview: Option<Overview>,
    /// Where the attachments are listed.
    listed: Option<AttachmentList>,
    /// The transit gateway attachments, when they are listed (see [`AttachmentList`]).
    attachments: Option<Groups>,
}

/// [`answer`] over `tables`, each with its file's id, starting from the overview `kept`
/// merged for the last answer when it still holds: the same filter, and the tables it
/// merged still the first ones, in order. Only the tables read since are merged in, and
/// `kept` becomes this answer's.
///
/// While a folder of hundreds of files loads, the page asks a few times, over more files
/// each time (see `State::file_read`); merging every file's groups again each time was
/// most of the worker's work between files. The tables come as a slice, not any iterator,
/// so that the worker's warm-up and its answers run the same compiled function.
pub fn answer_keeping(
    tables: &[(JobId, &FlowTable, &TableIndex)],
    query: &Query,
    kept: &mut MergedOverview,
) -> Answer {
    let filter = match parse_filter(tables.iter().map(|(_, t, _)| *t), &query.filter) {
        Ok(filter) => filter,
        Err(problem) => return Answer::BadFilter(problem),
    };
    let measure = Measure::from_name(&query.measure).unwrap_or(Measure::Bytes);
    let by_attachment = GroupBy::Field(FieldRef::Known(ATTACHMENTS));
    let listed = AttachmentList::over(tables.iter().map(|(_, t, _)| *t));
    let holds = kept.filter == query.filter
        && kept.listed == Some(listed)
        && tables.len() >= kept.tables.len()
        && tables.iter().zip(&kept.tables).all(|(t, id)| t.0 == *id);
    if !holds {
        *kept = MergedOverview {
            filter: query.filter.clone(),
            tables: Vec::new(),
            overview: None,
            listed: Some(listed),
            attachments: (listed != AttachmentList::Not)
                .then(|| Groups::new(by_attachment.clone())),
        };
    }
    // The first table's groups are taken as they come, still by code, so that with one
    // file a top list makes keys for its rows only; merging makes keys for every group.
    for &(id, table, index) in tables.iter().skip(kept.tables.len()) {
        let selection = filter.select(table);
        let part = Overview::of_selection(table, index, &selection);
        match &mut kept.overview {
            Some(all) => all.merge(&part),
            None => kept.overview = Some(part),
        }
        if let Some(all) = &mut kept.attachments {
            all.merge(&Groups::of(table, &selection, &by_attachment));
        }
        kept.tables.push(id);
    }
    let empty;
    let overview = match &kept.overview {
        Some(overview) => overview,
        None => {
            empty = Overview {
                summary: Default::default(),
                histogram: Histogram::new(BASE_WIDTH),
                groups: OVERVIEW_GROUPS
                    .iter()
                    .map(|f| Groups::new(GroupBy::Field(FieldRef::Known(*f))))
                    .collect(),
                pairs: Groups::new(GroupBy::Pair),
            };
            &empty
        }
    };
    let attachments = &kept.attachments;
    let Overview {
        summary,
        histogram,
        groups,
        pairs,
    } = overview;
    // The page's order (`TOP_LISTS`): the overview's groups with the pairs third, and the
    // attachments in the interfaces' place or after them.
    let mut tops: Vec<&Groups> = groups.iter().collect();
    let interfaces_at = OVERVIEW_GROUPS
        .iter()
        .position(|f| *f == Field::InterfaceId)
        .expect("the overview groups by interface");
    match (attachments, listed) {
        (Some(attachments), AttachmentList::InPlaceOfInterfaces) => {
            tops[interfaces_at] = attachments
        }
        (Some(attachments), AttachmentList::AfterInterfaces) => {
            tops.insert(interfaces_at + 1, attachments)
        }
        _ => {}
    }
    tops.insert(2, pairs);
    let histogram = histogram.coarsened(u64::from(query.buckets.max(1)));
    Answer::Overview(OverviewView {
        totals: Totals::of(summary),
        interfaces: summary.interfaces.len() as u64,
        attachments: attachments.as_ref().map(distinct_values),
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
        tops: tops
            .into_iter()
            .map(|g| top_view(g, query.top, measure))
            .collect(),
    })
}

/// How many distinct values `groups` holds, the missing value not counted: as the
/// interfaces are counted.
fn distinct_values(groups: &Groups) -> u64 {
    let missing = groups.iter().any(|(key, _)| *key == Key::Null);
    (groups.len() - usize::from(missing)) as u64
}

/// A group list's largest `n` as the page shows them.
fn top_view(groups: &Groups, n: u32, measure: Measure) -> TopView {
    let top = groups.top(n.max(1) as usize, measure);
    TopView {
        by: groups.by().name(),
        rows: top
            .rows
            .iter()
            .map(|row| TopItem {
                key: values(&row.key),
                label: groups.by().label(&row.key).map(str::to_owned),
                counts: [row.records, row.bytes, row.packets],
            })
            .collect(),
        other: counts(&top.other),
        groups: top.groups as u64,
    }
}

fn counts(t: &Sums) -> Counts {
    [t.records, t.bytes, t.packets]
}

/// Answers a question about one tab's rows over `tables`, each with the page's id for its
/// file.
pub fn detail(tables: &[(JobId, FlowTable)], query: &DetailQuery) -> Answer {
    let filter = match parse_filter(tables.iter().map(|(_, t)| t), &query.filter) {
        Ok(filter) => filter,
        Err(problem) => return Answer::BadFilter(problem),
    };
    match &query.detail {
        Detail::Records {
            sort,
            descending,
            offset,
            limit,
        } => Answer::Records(records(tables, &filter, sort, *descending, *offset, *limit)),
        Detail::Conversations { measure, limit } => {
            let measure = Measure::from_name(measure).unwrap_or(Measure::Bytes);
            let mut all = Conversations::default();
            for (_, table) in tables {
                all.merge(&Conversations::of(table, &filter.select(table)));
            }
            let rows: Vec<ConversationRow> = all
                .top(*limit as usize, measure)
                .into_iter()
                .map(|(key, c)| {
                    let low_port = match (key.a.port, key.b.port) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    ConversationRow {
                        protocol: key.protocol,
                        protocol_name: key
                            .protocol
                            .and_then(|p| names::protocol_name(p.into()))
                            .map(str::to_owned),
                        a: key.a.addr.to_string(),
                        a_port: key.a.port,
                        b: key.b.addr.to_string(),
                        b_port: key.b.port,
                        service: low_port
                            .and_then(|p| names::service_name(p.into()))
                            .map(str::to_owned),
                        a_to_b: counts(&c.a_to_b),
                        b_to_a: counts(&c.b_to_a),
                        first_seen: c.first_seen,
                        last_seen: c.last_seen,
                    }
                })
                .collect();
            let first = rows.iter().filter_map(|r| r.first_seen).min();
            let last = rows.iter().filter_map(|r| r.last_seen).max();
            Answer::Conversations(ConversationsView {
                total: all.len() as u64,
                span: first.zip(last),
                rows,
            })
        }
        Detail::Rejected { measure, top } => {
            let measure = Measure::from_name(measure).unwrap_or(Measure::Bytes);
            let mut all: Option<Rejected> = None;
            for (_, table) in tables {
                let part = Rejected::of(table, &filter.select(table));
                match &mut all {
                    Some(all) => all.merge(&part),
                    None => all = Some(part),
                }
            }
            let Some(all) = all else {
                return Answer::Rejected(RejectedView::default());
            };
            Answer::Rejected(RejectedView {
                totals: counts(&all.totals),
                tops: [
                    &all.by_source,
                    &all.by_port,
                    &all.by_interface,
                    &all.by_destination,
                ]
                .into_iter()
                .map(|g| top_view(g, *top, measure))
                .collect(),
            })
        }
    }
}

/// Every field of the tables' formats: known fields in AWS's order, then unknown ones.
pub fn columns(tables: &[(JobId, FlowTable)]) -> Vec<FieldRef> {
    let mut columns: Vec<FieldRef> = Field::ALL
        .iter()
        .filter(|f| tables.iter().any(|(_, t)| t.column(**f).is_some()))
        .map(|f| FieldRef::Known(*f))
        .collect();
    for (_, table) in tables {
        for (name, _) in table.other_columns() {
            let field = FieldRef::Other(name.into());
            if !columns.contains(&field) {
                columns.push(field);
            }
        }
    }
    columns
}

/// Rows `offset..offset + limit` of the records `filter` keeps, sorted by the field named
/// `sort` across every table (ties in the files' order), as `flowlens query --records`
/// sorts them.
fn records(
    tables: &[(JobId, FlowTable)],
    filter: &Filter,
    sort: &str,
    descending: bool,
    offset: u64,
    limit: u32,
) -> RecordsView {
    let columns = columns(tables);
    let selections: Vec<_> = tables.iter().map(|(_, t)| filter.select(t)).collect();
    let matched: u64 = selections.iter().map(|s| s.count() as u64).sum();
    let offset = offset.min(matched);
    let limit = limit as usize;
    let field = FieldRef::from_name(sort);
    // A table without the field sorts it as missing everywhere: in its own order.
    let sort = SortBy { field, descending };
    let unsorted = offset > SORTED_DEPTH;
    // (table, row) of each record of the page, in page order.
    let mut picked: Vec<(usize, usize)> = Vec::with_capacity(limit);
    match (!unsorted).then_some(sort) {
        Some(sort) => {
            // Each table's first `offset + limit` in order, merged; ties keep file order.
            let wanted = offset as usize + limit;
            let mut merged = Vec::new();
            for (t, ((_, table), selection)) in tables.iter().zip(&selections).enumerate() {
                let part = page(table, selection, &sort, 0, wanted);
                merged.extend(part.rows.into_iter().map(|(value, row)| (value, t, row)));
            }
            merged.sort_by(|a, b| {
                sort.compare(&a.0, &b.0)
                    .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
            });
            picked.extend(
                merged
                    .into_iter()
                    .skip(offset as usize)
                    .take(limit)
                    .map(|(_, t, row)| (t, row)),
            );
        }
        None => {
            let mut skip = offset as usize;
            for (t, selection) in selections.iter().enumerate() {
                let count = selection.count();
                if skip >= count {
                    skip -= count;
                    continue;
                }
                let room = limit - picked.len();
                picked.extend(selection.rows().skip(skip).take(room).map(|row| (t, row)));
                skip = 0;
                if picked.len() == limit {
                    break;
                }
            }
        }
    }
    let rows = picked
        .into_iter()
        .map(|(t, row)| {
            let (id, table) = &tables[t];
            RecordRow {
                file: *id,
                line: table.line_of(row),
                values: columns.iter().map(|c| text(table.value(row, c))).collect(),
            }
        })
        .collect();
    RecordsView {
        columns: columns.iter().map(|c| c.name().to_owned()).collect(),
        matched,
        offset,
        unsorted,
        rows,
    }
}

/// A value as `flowlens records` prints it, without JSON quotes; `None` when missing.
fn text(value: Value<'_>) -> Option<String> {
    match value {
        Value::Missing => None,
        Value::Int(n) => Some(n.to_string()),
        Value::Addr(addr) => Some(addr.to_string()),
        Value::Text(text) => Some(text.to_owned()),
    }
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

    /// The overview's top lists, by name, in the page's order.
    fn list_names(view: &OverviewView) -> Vec<&str> {
        view.tops.iter().map(|t| t.by.as_str()).collect()
    }

    fn overview(tables: &[FlowTable], filter: &str) -> OverviewView {
        let query = Query {
            filter: filter.into(),
            measure: "bytes".into(),
            top: 10,
            buckets: 100,
        };
        let indexes: Vec<TableIndex> = tables.iter().map(TableIndex::build).collect();
        match answer(tables.iter().zip(&indexes), &query) {
            Answer::Overview(view) => view,
            other => panic!("{other:?}"),
        }
    }

    fn detail_of(tables: &[(JobId, FlowTable)], filter: &str, detail: Detail) -> Answer {
        let query = DetailQuery {
            filter: filter.into(),
            detail,
        };
        super::detail(tables, &query)
    }

    fn records_of(
        tables: &[(JobId, FlowTable)],
        filter: &str,
        sort: (&str, bool),
        offset: u64,
        limit: u32,
    ) -> RecordsView {
        let detail = Detail::Records {
            sort: sort.0.to_owned(),
            descending: sort.1,
            offset,
            limit,
        };
        match detail_of(tables, filter, detail) {
            Answer::Records(view) => view,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_overview_kept_between_answers_answers_as_a_fresh_one() {
        // Three files that differ, so that merging one twice or leaving one out shows.
        let second = LOG
            .replace("eni-a", "eni-c")
            .replace("10.0.0.1 ", "10.0.0.9 ");
        let third = LOG.replace(" 500 ", " 700 ").replace("REJECT", "ACCEPT");
        let tables = [table(LOG), table(&second), table(&third)];
        let indexes: Vec<TableIndex> = tables.iter().map(TableIndex::build).collect();
        let ids: [JobId; 3] = [7, 8, 9];
        let query = |filter: &str| Query {
            filter: filter.into(),
            measure: "bytes".into(),
            top: 10,
            buckets: 100,
        };
        let fresh = |files: std::ops::Range<usize>, filter: &str| {
            answer(
                tables[files.clone()].iter().zip(&indexes[files]),
                &query(filter),
            )
        };
        let keeping = |files: std::ops::Range<usize>, filter: &str, kept: &mut MergedOverview| {
            let tables: Vec<_> = files.map(|i| (ids[i], &tables[i], &indexes[i])).collect();
            answer_keeping(&tables, &query(filter), kept)
        };
        let mut kept = MergedOverview::default();
        // A folder loading: asked after the first file, then after all three, each file
        // merged once.
        assert_eq!(keeping(0..1, "", &mut kept), fresh(0..1, ""));
        let all = keeping(0..3, "", &mut kept);
        assert_eq!(all, fresh(0..3, ""));
        assert_eq!(kept.tables, ids);
        let Answer::Overview(view) = &all else {
            panic!("{all:?}")
        };
        // Each file holds 4 records (one of them NODATA) and 1,700 bytes, the third 1,900.
        assert_eq!((view.totals.records, view.totals.bytes), (12, 5300));
        // A bad filter answers as such and keeps what was merged.
        assert!(matches!(
            keeping(0..3, "bytes >", &mut kept),
            Answer::BadFilter(_)
        ));
        assert_eq!(keeping(0..3, "", &mut kept), all);
        // Another filter starts again.
        let rejected = "action = REJECT";
        assert_eq!(keeping(0..3, rejected, &mut kept), fresh(0..3, rejected));
        // The first file removed: the others are merged again, without it.
        assert_eq!(keeping(1..3, rejected, &mut kept), fresh(1..3, rejected));
        assert_eq!(kept.tables, ids[1..]);
    }

    #[test]
    fn record_pages_run_across_files_in_order_or_sorted() {
        let custom =
            "srcaddr dstaddr bytes team\n10.9.9.9 10.0.0.1 7000 red\n10.9.9.8 10.0.0.1 10 -\n";
        let tables = vec![(1, table(LOG)), (2, table(custom))];
        // A field no file has sorts as missing everywhere: the files' own order.
        let all = records_of(&tables, "", ("line-order-test", false), 0, 100);
        assert_eq!(all.matched, 6);
        assert_eq!(all.columns.first().map(String::as_str), Some("version"));
        assert_eq!(all.columns.last().map(String::as_str), Some("team"));
        let lines: Vec<(JobId, u64)> = all.rows.iter().map(|r| (r.file, r.line)).collect();
        assert_eq!(lines, [(1, 2), (1, 3), (1, 4), (1, 5), (2, 2), (2, 3)]);
        let bytes = all.columns.iter().position(|c| c == "bytes").unwrap();
        let team = all.columns.iter().position(|c| c == "team").unwrap();
        // Missing is `None`, whether `-` or a field the file's format lacks.
        assert_eq!(all.rows[3].values[bytes], None);
        assert_eq!(all.rows[0].values[team], None);
        assert_eq!(all.rows[4].values[team].as_deref(), Some("red"));
        assert_eq!(all.rows[5].values[team], None);

        // A window that starts in the first file and ends in the second.
        let window = records_of(&tables, "", ("line-order-test", false), 3, 2);
        let lines: Vec<(JobId, u64)> = window.rows.iter().map(|r| (r.file, r.line)).collect();
        assert_eq!(lines, [(1, 5), (2, 2)]);
        assert_eq!((window.offset, window.matched), (3, 6));

        // Sorted across files: largest first, missing last; ties keep file order.
        let sorted = records_of(&tables, "", ("bytes", true), 0, 10);
        let got: Vec<Option<&str>> = sorted
            .rows
            .iter()
            .map(|r| r.values[bytes].as_deref())
            .collect();
        assert_eq!(
            got,
            [
                Some("7000"),
                Some("900"),
                Some("500"),
                Some("300"),
                Some("10"),
                None
            ]
        );
        let page = records_of(&tables, "", ("bytes", true), 2, 2);
        let got: Vec<Option<&str>> = page
            .rows
            .iter()
            .map(|r| r.values[bytes].as_deref())
            .collect();
        assert_eq!(got, [Some("500"), Some("300")]);

        // Unknown columns can be filtered on.
        let red = records_of(&tables, "team = red", ("start", false), 0, 10);
        assert_eq!(red.matched, 1);
        // Past the end: nothing, and the offset says where the end is.
        let past = records_of(&tables, "", ("start", false), 99, 10);
        assert!(past.rows.is_empty());
        assert_eq!(past.offset, 6);
    }

    #[test]
    fn conversations_and_rejected_traffic_merge_across_files() {
        let reply = "srcaddr dstaddr srcport dstport protocol packets bytes start end action\n10.0.0.2 10.0.0.1 22 40000 6 4 4000 1795161601 1795161700 ACCEPT\n";
        let tables = vec![(1, table(LOG)), (2, table(reply))];
        let measure = || "bytes".to_owned();
        let Answer::Conversations(view) = detail_of(
            &tables,
            "",
            Detail::Conversations {
                measure: measure(),
                limit: 10,
            },
        ) else {
            panic!("not conversations");
        };
        assert_eq!(view.total, 3);
        let first = &view.rows[0];
        assert_eq!((first.a.as_str(), first.a_port), ("10.0.0.1", Some(40000)));
        assert_eq!((first.b.as_str(), first.b_port), ("10.0.0.2", Some(22)));
        assert_eq!(first.a_to_b, [1, 500, 5]);
        assert_eq!(first.b_to_a, [1, 4000, 4]);
        assert_eq!(first.service.as_deref(), Some("ssh"));
        assert_eq!(first.protocol_name.as_deref(), Some("tcp"));
        assert_eq!(
            (first.first_seen, first.last_seen),
            (Some(1795161600), Some(1795161700))
        );
        assert_eq!(view.span, Some((1795161600, 1795165260)));

        let Answer::Rejected(rejected) = detail_of(
            &tables,
            "",
            Detail::Rejected {
                measure: measure(),
                top: 10,
            },
        ) else {
            panic!("not rejected");
        };
        assert_eq!(rejected.totals, [2, 800, 10]);
        let names: Vec<&str> = rejected.tops.iter().map(|t| t.by.as_str()).collect();
        assert_eq!(names, REJECTED_LISTS);
        assert_eq!(rejected.tops[1].rows[0].key, [Some("22".to_owned())]);
        assert_eq!(rejected.tops[1].rows[0].label.as_deref(), Some("ssh"));
        // A bad filter is answered as such.
        assert!(matches!(
            detail_of(
                &tables,
                "port ==",
                Detail::Rejected {
                    measure: measure(),
                    top: 10
                }
            ),
            Answer::BadFilter(_)
        ));
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
        let names = list_names(&view);
        assert_eq!(names, TOP_LISTS);
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

    /// Transit gateway flow log lines: an attachment in place of an interface, no action.
    const TGW: &str = "version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status
6 TransitGatewayAttachment 1 tgw-1 tgw-attach-a 10.0.0.1 10.1.0.1 40000 443 6 10 5000 1795161600 1795161660 OK
6 TransitGatewayAttachment 1 tgw-1 tgw-attach-b 10.0.0.2 10.1.0.2 40001 443 6 10 9000 1795161600 1795161660 OK
6 TransitGatewayAttachment 1 tgw-1 tgw-attach-a 10.0.0.3 10.1.0.3 40002 443 6 10 7000 1795161600 1795161660 OK
";

    #[test]
    fn transit_gateway_logs_alone_list_their_attachments_where_interfaces_would_be() {
        let tgw = [table(TGW)];
        let view = overview(&tgw, "");
        let names = list_names(&view);
        assert_eq!(
            names,
            [
                "srcaddr",
                "dstaddr",
                "pair",
                "dstport",
                "protocol",
                "tgw-attachment-id"
            ]
        );
        let attachments = &view.tops[5];
        let rows: Vec<(&[Option<String>], u64)> = attachments
            .rows
            .iter()
            .map(|r| (&r.key[..], r.counts[1]))
            .collect();
        let (a, b) = (
            [Some("tgw-attach-a".to_owned())],
            [Some("tgw-attach-b".to_owned())],
        );
        assert_eq!(rows, [(&a[..], 12_000), (&b[..], 9000)]);
        // A click on an attachment keeps what typing its condition keeps.
        for row in &attachments.rows {
            let only = overview(&tgw, &condition(&attachments.by, &row.key, false));
            assert_eq!(only.totals.bytes, row.counts[1]);
        }
        // Filtered, the list counts the rows kept only.
        let filtered = overview(&tgw, "bytes > 6000");
        assert_eq!(filtered.tops[5].rows[0].counts[1], 9000);
        assert_eq!(filtered.tops[5].rows[1].counts[1], 7000);
        // Two attachments are counted, for the card in the interfaces' place.
        assert_eq!(view.attachments, Some(2));
        assert_eq!(filtered.attachments, Some(2));
        assert_eq!(overview(&tgw, "bytes > 8000").attachments, Some(1));
        // VPC logs alone count no attachments.
        assert_eq!(overview(&[table(LOG)], "").attachments, None);
    }

    #[test]
    fn transit_gateway_logs_beside_vpc_logs_list_attachments_after_the_interfaces() {
        let both = [table(TGW), table(LOG)];
        let view = overview(&both, "");
        let names = list_names(&view);
        assert_eq!(
            names,
            [
                "srcaddr",
                "dstaddr",
                "pair",
                "dstport",
                "protocol",
                "interface-id",
                "tgw-attachment-id"
            ]
        );
        // The VPC log's records have no attachment: they are a group of their own, listed
        // as missing, but not counted as an attachment.
        let attachments = &view.tops[6];
        assert_eq!(attachments.groups, 3);
        assert_eq!(view.attachments, Some(2));
        assert_eq!(view.interfaces, 2);
        let vpc_records = overview(&both[1..], "").totals.records;
        assert!(attachments
            .rows
            .iter()
            .any(|r| r.key == [None] && r.counts[0] == vpc_records));
        // The same files the other way round list and count the same.
        let swapped = [table(LOG), table(TGW)];
        let again = overview(&swapped, "");
        assert_eq!(again.tops[6].groups, 3);
        assert_eq!(again.attachments, Some(2));
        // A filter that keeps VPC records only leaves no attachment.
        let vpc_only = overview(&both, "action = ACCEPT or action = REJECT");
        assert_eq!(vpc_only.attachments, Some(0));
    }

    #[test]
    fn a_bad_filter_says_where_in_characters() {
        let query = Query {
            filter: "srcaddr = é and dstport = sshh".into(),
            ..Query::default()
        };
        let log = table(LOG);
        let index = TableIndex::build(&log);
        let Answer::BadFilter(problem) = answer([(&log, &index)], &query) else {
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
