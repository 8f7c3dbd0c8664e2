//! The page's state and the one function that changes it.
//!
//! Every event (a file added, a message from the worker, a click) becomes an [`Action`];
//! [`State::apply`] is the only place state changes. Nothing here knows about the browser,
//! so the rules (how files add up, what a row says about a bad file) are tested natively.

use crate::numbers::thousands;
use crate::protocol::{
    Answer, ConversationsView, Detail, DetailQuery, FileResult, FilterProblem, FromWorker, JobId,
    OverviewView, Query, RecordRow, RecordsView, RejectedView, Totals,
};
use crate::query::check_filter;
use std::rc::Rc;

/// How many filters the history keeps.
pub const HISTORY: usize = 20;
/// Rows per top list.
pub const TOP_ROWS: u32 = 10;
/// The most buckets of the traffic-over-time chart.
pub const TIME_BUCKETS: u32 = 120;
/// Records asked for at a time by the records table: a window around what is on screen.
pub const RECORD_WINDOW: u32 = 200;
/// The height of one row of the records table in pixels; the stylesheet gives rows exactly
/// this height.
pub const ROW_PIXELS: u64 = 28;
/// The tallest the records table's sizer is made: browsers cap an element's height.
pub const MAX_PIXELS: u64 = 15_000_000;
/// The most memory one WebAssembly instance can have: 4 GiB (32-bit addresses).
pub const WASM_LIMIT: u64 = 4 << 30;
/// Bytes of WebAssembly memory a file's records take, per byte of plain text: measured at
/// 38.4 bytes per 114-byte default-format record for one file of 10M records, the table,
/// its index and what decoding and answering grew on the way together (`cargo xtask
/// bench-web`, BENCHMARKS.md), rounded up.
pub const MEMORY_PER_TEXT_BYTE: f64 = 0.36;
/// Memory kept free for the answers: a filter's selection of rows, the slots of an
/// overview, and the keys that merging many files' top lists makes for each.
pub const ANSWER_MARGIN: u64 = 256 << 20;
/// How much text a gzip file is assumed to hold per compressed byte, for the estimate: flow
/// logs compress about ten to one.
pub const GZIP_RATIO: f64 = 10.0;

/// Bytes of WebAssembly memory a file may take at the peak of its decoding, per byte of
/// text: about 0.67 is measured for a file whose every record brings two new addresses,
/// the worst of the generated kinds (BENCHMARKS.md), rounded up for text columns of many
/// values. The first worker reads a file itself only when this much fits beside what it
/// holds, since running out of memory there would lose every table; a larger file is read
/// by a worker of its own, which takes only that file with it if it runs out.
pub const PEAK_MEMORY_PER_TEXT_BYTE: f64 = 1.0;
/// Bytes of memory a table shipped by another worker takes once adopted, per byte of its
/// image: the table itself, and its index, which for a file of random addresses adds up
/// to about two fifths of the table.
pub const MEMORY_PER_IMAGE_BYTE: f64 = 1.5;

/// The bytes of text a file holds, from its size and name.
fn text_bytes(name: &str, size: u64) -> f64 {
    let gzip = name.ends_with(".gz") || name.ends_with(".gzip");
    if gzip {
        size as f64 * GZIP_RATIO
    } else {
        size as f64
    }
}

/// The least text (a file's size, or for gzip [`GZIP_RATIO`] times it) for which a file is
/// worth a worker of its own.
///
/// Starting a worker costs more than decoding a small file: its module is instantiated,
/// its code runs unoptimised at first (it has had no warm-up), and its table is written
/// out, transferred and read in again by the first worker. In headless Chromium on two
/// cores a new worker began decoding about 160 ms after it was asked, the time the first
/// worker takes to decode some 40 MB. A folder of S3 objects holds hundreds of files of a
/// few MB at most; sent each to a worker of its own, 200 of them took over 5 s to read.
pub const READER_WORTH_TEXT_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// How many small files (see [`worth_a_reader`]) the first worker may be sent at once: it
/// reads them in turn from its own queue, without waiting for the page between two files.
pub const SMALL_FILES_AHEAD: usize = 8;

/// Whether a file is large enough to be read by a worker of its own while the first worker
/// is busy (see [`READER_WORTH_TEXT_BYTES`]); smaller files wait for the first worker.
pub fn worth_a_reader(name: &str, size: u64) -> bool {
    text_bytes(name, size) >= READER_WORTH_TEXT_BYTES
}

/// The memory a file's records will probably take, from its size and name.
pub fn memory_estimate(name: &str, size: u64) -> u64 {
    (text_bytes(name, size) * MEMORY_PER_TEXT_BYTE) as u64
}

/// The memory the first worker could need at the peak of decoding a file, from its size
/// and name (see [`PEAK_MEMORY_PER_TEXT_BYTE`]).
pub fn peak_estimate(name: &str, size: u64) -> u64 {
    (text_bytes(name, size) * PEAK_MEMORY_PER_TEXT_BYTE) as u64
}

/// The memory the first worker may fill: 4 GiB less what answers need.
fn room() -> u64 {
    WASM_LIMIT.saturating_sub(ANSWER_MARGIN)
}

/// Whether the first worker, which holds `used` bytes and expects `coming` more for the
/// files being read elsewhere, may decode a file itself even if it is as hard as any
/// measured (see [`PEAK_MEMORY_PER_TEXT_BYTE`]).
pub fn home_may_read(name: &str, size: u64, used: u64, coming: u64) -> bool {
    let peak = peak_estimate(name, size);
    used.saturating_add(coming).saturating_add(peak) <= room()
}

/// Why a file should not be loaded, if its records would not fit beside those loaded
/// (`used`, the memory the worker holds) and those being read (`coming`, their estimates):
/// a load that runs out of memory ends the worker, so it is refused before it starts.
pub fn would_not_fit(name: &str, size: u64, used: u64, coming: u64) -> Option<String> {
    let need = memory_estimate(name, size);
    let claim = format!("would need about {} of memory", crate::numbers::bytes(need));
    refusal(need, used, coming, &claim, "it was not read")
}

/// The memory a table shipped by another worker will take once adopted, from the size of
/// its image (see [`MEMORY_PER_IMAGE_BYTE`]).
pub fn adopted_estimate(image: u64) -> u64 {
    (image as f64 * MEMORY_PER_IMAGE_BYTE) as u64
}

/// Why a table another worker decoded should not be adopted, if it would not fit beside
/// those loaded and those being read: `image` is the size of its image in bytes (see
/// [`MEMORY_PER_IMAGE_BYTE`]). The estimate made from the file's size before it was read
/// can fall short for a file of many distinct values; this check is made with the table
/// in hand.
pub fn would_not_fit_adopted(image: u64, used: u64, coming: u64) -> Option<String> {
    let need = adopted_estimate(image);
    let claim = format!(
        "take about {} of memory once decoded",
        crate::numbers::bytes(need)
    );
    refusal(need, used, coming, &claim, "they were not kept")
}

