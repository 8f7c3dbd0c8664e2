//! Unwrapping: gzip, CloudWatch JSON and CSV exports around the record lines, told apart by
//! their content, never by file names.
//!
//! Each wrapper is a stage of a push pipeline. The first stage sniffs the opening bytes and
//! turns into the stage they call for; a gzip stage inflates and hands its output to a fresh
//! sniffing stage of its own, so gzip of JSON or gzip of gzip unwrap the same way.

use crate::issue::IssueKind;
use crate::records::RecordReader;
use base64::Engine;
use serde_json::Value as Json;
use std::fmt;
use std::io::Write;

/// The longest line accepted. Records are a few hundred bytes; this bounds the memory that a
/// binary file without line breaks can take.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// A wrapper found around the records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wrapper {
    /// gzip, possibly of several members.
    Gzip,
    /// A JSON document of log events: `aws logs filter-log-events` / `get-log-events` output
    /// (`{"events": [{"message": …}, …]}`) or an array of events.
    CloudWatchJson,
    /// One JSON object per line, `{"message": …}`, as Firehose writes.
    JsonLines,
    /// CloudWatch Logs subscription payloads: `{"messageType": "DATA_MESSAGE", "logEvents": …}`.
    Subscription,
    /// A Lambda event carrying a base64 gzip subscription payload: `{"awslogs": {"data": …}}`.
    LambdaEvent,
    /// A CloudWatch Logs Insights CSV export (`@timestamp,@message`, …).
    InsightsCsv,
    /// The console's "download log events" CSV (`timestamp,message`).
    ConsoleCsv,
}

impl Wrapper {
    /// A stable, hyphenated name.
    pub fn name(self) -> &'static str {
        match self {
            Wrapper::Gzip => "gzip",
            Wrapper::CloudWatchJson => "cloudwatch-json",
            Wrapper::JsonLines => "json-lines",
            Wrapper::Subscription => "subscription",
            Wrapper::LambdaEvent => "lambda-event",
            Wrapper::InsightsCsv => "insights-csv",
            Wrapper::ConsoleCsv => "console-csv",
        }
    }
}

impl fmt::Display for Wrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the stages share: where records go, and what wrappers were seen.
pub(crate) struct Sink {
    pub(crate) reader: RecordReader,
    pub(crate) wrappers: Vec<Wrapper>,
    /// The number of the last JSON log event handed on, for documents without lines.
    events: u64,
}

impl Sink {
    pub(crate) fn new(reader: RecordReader) -> Sink {
        Sink {
            reader,
            wrappers: Vec::new(),
            events: 0,
        }
    }

    pub(crate) fn saw(&mut self, wrapper: Wrapper) {
        if !self.wrappers.contains(&wrapper) {
            self.wrappers.push(wrapper);
        }
    }
}

/// Splits bytes into numbered lines across chunk boundaries.
#[derive(Default)]
pub(crate) struct Lines {
    partial: Vec<u8>,
    line: u64,
    /// Set while the rest of an over-long line is being skipped.
    skipping: bool,
}

/// Reads whole lines, the first numbered as given, each ending with a line break but the
/// last, which may end without one; returns how many there were.
type ReadLines = fn(&mut Sink, u64, &[u8]) -> u64;

impl Lines {
    /// Hands `chunk`'s whole lines to `read`: the end of a line begun in an earlier chunk
    /// on its own, then all the lines the chunk holds whole at once, so that their reading
    /// is set up once per chunk rather than once per line.
    fn feed(&mut self, chunk: &[u8], sink: &mut Sink, read: ReadLines) {
        let mut start = 0;
        if self.skipping || !self.partial.is_empty() {
            if let Some(newline) = memchr::memchr(b'\n', chunk) {
                self.line += 1;
                if self.skipping {
                    self.skipping = false;
                } else {
                    self.partial.extend_from_slice(&chunk[..newline]);
                    let whole = std::mem::take(&mut self.partial);
                    read(sink, self.line, &whole);
                    self.partial = whole;
                }
                self.partial.clear();
                start = newline + 1;
            }
        }
        if let Some(last) = memchr::memrchr(b'\n', &chunk[start..]) {
            let end = start + last + 1;
            self.line += read(sink, self.line + 1, &chunk[start..end]);
            start = end;
        }
        let rest = &chunk[start..];
        if !self.skipping && !rest.is_empty() {
            self.partial.extend_from_slice(rest);
            if self.partial.len() > MAX_LINE_BYTES {
                let message = format!(
                    "the line is longer than {MAX_LINE_BYTES} bytes; no flow-log record is; \
                     is this a text flow log?"
                );
                let excerpt = std::mem::take(&mut self.partial);
                sink.reader
                    .issue(self.line + 1, IssueKind::LineTooLong, message, &excerpt);
                self.skipping = true;
            }
        }
    }