/// The reason a file's records, needing `need` bytes (as `claim` says), do not fit
/// beside `used` and `coming`, if they do not; `outcome` says what was done about it.
fn refusal(need: u64, used: u64, coming: u64, claim: &str, outcome: &str) -> Option<String> {
    let left = room().saturating_sub(used.saturating_add(coming));
    (need > left).then(|| {
        format!(
            "its records {claim}, and the tab has about {} left of the {} (4 GiB) its \
             WebAssembly can hold, so {outcome}. What is loaded stays; remove some files, or \
             split this one by lines and load the parts, or query it with the `flowlens` \
             command, which has no such limit",
            crate::numbers::bytes(left),
            crate::numbers::bytes(WASM_LIMIT),
        )
    })
}

/// Conversations listed.
pub const CONVERSATION_ROWS: u32 = 100;

/// The least time between two batches of the worker's replies, in milliseconds.
///
/// Each batch draws the page again, and a folder of small files is read at hundreds of
/// files a second, each with a reply or two: drawn one by one, they kept the page's thread
/// busier than the worker.
pub const REPLY_BATCH_MS: f64 = 40.0;

/// How long the worker's `reply` waits before it is applied, with every reply waiting
/// before it, in milliseconds (0: at once); `since_last_ms` is the time since the last
/// batch was applied, and `last_ended_a_file` whether that batch ended a file.
///
/// A reply that comes within [`REPLY_BATCH_MS`] of the last batch waits for the next one.
/// The first file to end after a batch that ended none is applied at once, though: its
/// end is what asks for the charts, and the progress a large file reports until its last
/// moment would otherwise hold it back by up to a batch. In a folder of small files,
/// whose ends come one after another, the ends after the first wait as other replies do.
/// Answers to questions never wait (see `components::app`).
pub fn reply_wait_ms(reply: &FromWorker, since_last_ms: f64, last_ended_a_file: bool) -> f64 {
    if ends_a_file(reply) && !last_ended_a_file {
        return 0.0;
    }
    (REPLY_BATCH_MS - since_last_ms).max(0.0)
}

/// Whether `reply` says that a file was read to its end or could not be.
pub fn ends_a_file(reply: &FromWorker) -> bool {
    matches!(reply, FromWorker::Done { .. } | FromWorker::Failed { .. })
}

/// Everything the page shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// The files, in the order they were added. Shared, so that the file list's props
    /// compare by pointer when nothing about the files changed.
    pub files: Rc<Vec<FileEntry>>,
    /// The "Try sample data" request.
    pub samples: SampleStatus,
    /// Set when the worker stopped; the page cannot read more files until reloaded.
    pub worker_error: Option<String>,
    /// A problem that belongs to no file (a folder that could not be walked), until
    /// dismissed.
    pub notice: Option<String>,
    /// The view: filter, chips and measure; what the URL fragment holds.
    pub view: View,
    /// Filters applied before, most recent first.
    pub history: Vec<String>,
    /// The number of the last question sent to the worker; older answers are dropped.
    pub asked: u32,
    /// The answer to the last question, once it came.
    pub overview: Option<Rc<OverviewView>>,
    /// Why the typed filter could not be read, with positions in the typed text.
    pub filter_error: Option<FilterProblem>,
    /// Changes whenever the set of records read changes, so that the page asks again;
    /// while files are being read, not for every file (see `State::file_read`).
    pub generation: u32,
    /// Whether records were read that [`State::generation`] does not count yet.
    pub behind: bool,
    /// What the last question sent was about: the records' generation and the question.
    pub asked_for: Option<(u32, Query)>,
    /// What the answer shown is about.
    pub answered_for: Option<(u32, Query)>,
    /// The number of the last question about the current tab's rows.
    pub asked_detail: u32,
    /// What that question was about.
    pub detail_asked_for: Option<(u32, DetailQuery)>,
    /// What the detail shown is about.
    pub detail_answered_for: Option<(u32, DetailQuery)>,
    /// The last page of records received.
    pub records: Option<Rc<RecordsView>>,
    /// The last conversations received.
    pub conversations: Option<Rc<ConversationsView>>,
    /// The last rejected-traffic breakdown received.
    pub rejected: Option<Rc<RejectedView>>,
    /// The first row of the records window asked for.
    pub records_offset: u64,
    /// The record open in the detail drawer.
    pub drawer: Option<Rc<RecordRow>>,
    /// Bytes of WebAssembly memory the worker holds, as it last said.
    pub worker_memory: u64,
}

/// What the user is looking at: it lives in the URL fragment, so a reload or a bookmark
/// comes back to it (the fragment is never sent to any server).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// The filter typed in the filter bar.
    pub typed: String,
    /// Conditions added by clicking marks, each removable on its own.
    pub chips: Vec<String>,
    /// What charts measure: `bytes`, `packets` or `records`.
    pub measure: Measure,
    /// The tab shown.
    pub tab: Tab,
    /// The records table's order: a field's AWS name and whether largest first; `None` is
    /// the default, oldest `start` first, as `flowlens query --records` orders them.
    pub sort: Option<(String, bool)>,
    /// Times in the browser's time zone instead of UTC.
    pub local_time: bool,
}

/// The page's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tab {
    /// Cards and charts.
    #[default]
    Overview,
    /// The records table.
    Records,
    /// Both directions of each flow.
    Conversations,
    /// What was turned away.
    Rejected,
    /// Per file: wrapper, format, issues.
    Quality,
}

impl Tab {
    /// Every tab, in the order shown.
    pub const ALL: [Tab; 5] = [
        Tab::Overview,
        Tab::Records,
        Tab::Conversations,
        Tab::Rejected,
        Tab::Quality,
    ];

    /// The tab's name in the URL fragment and in `data-tab`.
    pub fn name(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Records => "records",
            Tab::Conversations => "conversations",
            Tab::Rejected => "rejected",
            Tab::Quality => "quality",
        }
    }

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Records => "Records",
            Tab::Conversations => "Conversations",
            Tab::Rejected => "Rejected",
            Tab::Quality => "Parse quality",
        }
    }

    /// Reads [`Tab::name`].
    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// What charts and top lists measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Sum of bytes.
    #[default]
    Bytes,
    /// Sum of packets.
    Packets,
    /// Number of records.
    Records,
}

impl Measure {
    /// Every measure, in the order of the switch.
    pub const ALL: [Measure; 3] = [Measure::Bytes, Measure::Packets, Measure::Records];

    /// The name `flowlens query --by` takes.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Bytes => "bytes",
            Measure::Packets => "packets",
            Measure::Records => "records",
        }
    }

    /// Reads [`Measure::name`].
    pub fn from_name(name: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Its place in a [`crate::protocol::Counts`].
    pub fn index(self) -> usize {
        match self {
            Measure::Records => 0,
            Measure::Bytes => 1,
            Measure::Packets => 2,
        }
    }
}

impl View {
    /// The whole filter: the typed text and every chip, all of which must hold. The typed
    /// text comes first, in parentheses, so that [`View::typed_offset`] maps positions back.
    pub fn filter(&self) -> String {
        let mut parts = Vec::new();
        if !self.typed.trim().is_empty() {
            parts.push(format!("({})", self.typed));
        }
        parts.extend(self.chips.iter().cloned());
        parts.join(" and ")
    }

    /// Where the typed text starts in [`View::filter`], in characters.
    pub fn typed_offset(&self) -> usize {
        usize::from(!self.typed.trim().is_empty())
    }

    /// The question for the worker.
    pub fn query(&self) -> Query {
        Query {
            filter: self.filter(),
            measure: self.measure.name().into(),
            top: TOP_ROWS,
            buckets: TIME_BUCKETS,
        }
    }

    /// The view as a URL fragment (without `#`): `f=…&c=…&c=…&m=…&t=…&s=…&tz=local`, values
    /// percent-encoded, defaults left out.
    pub fn to_fragment(&self) -> String {
        let mut parts = Vec::new();
        if !self.typed.is_empty() {
            parts.push(format!("f={}", encode(&self.typed)));
        }
        for chip in &self.chips {
            parts.push(format!("c={}", encode(chip)));
        }
        if self.measure != Measure::default() {
            parts.push(format!("m={}", self.measure.name()));
        }
        if self.tab != Tab::default() {
            parts.push(format!("t={}", self.tab.name()));
        }
        if let Some((field, descending)) = &self.sort {
            let sign = if *descending { "-" } else { "" };
            parts.push(format!("s={sign}{}", encode(field)));
        }
        if self.local_time {
            parts.push("tz=local".into());
        }
        parts.join("&")
    }

    /// Reads [`View::to_fragment`] (with or without `#`); unknown parts are ignored.
    pub fn from_fragment(fragment: &str) -> View {
        let mut view = View::default();
        for part in fragment.trim_start_matches('#').split('&') {
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            let value = decode(value);
            match key {
                "f" => view.typed = value,
                "c" if !value.is_empty() => view.chips.push(value),
                "m" => view.measure = Measure::from_name(&value).unwrap_or_default(),
                "t" => view.tab = Tab::from_name(&value).unwrap_or_default(),
                "s" if !value.is_empty() => {
                    view.sort = Some(match value.strip_prefix('-') {
                        Some(field) => (field.to_owned(), true),
                        None => (value, false),
                    })
                }
                "tz" => view.local_time = value == "local",
                _ => {}
            }
        }
        view
    }
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Reverses [`encode`]; a malformed escape is kept as it is.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One file the user gave.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEntry {
    /// The id the worker knows it by.
    pub id: JobId,
    /// Its name, or its path inside a dropped folder.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The layout the user gave for it, if any.
    pub format: Option<String>,
    /// How far reading it has come.
    pub status: FileStatus,
}

/// How far reading a file has come.
#[derive(Clone, Debug, PartialEq)]
pub enum FileStatus {
    /// The worker is reading it.
    Reading {
        /// Bytes read so far.
        bytes_read: u64,
        /// Records decoded so far.
        records: u64,
        /// Issues found so far.
        issues: u64,
    },
    /// Read to the end. Shared, because the result is never changed once it arrives.
    Done(Rc<FileResult>),
    /// Not readable at all.
    Failed(String),
}

/// The state of the "Try sample data" request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SampleStatus {
    /// Not asked for, or delivered.
    #[default]
    Idle,
    /// Being fetched.
    Loading,
    /// Could not be fetched.
    Failed(String),
}

/// Something that happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A file was handed to the worker.
    Add {
        /// The id it was sent with.
        id: JobId,
        /// Its name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The layout the user gave for it, if any.
        format: Option<String>,
    },
    /// The worker said something.
    Reply(FromWorker),
    /// Several things at once, in this order, drawn once: the files of a folder, or the
    /// worker's replies that arrived close together, so that hundreds of files do not draw
    /// the page again for each of them.
    All(Vec<Action>),
    /// The user removed a file.
    Remove(JobId),
    /// The sample files are being fetched.
    SamplesLoading,
    /// The sample files were fetched and handed to the worker.
    SamplesLoaded,
    /// The sample files could not be fetched.
    SamplesFailed(String),
    /// Something went wrong that belongs to no file.
    Notice(String),
    /// The user closed the notice.
    DismissNotice,
    /// The user applied a typed filter.
    Filter(String),
    /// The user clicked a mark: add its condition as a chip.
    AddChip(String),
    /// The user removed a chip.
    RemoveChip(usize),
    /// The user switched what charts measure.
    Measure(Measure),
    /// The view was read from the URL fragment.
    Restore(View),
    /// A question was sent to the worker under this number.
    Asked(u32),
    /// A question about the tab's rows was sent under this number.
    AskedDetail(u32),
    /// The user chose a tab.
    Tab(Tab),
    /// The user sorted the records table by a field (again: the other way).
    Sort(String),
    /// The records table scrolled: the window of rows it wants starts here.
    RecordsWindow(u64),
    /// The user opened a record in the drawer, or closed it (`None`).
    Drawer(Option<Rc<RecordRow>>),
    /// The user switched between UTC and local time.
    LocalTime(bool),
    /// The user chose a time range on the chart (`from..to`, Unix seconds): it becomes the
    /// time chip, in place of an earlier one.
    Zoom(u64, u64),
}

/// How serious a row's note is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Some lines were not read; the rest were.
    Warning,
    /// Nothing useful was read from the file.
    Error,
}

/// A sentence shown in a file's row about what went wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// How serious it is.
    pub severity: Severity,
    /// What to show.
    pub text: String,
}