    fn finish(&mut self, sink: &mut Sink, read: ReadLines) {
        if !self.skipping && !self.partial.is_empty() {
            self.line += 1;
            let whole = std::mem::take(&mut self.partial);
            read(sink, self.line, &whole);
        }
    }
}

/// One stage of the pipeline.
pub(crate) enum Stage {
    /// Collecting the opening bytes until they tell what the content is.
    Sniff(Vec<u8>),
    Text(Lines),
    JsonLines(Lines),
    JsonDocument(Vec<u8>),
    Csv(Box<Csv>),
    Gzip(Box<Gzip>),
    /// The rest of the input is ignored (an unsupported file, or a corrupt gzip stream),
    /// after one issue saying why.
    Ignore,
}

pub(crate) struct Gzip {
    inflater: flate2::write::MultiGzDecoder<Vec<u8>>,
    inner: Stage,
}

impl Stage {
    pub(crate) fn new() -> Stage {
        Stage::Sniff(Vec::new())
    }

    /// Pushes the next bytes through this stage.
    pub(crate) fn feed(&mut self, chunk: &[u8], sink: &mut Sink) {
        match self {
            Stage::Sniff(buffer) => {
                // A first chunk that says what it is goes on without being copied; `sniff`
                // changes nothing when it cannot tell yet.
                if buffer.is_empty() {
                    if let Some(next) = sniff(chunk, false, sink) {
                        *self = next;
                        self.feed(chunk, sink);
                        return;
                    }
                }
                buffer.extend_from_slice(chunk);
                if let Some(next) = sniff(buffer, false, sink) {
                    let buffered = std::mem::take(buffer);
                    *self = next;
                    self.feed(&buffered, sink);
                }
            }
            Stage::Text(lines) => lines.feed(chunk, sink, text_lines),
            Stage::JsonLines(lines) => lines.feed(chunk, sink, json_lines),
            Stage::JsonDocument(buffer) => buffer.extend_from_slice(chunk),
            Stage::Csv(csv) => csv.feed(chunk, sink),
            Stage::Gzip(gzip) => {
                if let Err(error) = gzip.inflater.write_all(chunk) {
                    gzip_failed(sink, &error);
                    // What was inflated before the damage may still sit in the inflater's
                    // own buffer; finishing hands it over (and fails again, as expected), so
                    // that the records before the damage are read however the input was cut.
                    let _ = gzip.inflater.try_finish();
                    let inflated = std::mem::take(gzip.inflater.get_mut());
                    gzip.inner.feed(&inflated, sink);
                    let mut inner = std::mem::replace(&mut gzip.inner, Stage::Ignore);
                    inner.finish(sink);
                    *self = Stage::Ignore;
                    return;
                }
                let inflated = std::mem::take(gzip.inflater.get_mut());
                gzip.inner.feed(&inflated, sink);
                // Give the buffer back so that its allocation is reused.
                *gzip.inflater.get_mut() = inflated;
                gzip.inflater.get_mut().clear();
            }
            Stage::Ignore => {}
        }
    }

    /// Ends the input: flushes partial lines and documents.
    pub(crate) fn finish(&mut self, sink: &mut Sink) {
        match self {
            Stage::Sniff(buffer) => {
                let buffered = std::mem::take(buffer);
                if let Some(mut next) = sniff(&buffered, true, sink) {
                    next.feed(&buffered, sink);
                    next.finish(sink);
                }
            }
            Stage::Text(lines) => lines.finish(sink, text_lines),
            Stage::JsonLines(lines) => lines.finish(sink, json_lines),
            Stage::JsonDocument(buffer) => json_document(buffer, sink),
            Stage::Csv(csv) => csv.finish(sink),
            Stage::Gzip(gzip) => {
                if let Err(error) = gzip.inflater.try_finish() {
                    gzip_failed(sink, &error);
                }
                let inflated = std::mem::take(gzip.inflater.get_mut());
                gzip.inner.feed(&inflated, sink);
                gzip.inner.finish(sink);
            }
            Stage::Ignore => {}
        }
        *self = Stage::Ignore;
    }
}