impl State {
    /// Applies an action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Tab(tab) => self.view.tab = tab,
            Action::Sort(field) => {
                let (current, descending) = self.sort();
                self.view.sort = Some(if current == field {
                    (field, !descending)
                } else {
                    // Numbers read best largest first; names and addresses A to Z.
                    let numeric = matches!(field.as_str(), "bytes" | "packets" | "end");
                    (field, numeric)
                });
                self.records_offset = 0;
            }
            Action::RecordsWindow(offset) => self.records_offset = offset,
            Action::Drawer(row) => self.drawer = row,
            Action::LocalTime(local) => self.view.local_time = local,
            Action::AskedDetail(seq) => {
                self.asked_detail = seq;
                self.detail_asked_for = self.detail_question();
            }
            Action::Filter(text) => {
                self.records_offset = 0;
                let text = text.trim().to_owned();
                if !text.is_empty() {
                    self.history.retain(|h| *h != text);
                    self.history.insert(0, text.clone());
                    self.history.truncate(HISTORY);
                }
                self.view.typed = text;
                self.filter_error = self.certain_filter_error();
            }
            Action::AddChip(chip) => {
                self.records_offset = 0;
                if !self.view.chips.contains(&chip) {
                    self.view.chips.push(chip);
                }
            }
            Action::RemoveChip(i) => {
                self.records_offset = 0;
                if i < self.view.chips.len() {
                    self.view.chips.remove(i);
                }
            }
            Action::Measure(measure) => self.view.measure = measure,
            Action::Restore(view) => {
                self.records_offset = 0;
                self.drawer = None;
                self.view = view;
                self.filter_error = self.certain_filter_error();
            }
            Action::Zoom(from, to) => {
                self.records_offset = 0;
                self.view.chips.retain(|c| !c.starts_with(TIME_CHIP));
                self.view.chips.push(time_chip(from, to));
            }
            Action::Asked(seq) => {
                self.asked = seq;
                self.asked_for = Some(self.question());
            }
            Action::Add {
                id,
                name,
                size,
                format,
            } => {
                let status = match &self.worker_error {
                    Some(error) => FileStatus::Failed(error.clone()),
                    None => FileStatus::Reading {
                        bytes_read: 0,
                        records: 0,
                        issues: 0,
                    },
                };
                Rc::make_mut(&mut self.files).push(FileEntry {
                    id,
                    name,
                    size,
                    format,
                    status,
                });
            }
            Action::Reply(reply) => self.reply(reply),
            Action::All(actions) => actions.into_iter().for_each(|a| self.apply(a)),
            Action::Remove(id) => {
                let before = self.files.len();
                Rc::make_mut(&mut self.files).retain(|f| f.id != id);
                if self.files.len() != before {
                    self.count_records();
                }
                if self.files.is_empty() {
                    self.overview = None;
                    self.records = None;
                    self.conversations = None;
                    self.rejected = None;
                    self.drawer = None;
                }
            }
            Action::SamplesLoading => self.samples = SampleStatus::Loading,
            Action::SamplesLoaded => self.samples = SampleStatus::Idle,
            Action::SamplesFailed(message) => self.samples = SampleStatus::Failed(message),
            Action::Notice(message) => self.notice = Some(message),
            Action::DismissNotice => self.notice = None,
        }
    }

    /// The problem in the view's filter that no file could make readable (see
    /// [`check_filter`]): shown as soon as the filter is typed, even while the worker is
    /// busy reading and cannot answer. A filter that names a column no file read so far has
    /// passes here; the worker's answer says whether the files have it.
    fn certain_filter_error(&self) -> Option<FilterProblem> {
        check_filter(&self.view.filter())
            .err()
            .map(|problem| self.in_typed_text(problem))
    }

    /// `problem`, found in the view's whole filter, with positions in the typed text: chips
    /// are written by the page and always read, and the typed text's positions start after
    /// its parenthesis.
    fn in_typed_text(&self, problem: FilterProblem) -> FilterProblem {
        let offset = self.view.typed_offset();
        let len = self.view.typed.chars().count();
        let at = |n: usize| n.saturating_sub(offset).min(len);
        FilterProblem {
            start: at(problem.start),
            end: at(problem.end).max(at(problem.start)),
            message: problem.message,
        }
    }

    fn reply(&mut self, reply: FromWorker) {
        match reply {
            FromWorker::Ready => {}
            FromWorker::Memory { bytes } => self.worker_memory = bytes,
            FromWorker::Answer { seq, answer } if seq == self.asked_detail && seq != 0 => {
                self.detail_answered_for = self.detail_asked_for.clone();
                match *answer {
                    Answer::Records(view) => self.records = Some(Rc::new(view)),
                    Answer::Conversations(view) => self.conversations = Some(Rc::new(view)),
                    Answer::Rejected(view) => self.rejected = Some(Rc::new(view)),
                    // The overview's answer to the same filter says where it is wrong.
                    Answer::BadFilter(_) | Answer::Overview(_) => {}
                }
            }
            FromWorker::Answer { seq, answer } => {
                if seq != self.asked {
                    return;
                }
                self.answered_for = self.asked_for.clone();
                match *answer {
                    Answer::Overview(view) => {
                        self.overview = Some(Rc::new(view));
                        // The answer may be to a question asked before the filter changed.
                        self.filter_error = self.certain_filter_error();
                    }
                    // Only detail questions get these answers.
                    Answer::Records(_) | Answer::Conversations(_) | Answer::Rejected(_) => {}
                    Answer::BadFilter(problem) => {
                        self.filter_error = Some(self.in_typed_text(problem));
                    }
                }
            }
            FromWorker::Progress {
                id,
                bytes_read,
                records,
                issues,
            } => {
                // A late progress message must not undo the end of the file.
                if let Some(file) = self.reading(id) {
                    file.status = FileStatus::Reading {
                        bytes_read,
                        records,
                        issues,
                    };
                }
            }
            FromWorker::Done { id, result } => {
                if let Some(file) = self.reading(id) {
                    file.status = FileStatus::Done(Rc::from(result));
                    self.file_read();
                }
            }
            FromWorker::Failed { id, message } => {
                if let Some(file) = self.reading(id) {
                    file.status = FileStatus::Failed(message);
                    self.catch_up();
                }
            }
            FromWorker::Crashed { message } => {
                let message = format!("the reader stopped on an internal error ({message}); reload the page to try again");
                for file in Rc::make_mut(&mut self.files) {
                    if matches!(file.status, FileStatus::Reading { .. }) {
                        file.status = FileStatus::Failed(message.clone());
                    }
                }
                self.worker_error = Some(message);
                self.catch_up();
            }
        }
    }

    /// Counts a file's records as read. The page asks again at once when it was the last
    /// file being read, but while others are still read only when the number of files read
    /// reaches a power of two: every answer covers every table, so asking after each of a
    /// folder's hundreds of files would answer over the first file hundreds of times, and
    /// the worker that answers is the one that reads. The charts of a large folder then
    /// fill in a few times as it loads (1, 2, 4, 8… files) and once more at the end.
    fn file_read(&mut self) {
        self.behind = true;
        if self.done().is_power_of_two() {
            self.count_records();
        }
        self.catch_up();
    }

    /// Counts every record read once no file is being read any more.
    fn catch_up(&mut self) {
        if self.behind && self.pending() == 0 {
            self.count_records();
        }
    }

    /// Makes the page ask again, about every record read so far.
    fn count_records(&mut self) {
        self.generation += 1;
        self.behind = false;
    }

    /// The file `id`, if it is still being read.
    fn reading(&mut self, id: JobId) -> Option<&mut FileEntry> {
        Rc::make_mut(&mut self.files)
            .iter_mut()
            .find(|f| f.id == id && matches!(f.status, FileStatus::Reading { .. }))
    }

    /// The totals over every file read to its end.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for file in self.files.iter() {
            if let FileStatus::Done(result) = &file.status {
                totals.add(&result.totals);
            }
        }
        totals
    }

    /// Whether the layouts of the records read have the field `name`: `(some have it, some
    /// lack it)`. A layout only announced by a header, with no record, says nothing.
    fn layouts_with(&self, name: &str) -> (bool, bool) {
        let mut with = false;
        let mut without = false;
        for file in self.files.iter() {
            if let FileStatus::Done(result) = &file.status {
                for format in result.formats.iter().filter(|f| f.records > 0) {
                    if format.header.split(' ').any(|field| field == name) {
                        with = true;
                    } else {
                        without = true;
                    }
                }
            }
        }
        (with, without)
    }

    /// The fields that no record read has, among those the cards and charts count: a
    /// transit gateway log has neither `action` nor `interface-id`, and a count of 0
    /// accepted or rejected would pass for an answer.
    pub fn absent_fields(&self) -> AbsentFields {
        let absent = |name| self.layouts_with(name) == (false, true);
        AbsentFields {
            action: absent("action"),
            interface: absent("interface-id"),
        }
    }

    /// What the time chart calls records without an action, from the layouts of the files
    /// read: `NODATA` and `SKIPDATA` records have none, and neither has any record of a
    /// layout without the field (a transit gateway log), which the label must not pass off
    /// as `NODATA`.
    pub fn no_action_label(&self) -> &'static str {
        match self.layouts_with("action") {
            (false, true) => "no action (these logs have no action field)",
            (true, true) => "no action (NODATA, SKIPDATA, or a log without the field)",
            _ => "no action (NODATA, SKIPDATA)",
        }
    }

    /// What the page needs answered now: the records' generation and the view's question.
    pub fn question(&self) -> (u32, Query) {
        (self.generation, self.view.query())
    }

    /// The records table's order: a field and whether largest first.
    pub fn sort(&self) -> (String, bool) {
        self.view
            .sort
            .clone()
            .unwrap_or_else(|| ("start".to_owned(), false))
    }

    /// What the current tab needs answered about its rows, if anything: the records'
    /// generation and the question.
    pub fn detail_question(&self) -> Option<(u32, DetailQuery)> {
        let measure = self.view.measure.name().to_owned();
        let detail = match self.view.tab {
            Tab::Overview | Tab::Quality => return None,
            Tab::Records => Detail::Records {
                sort: self.sort().0,
                descending: self.sort().1,
                offset: self.records_offset,
                limit: RECORD_WINDOW,
            },
            Tab::Conversations => Detail::Conversations {
                measure,
                limit: CONVERSATION_ROWS,
            },
            Tab::Rejected => Detail::Rejected {
                measure,
                top: TOP_ROWS,
            },
        };
        let query = DetailQuery {
            filter: self.view.filter(),
            detail,
        };
        Some((self.generation, query))
    }

    /// Whether the answers shown are not yet the ones for the current files and view.
    pub fn stale(&self) -> bool {
        if self.files.is_empty() {
            return false;
        }
        let detail = self.detail_question();
        self.answered_for.as_ref() != Some(&self.question())
            || (detail.is_some() && self.detail_answered_for != detail)
    }

    /// Whether the cards show an earlier answer's totals, for other files or another
    /// filter than those now chosen, while the answer for these is on its way. The order
    /// of the top lists does not change the totals, so it does not count.
    pub fn totals_stale(&self) -> bool {
        self.overview.is_some()
            && self
                .answered_for
                .as_ref()
                .is_none_or(|(generation, query)| {
                    *generation != self.generation || query.filter != self.view.filter()
                })
    }

    /// Whether the worker has anything to answer about yet: a file read to its end, or no
    /// file still being read (every file failed, or was removed). While the first files
    /// are read, every answer would describe no records at all; asking for one, and
    /// drawing its empty charts, would take the page's thread away from the reading,
    /// which on a machine of two cores wants both of them.
    pub fn worth_asking(&self) -> bool {
        self.done() > 0 || self.pending() == 0
    }

    /// How many files are still being read.
    pub fn pending(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Reading { .. }))
            .count()
    }

    /// How many files were read to their end.
    pub fn done(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Done(_)))
            .count()
    }
}

/// Fields that none of the records read has (see [`State::absent_fields`]): the page shows
/// their counts as not applicable rather than as 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AbsentFields {
    /// No record has `action`: none is known to be accepted or rejected.
    pub action: bool,
    /// No record has `interface-id`.
    pub interface: bool,
}

impl AbsentFields {
    /// Why the accepted and rejected counts are not shown.
    pub const NO_ACTION: &str = "These logs have no action field (transit gateway flow logs \
                                 have none), so they do not say whether traffic was accepted \
                                 or rejected.";
    /// Why the interfaces are not counted or listed.
    pub const NO_INTERFACE: &str = "These logs have no interface-id field: transit gateway \
                                    flow logs name attachments instead.";
}

/// How a time-range chip starts; a new range replaces the chip that starts so.
pub const TIME_CHIP: &str = "time in ";

/// The chip of the time range `from..to` (Unix seconds), in UTC dates that the filter
/// language reads: records whose window overlaps the range, as `time in` means.
pub fn time_chip(from: u64, to: u64) -> String {
    let date = |t: u64| crate::numbers::utc(t).replace(' ', "T") + "Z";
    format!("{TIME_CHIP}{}..{}", date(from), date(to.max(from + 1)))
}

/// The row at the top of the screen for a scroll position.
pub fn first_row(top: u64, height: u64, matched: u64) -> u64 {
    let pixels = matched * ROW_PIXELS;
    if pixels <= MAX_PIXELS {
        return (top / ROW_PIXELS).min(matched.saturating_sub(1));
    }
    // In proportion: the top of the range shows row 0, the bottom the last screenful.
    let range = (MAX_PIXELS + ROW_PIXELS).saturating_sub(height).max(1);
    let rows = matched.saturating_sub(height / ROW_PIXELS);
    ((top.min(range) as u128 * rows as u128) / range as u128) as u64
}

impl FileEntry {
    /// What the row should say about problems with this file, if anything.
    pub fn note(&self) -> Option<Note> {
        match &self.status {
            FileStatus::Reading { .. } => None,
            FileStatus::Failed(message) => Some(Note {
                severity: Severity::Error,
                text: format!("Could not read this file: {message}."),
            }),
            FileStatus::Done(result) => note_for(result),
        }
    }
}