fn gzip_failed(sink: &mut Sink, error: &std::io::Error) {
    let message = format!(
        "the gzip stream is corrupt or cut short ({error}); the records before the damage \
         were read. Download the file again"
    );
    sink.reader.issue(0, IssueKind::BadGzip, message, b"");
}

/// Decides what `buffer` holds, once it holds enough to tell (or the input has ended).
/// Returns `None` while more bytes are needed.
fn sniff(buffer: &[u8], ended: bool, sink: &mut Sink) -> Option<Stage> {
    if buffer.len() >= 2 && buffer[..2] == [0x1f, 0x8b] {
        sink.saw(Wrapper::Gzip);
        return Some(Stage::Gzip(Box::new(Gzip {
            inflater: flate2::write::MultiGzDecoder::new(Vec::new()),
            inner: Stage::new(),
        })));
    }
    let line_end = memchr::memchr(b'\n', buffer);
    // JSON waits for its whole first line, however long (Firehose may write many objects on
    // one line), since that line tells JSON Lines from a document; anything else is decided
    // after 64 KiB, which bounds what a binary file without line breaks costs.
    let json = matches!(buffer.trim_ascii_start().first(), Some(b'{' | b'['));
    if line_end.is_none() && !ended && (json || buffer.len() < 64 * 1024) {
        return None;
    }
    if let Some(what) = unsupported(buffer) {
        let message = format!("this is {what}, not a flow log");
        sink.reader
            .issue(0, IssueKind::UnsupportedFile, message, b"");
        return Some(Stage::Ignore);
    }
    let text = buffer.strip_prefix(b"\xef\xbb\xbf").unwrap_or(buffer);
    let first_line = &text[..memchr::memchr(b'\n', text).unwrap_or(text.len())];
    let trimmed = first_line.trim_ascii();
    match trimmed.first() {
        Some(b'{') | Some(b'[') => {
            let complete = serde_json::Deserializer::from_slice(trimmed)
                .into_iter::<serde::de::IgnoredAny>()
                .all(|v| v.is_ok());
            if complete && trimmed.first() == Some(&b'{') {
                return Some(Stage::JsonLines(Lines::default()));
            }
            return Some(Stage::JsonDocument(Vec::new()));
        }
        _ => {}
    }
    let header = first_line.to_ascii_lowercase();
    let header: Vec<u8> = header.into_iter().filter(|&b| b != b'"').collect();
    if header.starts_with(b"@") {
        sink.saw(Wrapper::InsightsCsv);
        return Some(Stage::Csv(Box::default()));
    }
    if header.starts_with(b"timestamp,") {
        sink.saw(Wrapper::ConsoleCsv);
        return Some(Stage::Csv(Box::default()));
    }
    Some(Stage::Text(Lines::default()))
}

/// Names file types that can never hold flow-log text, from their magic bytes.
fn unsupported(buffer: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive; unzip it and drop the files inside"),
        (b"PAR1", "a Parquet file; Parquet flow logs are not read yet, choose plain-text delivery or convert to text"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"BZh", "a bzip2 file; decompress it first"),
        (b"\xfd7zXZ\x00", "an xz file; decompress it first"),
        (b"\x28\xb5\x2f\xfd", "a zstd file; decompress it first"),
        (b"\x7fELF", "a program, not text"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| buffer.starts_with(magic))
        .map(|(_, what)| *what)
}

fn text_lines(sink: &mut Sink, first: u64, text: &[u8]) -> u64 {
    let text = if first == 1 {
        text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text)
    } else {
        text
    };
    sink.reader.lines(first, text)
}