fn note_for(result: &FileResult) -> Option<Note> {
    let lines = |n: u64| {
        if n == 1 {
            "1 line".to_owned()
        } else {
            format!("{} lines", thousands(n))
        }
    };
    let kinds = || {
        let parts: Vec<String> = result
            .issue_kinds
            .iter()
            .map(|(kind, n)| format!("{} {}", kind.replace('-', " "), thousands(*n)))
            .collect();
        parts.join(", ")
    };
    // For a whole-file problem the decoder's own sentence ("this is a PDF document, not a
    // flow log") says more than any count.
    let whole_file = result
        .examples
        .first()
        .filter(|issue| issue.line == 0)
        .map(|issue| issue.message.clone());
    match (result.totals.records, result.issues) {
        (0, 0) => Some(Note {
            severity: Severity::Error,
            text: "No flow-log records found: the file holds no lines.".into(),
        }),
        (0, issues) => Some(Note {
            severity: Severity::Error,
            text: match whole_file {
                Some(why) => format!("No flow-log records found: {why}."),
                None => format!(
                    "No flow-log records found: {} could not be read ({}).",
                    lines(issues),
                    kinds()
                ),
            },
        }),
        (_, 0) => None,
        (_, issues) => Some(Note {
            severity: Severity::Warning,
            text: format!("{} could not be read ({}).", lines(issues), kinds()),
        }),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::{FormatView, IssueExample};

    fn done(id: JobId, records: u64, bytes: u64, issues: u64) -> Action {
        let issue_kinds = if issues > 0 {
            vec![("too-few-fields".to_owned(), issues)]
        } else {
            vec![]
        };
        Action::Reply(FromWorker::Done {
            id,
            result: Box::new(FileResult {
                issues,
                issue_kinds,
                totals: Totals {
                    records,
                    bytes,
                    packets: records * 2,
                    ..Totals::default()
                },
                ..FileResult::default()
            }),
        })
    }

    #[test]
    fn a_files_end_after_its_progress_is_applied_at_once_and_other_replies_wait() {
        let progress = FromWorker::Progress {
            id: 1,
            bytes_read: 10,
            records: 1,
            issues: 0,
        };
        let Action::Reply(end) = done(1, 1, 1, 0) else {
            unreachable!()
        };
        let failed = FromWorker::Failed {
            id: 2,
            message: "no".into(),
        };
        // Within a batch of the last one: progress waits for the rest of the batch time…
        assert_eq!(reply_wait_ms(&progress, 15.0, false), REPLY_BATCH_MS - 15.0);
        // …while the first end after it does not, whether read or failed.
        assert_eq!(reply_wait_ms(&end, 15.0, false), 0.0);
        assert_eq!(reply_wait_ms(&failed, 1.0, false), 0.0);
        // Ends that follow an end are batched like the rest (a folder of small files).
        assert_eq!(reply_wait_ms(&end, 15.0, true), REPLY_BATCH_MS - 15.0);
        // After a quiet spell, every reply is applied at once.
        assert_eq!(reply_wait_ms(&progress, REPLY_BATCH_MS + 1.0, true), 0.0);
        assert_eq!(reply_wait_ms(&end, f64::INFINITY, true), 0.0);
    }

    fn add(id: JobId, name: &str) -> Action {
        Action::Add {
            id,
            name: name.into(),
            size: 100,
            format: None,
        }
    }

    /// A file read with the layouts given as header lines and record counts.
    fn done_with_layouts(id: JobId, layouts: &[(&str, u64)]) -> Action {
        let formats = layouts
            .iter()
            .map(|&(header, records)| FormatView {
                header: header.into(),
                records,
                ..FormatView::default()
            })
            .collect();
        Action::Reply(FromWorker::Done {
            id,
            result: Box::new(FileResult {
                formats,
                ..FileResult::default()
            }),
        })
    }

    #[test]
    fn records_without_action_are_named_after_the_layouts_read() {
        const VPC: &str = "version account-id interface-id srcaddr dstaddr srcport dstport \
                           protocol packets bytes start end action log-status";
        const TGW: &str = "version resource-type account-id tgw-id srcaddr dstaddr packets \
                           bytes start end log-status";
        let mut state = State::default();
        assert_eq!(state.no_action_label(), "no action (NODATA, SKIPDATA)");
        state.apply(add(1, "vpc.log"));
        state.apply(done_with_layouts(1, &[(VPC, 10)]));
        assert_eq!(state.no_action_label(), "no action (NODATA, SKIPDATA)");
        state.apply(add(2, "tgw.log"));
        // A layout only announced by a header, with no record, says nothing about records.
        state.apply(done_with_layouts(2, &[(TGW, 0)]));
        assert_eq!(state.no_action_label(), "no action (NODATA, SKIPDATA)");
        state.apply(add(3, "tgw-2.log"));
        state.apply(done_with_layouts(3, &[(TGW, 5)]));
        assert_eq!(
            state.no_action_label(),
            "no action (NODATA, SKIPDATA, or a log without the field)"
        );
        assert_eq!(state.absent_fields(), AbsentFields::default());
        state.apply(Action::Remove(1));
        assert_eq!(
            state.no_action_label(),
            "no action (these logs have no action field)"
        );
        assert_eq!(
            state.absent_fields(),
            AbsentFields {
                action: true,
                interface: true
            }
        );
    }

    #[test]
    fn the_worker_is_asked_once_a_file_is_read_or_none_is_being_read() {
        let failed = |id| {
            Action::Reply(FromWorker::Failed {
                id,
                message: "unreadable".into(),
            })
        };
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(add(2, "b.log"));
        // Nothing is read to its end yet: any answer would count no records.
        assert!(!state.worth_asking());
        state.apply(failed(1));
        assert!(!state.worth_asking());
        state.apply(done(2, 10, 100, 0));
        assert!(state.worth_asking());
        // A file added later does not take the answers away.
        state.apply(add(3, "c.log"));
        assert!(state.worth_asking());

        // Every file failed: the page asks, and shows that nothing was read.
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(failed(1));
        assert!(state.worth_asking());
        // A file removed while it is read leaves nothing being read.
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(Action::Remove(1));
        state.apply(add(2, "b.log"));
        assert!(!state.worth_asking());
        state.apply(Action::Remove(2));
        assert!(state.worth_asking());
    }

    #[test]
    fn scroll_positions_map_to_rows() {
        // One row per 28 pixels while everything fits.
        assert_eq!(first_row(0, 560, 1000), 0);
        assert_eq!(first_row(28 * 10 + 5, 560, 1000), 10);
        assert_eq!(first_row(28 * 5000, 560, 1000), 999);
        // Ten million rows: the top is row 0, the bottom shows the last screenful.
        let bottom = MAX_PIXELS + ROW_PIXELS - 560;
        assert_eq!(first_row(0, 560, 10_000_000), 0);
        assert_eq!(first_row(bottom, 560, 10_000_000), 10_000_000 - 20);
        assert_eq!(
            first_row(bottom / 2, 560, 10_000_000),
            (10_000_000 - 20) / 2
        );
    }

    #[test]
    fn a_file_that_would_not_fit_is_refused_before_it_is_read() {
        // A 10M-record file of 1.14 GB is estimated at 0.36 bytes of memory per byte of
        // text; 4 GiB less the answers' margin leaves 4,026,531,840 bytes, so it is let in
        // while the tab holds up to 3,616,574,619 bytes and refused beyond.
        let file = 1_138_770_061;
        assert_eq!(memory_estimate("a.log", file), 409_957_221);
        assert_eq!(memory_estimate("a.log.gz", file / 10), 409_957_221);
        assert_eq!(would_not_fit("a.log", file, 0, 0), None);
        assert_eq!(would_not_fit("g.log", file, 3_616_574_619, 0), None);
        assert!(would_not_fit("g.log", file, 3_616_574_620, 0).is_some());
        let refused = would_not_fit("h.log", file, 3_700_000_000, 0).unwrap();
        assert!(
            refused.starts_with("its records would need about 410 MB of memory"),
            "{refused}"
        );
        // Files still being read count too.
        assert!(would_not_fit("b.log", file, 0, 3_900_000_000).is_some());
    }

    #[test]
    fn the_first_worker_decodes_a_file_only_if_its_hardest_peak_fits() {
        // 4 GiB less the answers' margin is 4,026,531,840 bytes; a file may take up to one
        // byte of memory per byte of text while it is decoded.
        let room = 4_026_531_840;
        let file = 1_000_000_000;
        assert!(home_may_read("a.log", file, 0, 0));
        assert!(home_may_read("a.log", file, room - file, 0));
        assert!(!home_may_read("a.log", file, room - file + 1, 0));
        // Other files being read count, and a gzip file by its text.
        assert!(!home_may_read("a.log", file, 0, room - file + 1));
        assert!(home_may_read("a.log.gz", file / 10, room - file, 0));
        assert!(!home_may_read("a.log.gz", file / 10, room - file + 1, 0));
        // A file whose records would fit but whose peak might not goes to a worker of
        // its own instead.
        assert_eq!(would_not_fit("a.log", file, 3_100_000_000, 0), None);
        assert!(!home_may_read("a.log", file, 3_100_000_000, 0));
    }

    #[test]
    fn a_decoded_table_that_would_not_fit_is_refused_by_its_image() {
        // An image of 1 GB takes about 1.5 GB once adopted, its index included.
        let image = 1_000_000_000;
        assert_eq!(adopted_estimate(image), 1_500_000_000);
        assert_eq!(would_not_fit_adopted(image, 2_526_531_840, 0), None);
        assert!(would_not_fit_adopted(image, 2_526_531_841, 0).is_some());
        assert!(would_not_fit_adopted(image, 0, 2_526_531_841).is_some());
        let refused = would_not_fit_adopted(image, 3_000_000_000, 0).unwrap();
        assert!(
            refused.starts_with("its records take about 1.50 GB of memory once decoded, and"),
            "{refused}"
        );
        assert!(refused.contains("What is loaded stays"), "{refused}");
    }

    #[test]
    fn a_folder_is_asked_about_at_powers_of_two_and_at_its_end() {
        let mut state = State::default();
        for id in 1..=6 {
            state.apply(add(id, &format!("{id}.log")));
        }
        let mut asked_at = Vec::new();
        for id in 1..=5 {
            let before = state.generation;
            state.apply(done(id, 10, 1000, 0));
            if state.generation != before {
                asked_at.push(id);
            }
        }
        // Five of six files read: asked after the first, second and fourth.
        assert_eq!(asked_at, [1, 2, 4]);
        assert!(state.behind);
        // The last file fails: what was read is counted all the same.
        let before = state.generation;
        state.apply(Action::Reply(FromWorker::Failed {
            id: 6,
            message: "unreadable".into(),
        }));
        assert_ne!(state.generation, before);
        assert!(!state.behind);
        // A file added later is asked about as soon as it is read.
        state.apply(add(7, "7.log"));
        let before = state.generation;
        state.apply(done(7, 10, 1000, 0));
        assert_ne!(state.generation, before);
    }

    #[test]
    fn files_add_up_once_done() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(add(2, "b.log"));
        assert_eq!(state.pending(), 2);
        state.apply(done(1, 10, 1000, 0));
        assert_eq!(state.totals().records, 10);
        state.apply(done(2, 5, 500, 0));
        let totals = state.totals();
        assert_eq!(
            (totals.records, totals.bytes, totals.packets),
            (15, 1500, 30)
        );
        assert_eq!(state.pending(), 0);
        assert_eq!(state.done(), 2);

        state.apply(Action::Remove(1));
        assert_eq!(state.totals().records, 5);
    }

    #[test]
    fn late_progress_does_not_undo_the_end() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(done(1, 10, 1000, 0));
        state.apply(Action::Reply(FromWorker::Progress {
            id: 1,
            bytes_read: 5,
            records: 1,
            issues: 0,
        }));
        assert!(matches!(state.files[0].status, FileStatus::Done(_)));
        // Replies for files the page no longer has are ignored.
        state.apply(done(9, 1, 1, 0));
        assert_eq!(state.files.len(), 1);
    }

    #[test]
    fn a_bad_file_says_why_and_leaves_the_others() {
        let mut state = State::default();
        state.apply(add(1, "good.log"));
        state.apply(add(2, "report.pdf"));
        state.apply(done(1, 3, 300, 0));
        state.apply(Action::Reply(FromWorker::Done {
            id: 2,
            result: Box::new(FileResult {
                issues: 1,
                issue_kinds: vec![("unsupported-file".into(), 1)],
                examples: vec![IssueExample {
                    line: 0,
                    kind: "unsupported-file".into(),
                    message: "this is a PDF document, not a flow log".into(),
                    excerpt: String::new(),
                }],
                ..FileResult::default()
            }),
        }));
        assert_eq!(state.files[0].note(), None);
        let note = state.files[1].note().unwrap();
        assert_eq!(note.severity, Severity::Error);
        assert_eq!(
            note.text,
            "No flow-log records found: this is a PDF document, not a flow log."
        );
        assert_eq!(state.totals().records, 3);
    }

    #[test]
    fn notes_count_lines() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(done(1, 10, 1000, 1234));
        let note = state.files[0].note().unwrap();
        assert_eq!(note.severity, Severity::Warning);
        assert_eq!(
            note.text,
            "1,234 lines could not be read (too few fields 1,234)."
        );
        state.apply(add(2, "b.log"));
        state.apply(done(2, 0, 0, 1));
        assert_eq!(
            state.files[1].note().unwrap().text,
            "No flow-log records found: 1 line could not be read (too few fields 1)."
        );
    }

    #[test]
    fn chips_and_typed_text_make_one_filter() {
        let mut state = State::default();
        assert_eq!(state.view.filter(), "");
        state.apply(Action::Filter("  action = REJECT or dstport = 22 ".into()));
        state.apply(Action::AddChip("srcaddr = 10.0.0.1".into()));
        state.apply(Action::AddChip("not dstport = 443".into()));
        state.apply(Action::AddChip("srcaddr = 10.0.0.1".into()));
        assert_eq!(
            state.view.filter(),
            "(action = REJECT or dstport = 22) and srcaddr = 10.0.0.1 and not dstport = 443"
        );
        state.apply(Action::RemoveChip(0));
        assert_eq!(state.view.chips, ["not dstport = 443"]);
        assert_eq!(state.history, ["action = REJECT or dstport = 22"]);
        state.apply(Action::Filter(String::new()));
        assert_eq!(state.view.filter(), "not dstport = 443");
    }

    #[test]
    fn the_view_round_trips_through_the_fragment() {
        let view = View {
            typed: "dstport in (22, 3389) & 'a b'".into(),
            chips: vec!["srcaddr = 2001:db8::1".into(), "not protocol = 6".into()],
            measure: Measure::Packets,
            tab: Tab::Records,
            sort: Some(("srcaddr".into(), true)),
            local_time: true,
        };
        let fragment = view.to_fragment();
        assert!(
            !fragment.contains(' ') && !fragment.contains('#'),
            "{fragment}"
        );
        assert_eq!(View::from_fragment(&format!("#{fragment}")), view);
        assert_eq!(View::from_fragment(""), View::default());
        assert_eq!(
            View::from_fragment("#x=1&f=%zz"),
            View {
                typed: "%zz".into(),
                ..View::default()
            }
        );
    }

    #[test]
    fn a_filter_no_file_could_read_is_refused_before_any_answer() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(Action::AddChip("srcaddr = 10.0.0.1".into()));
        // Typed while the file is read, before the worker is asked anything.
        state.apply(Action::Filter("action = REJECT and dstport = sshh".into()));
        let problem = state
            .filter_error
            .clone()
            .expect("a port name no one knows");
        assert_eq!((problem.start, problem.end), (30, 34));
        assert!(
            problem.message.contains("found `sshh`"),
            "{}",
            problem.message
        );
        // An answer to the question asked before keeps the error of the filter typed since.
        state.apply(Action::Asked(1));
        state.apply(Action::Reply(FromWorker::Answer {
            seq: 1,
            answer: Box::new(Answer::Overview(OverviewView::default())),
        }));
        assert!(state.overview.is_some());
        assert_eq!(state.filter_error, Some(problem));
        // Mended, the error goes at once; so it does when a saved view is opened.
        state.apply(Action::Filter("action = REJECT and dstport = ssh".into()));
        assert_eq!(state.filter_error, None);
        let view = View {
            typed: "port ==".into(),
            ..View::default()
        };
        state.apply(Action::Restore(view));
        assert_eq!(
            state.filter_error.as_ref().map(|p| (p.start, p.end)),
            Some((7, 7))
        );
    }

    #[test]
    fn only_the_latest_answer_counts_and_errors_point_into_the_typed_text() {
        let mut state = State::default();
        // A column no file may have: only the worker can say the files lack it.
        state.apply(Action::Filter("colour = red".into()));
        assert_eq!(state.filter_error, None);
        state.apply(Action::AddChip("srcaddr = 10.0.0.1".into()));
        state.apply(Action::Asked(2));
        let answer = |seq, answer| {
            Action::Reply(FromWorker::Answer {
                seq,
                answer: Box::new(answer),
            })
        };
        state.apply(answer(1, Answer::Overview(OverviewView::default())));
        assert_eq!(state.overview, None);
        state.apply(answer(
            2,
            Answer::BadFilter(FilterProblem {
                start: 1,
                end: 7,
                message: "expected a field name".into(),
            }),
        ));
        assert_eq!(
            state.filter_error.as_ref().map(|p| (p.start, p.end)),
            Some((0, 6))
        );
        state.apply(answer(2, Answer::Overview(OverviewView::default())));
        assert!(state.overview.is_some() && state.filter_error.is_none());
        // No file, nothing to wait for; with a file, the answer must be for the current view.
        assert!(!state.stale());
        state.apply(add(1, "a.log"));
        assert!(!state.stale());
        state.apply(done(1, 10, 1000, 0));
        assert!(state.stale());
        state.apply(Action::Asked(3));
        state.apply(answer(3, Answer::Overview(OverviewView::default())));
        assert!(!state.stale());
        state.apply(Action::Measure(Measure::Records));
        assert!(state.stale());
    }

    #[test]
    fn totals_are_stale_from_a_file_or_filter_change_until_its_answer() {
        let mut state = State::default();
        let overview = |seq| {
            Action::Reply(FromWorker::Answer {
                seq,
                answer: Box::new(Answer::Overview(OverviewView::default())),
            })
        };
        state.apply(add(1, "a.log"));
        state.apply(done(1, 10, 1000, 0));
        // The cards add up the files' own totals until the first answer: those are exact.
        assert!(!state.totals_stale());
        state.apply(Action::Asked(1));
        state.apply(overview(1));
        assert!(!state.totals_stale());
        // A second file read: the cards still hold the first file's answer.
        state.apply(add(2, "b.log"));
        state.apply(done(2, 5, 500, 0));
        assert!(state.totals_stale());
        state.apply(Action::Asked(2));
        state.apply(overview(2));
        assert!(!state.totals_stale());
        // A new filter changes the totals; a new order of the top lists does not.
        state.apply(Action::Measure(Measure::Records));
        assert!(!state.totals_stale());
        state.apply(Action::AddChip("dstport = 22".into()));
        assert!(state.totals_stale());
        state.apply(Action::Asked(3));
        state.apply(overview(3));
        assert!(!state.totals_stale());
    }

    #[test]
    fn a_zoom_replaces_the_time_chip_and_keeps_the_others() {
        let mut state = State::default();
        state.apply(Action::AddChip("dstport = 22".into()));
        state.apply(Action::Zoom(1_795_161_600, 1_795_165_200));
        state.apply(Action::Zoom(1_795_162_200, 1_795_162_500));
        assert_eq!(
            state.view.chips,
            [
                "dstport = 22",
                "time in 2026-11-20T08:10:00Z..2026-11-20T08:15:00Z"
            ]
        );
        // The chip is read by the engine's own parser.
        assert!(flowlog_query::Filter::parse(&state.view.filter()).is_ok());
    }

    #[test]
    fn a_crash_fails_the_files_in_flight_and_later_ones() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(add(2, "b.log"));
        state.apply(done(1, 1, 1, 0));
        state.apply(Action::Reply(FromWorker::Crashed {
            message: "unreachable".into(),
        }));
        assert!(matches!(state.files[0].status, FileStatus::Done(_)));
        assert!(matches!(state.files[1].status, FileStatus::Failed(_)));
        state.apply(add(3, "c.log"));
        assert!(matches!(state.files[2].status, FileStatus::Failed(_)));
        assert_eq!(state.pending(), 0);
    }
}