fn json_lines(sink: &mut Sink, first: u64, text: &[u8]) -> u64 {
    let mut line = first;
    let mut rest = text;
    while !rest.is_empty() {
        let (bytes, next) = match memchr::memchr(b'\n', rest) {
            Some(length) => (&rest[..length], &rest[length + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        json_line(sink, line, bytes);
        line += 1;
        rest = next;
    }
    line - first
}

fn json_line(sink: &mut Sink, line: u64, bytes: &[u8]) {
    let bytes = if line == 1 {
        bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
    } else {
        bytes
    };
    if bytes.trim_ascii().is_empty() {
        sink.reader.blank_lines += 1;
        return;
    }
    // Firehose may write several objects on one line with nothing between them.
    for value in serde_json::Deserializer::from_slice(bytes).into_iter::<Json>() {
        match value {
            Ok(value) => json_value(&value, Some(line), true, sink),
            Err(error) => {
                let message = format!("the line is not valid JSON ({error})");
                sink.reader.issue(line, IssueKind::BadJson, message, bytes);
                return;
            }
        }
    }
}

fn json_document(buffer: &[u8], sink: &mut Sink) {
    let text = buffer.strip_prefix(b"\xef\xbb\xbf").unwrap_or(buffer);
    let mut stream = serde_json::Deserializer::from_slice(text).into_iter::<Json>();
    for value in stream.by_ref() {
        match value {
            Ok(value) => json_value(&value, None, true, sink),
            Err(error) => {
                let line = error.line() as u64;
                let message = format!(
                    "the JSON document is broken at line {line}, column {} ({error}); the \
                     events before it were read",
                    error.column()
                );
                let start = text.len().min(line_start(text, line));
                sink.reader
                    .issue(line, IssueKind::BadJson, message, &text[start..]);
                return;
            }
        }
    }
}

fn line_start(text: &[u8], line: u64) -> usize {
    if line <= 1 {
        return 0;
    }
    memchr::memchr_iter(b'\n', text)
        .nth(line as usize - 2)
        .map_or(text.len(), |i| i + 1)
}

/// Hands the messages in one JSON value to the record reader. `line` is the value's line for
/// JSON Lines; events of a document are numbered instead.
/// `top` is true for a value that stands alone in the file (not inside an event list).
fn json_value(value: &Json, line: Option<u64>, top: bool, sink: &mut Sink) {
    match value {
        Json::Object(object) => {
            if object.get("messageType").and_then(Json::as_str) == Some("CONTROL_MESSAGE") {
                // CloudWatch's own reachability check: it carries no records.
                sink.saw(Wrapper::Subscription);
            } else if let Some(Json::Array(events)) = object.get("logEvents") {
                sink.saw(Wrapper::Subscription);
                for event in events {
                    json_value(event, line, false, sink);
                }
            } else if let Some(Json::Array(events)) = object.get("events") {
                sink.saw(Wrapper::CloudWatchJson);
                for event in events {
                    json_value(event, line, false, sink);
                }
            } else if let Some(data) = object
                .get("awslogs")
                .and_then(|a| a.get("data"))
                .and_then(Json::as_str)
            {
                sink.saw(Wrapper::LambdaEvent);
                lambda_payload(data, line, sink);
            } else if let Some(message) = object.get("message").and_then(Json::as_str) {
                if top && line.is_some() {
                    sink.saw(Wrapper::JsonLines);
                }
                message_line(message.as_bytes(), line, sink);
            } else {
                not_an_event(value, line, sink);
            }
        }
        Json::Array(items) => {
            sink.saw(Wrapper::CloudWatchJson);
            for item in items {
                json_value(item, line, false, sink);
            }
        }
        Json::String(message) => message_line(message.as_bytes(), line, sink),
        _ => not_an_event(value, line, sink),
    }
}

fn message_line(message: &[u8], line: Option<u64>, sink: &mut Sink) {
    sink.events += 1;
    let location = line.unwrap_or(sink.events);
    // A message is one record; a trailing line break is not part of it.
    let message = message.strip_suffix(b"\n").unwrap_or(message);
    sink.reader.line(location, message);
}

fn not_an_event(value: &Json, line: Option<u64>, sink: &mut Sink) {
    sink.events += 1;
    let location = line.unwrap_or(sink.events);
    let text = value.to_string();
    let message = "a JSON value without a `message`: not a CloudWatch log event".to_owned();
    sink.reader
        .issue(location, IssueKind::NotAnEvent, message, text.as_bytes());
}

fn lambda_payload(data: &str, line: Option<u64>, sink: &mut Sink) {
    let location = line.unwrap_or(sink.events + 1);
    let bytes = match base64::engine::general_purpose::STANDARD.decode(data.trim()) {
        Ok(bytes) => bytes,
        Err(error) => {
            let message = format!("`awslogs.data` is not base64 ({error})");
            sink.reader
                .issue(location, IssueKind::BadBase64, message, data.as_bytes());
            return;
        }
    };
    let mut inflated = Vec::new();
    let mut inflater = flate2::write::MultiGzDecoder::new(&mut inflated);
    if let Err(error) = inflater
        .write_all(&bytes)
        .and_then(|_| inflater.try_finish())
    {
        gzip_failed(sink, &error);
        return;
    }
    drop(inflater);
    match serde_json::from_slice::<Json>(&inflated) {
        Ok(value) => json_value(&value, line, false, sink),
        Err(error) => {
            let message = format!("the decoded `awslogs.data` is not JSON ({error})");
            sink.reader
                .issue(location, IssueKind::BadJson, message, &inflated);
        }
    }
}

/// A CSV export: the column named `@message` (Logs Insights) or `message` (console) holds
/// the record; the other columns are CloudWatch's own.
pub(crate) struct Csv {
    reader: csv_core::Reader,
    field: Vec<u8>,
    fields: Vec<Vec<u8>>,
    message_column: Option<usize>,
    header_done: bool,
    /// Line breaks consumed so far, and the line the current row began on.
    line: u64,
    row_line: u64,
    row_started: bool,
    /// The last byte consumed, to tell a `\r\n` row end whose `\n` is still unread.
    last_byte: u8,
}

impl Default for Csv {
    fn default() -> Csv {
        Csv {
            // `Reader::new`, not `Reader::default`: only the former builds the parser's tables.
            reader: csv_core::Reader::new(),
            field: Vec::new(),
            fields: Vec::new(),
            message_column: None,
            header_done: false,
            line: 0,
            row_line: 0,
            row_started: false,
            last_byte: 0,
        }
    }
}

impl Csv {
    fn feed(&mut self, mut input: &[u8], sink: &mut Sink) {
        // csv-core reads an empty input as the end of the data, so it is only ever given one
        // from `finish`.
        while !input.is_empty() {
            if !self.row_started {
                self.row_started = true;
                let pending_newline = self.last_byte == b'\r' && input[0] == b'\n';
                self.row_line = self.line + 1 + pending_newline as u64;
            }
            if self.field.len() == self.field.capacity() {
                self.field.reserve(256.max(self.field.len()));
            }
            let start = self.field.len();
            self.field.resize(self.field.capacity(), 0);
            let (result, read, written) = self.reader.read_field(input, &mut self.field[start..]);
            self.field.truncate(start + written);
            self.line += memchr::memchr_iter(b'\n', &input[..read]).count() as u64;
            if read > 0 {
                self.last_byte = input[read - 1];
            }
            input = &input[read..];
            match result {
                csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
                csv_core::ReadFieldResult::Field { record_end } => {
                    self.fields.push(std::mem::take(&mut self.field));
                    if record_end {
                        self.row(sink);
                    }
                }
                csv_core::ReadFieldResult::End => return,
            }
        }
    }

    fn finish(&mut self, sink: &mut Sink) {
        // An empty input tells csv-core that the data has ended, which flushes the last row.
        loop {
            let start = self.field.len();
            self.field.resize(start + 1024, 0);
            let (result, _, written) = self.reader.read_field(&[], &mut self.field[start..]);
            self.field.truncate(start + written);
            match result {
                csv_core::ReadFieldResult::Field { record_end } => {
                    self.fields.push(std::mem::take(&mut self.field));
                    if record_end {
                        self.row(sink);
                    }
                }
                csv_core::ReadFieldResult::OutputFull => {}
                _ => return,
            }
        }
    }

    fn row(&mut self, sink: &mut Sink) {
        let fields = std::mem::take(&mut self.fields);
        self.row_started = false;
        let line = self.row_line;
        if !self.header_done {
            self.header_done = true;
            self.message_column = fields.iter().position(|f| {
                let name = f.trim_ascii().to_ascii_lowercase();
                name == b"@message" || name == b"message"
            });
            if self.message_column.is_none() {
                let message = "the CSV has no `@message` or `message` column; export the \
                               query with `@message` among its fields"
                    .to_owned();
                sink.reader
                    .issue(line, IssueKind::BadCsv, message, &fields.join(&b","[..]));
            }
            return;
        }
        if fields.len() == 1 && fields[0].is_empty() {
            sink.reader.blank_lines += 1;
            return;
        }
        match self.message_column.and_then(|i| fields.get(i)) {
            Some(message) => sink.reader.line(line, message),
            None => {
                let message = format!(
                    "the row has {} columns and no message column; expected a `@message` value",
                    fields.len()
                );
                sink.reader
                    .issue(line, IssueKind::BadCsv, message, &fields.join(&b","[..]));
            }
        }
    }
}
