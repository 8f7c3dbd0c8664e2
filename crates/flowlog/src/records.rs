//! From one line of text to one row of the table, or to one issue.
//!
//! The reader holds the current layout. A header line sets it (again and again, if headers
//! recur); without one, the layout the user gave applies, and without that, the first lines
//! are held back until a guess can be made from their shape, then replayed.

use crate::field::{FieldKind, FieldRef};
use crate::format::{self, Format};
use crate::guess::{self, Guess};
use crate::issue::{excerpt, IssueKind, IssueLog, ParseIssue};
use crate::table::{FlowTable, Parsed};
use crate::value;
use crate::writer::RowWriter;

/// How many header-less lines are looked at before guessing their layout.
pub const GUESS_SAMPLE_LINES: usize = 200;

/// How the layout of a run of lines was learned.
#[derive(Clone, Debug, PartialEq)]
pub enum FormatSource {
    /// From a header line at this line number.
    Header {
        /// The header's line number.
        line: u64,
    },
    /// From the format the user gave.
    Given,
    /// Guessed from the shape of the values.
    Guessed {
        /// The share of sampled lines the layout explains, 0 to 1.
        confidence: f32,
    },
}

/// A layout met in a file, how it was learned, and how many records it read.
#[derive(Clone, Debug, PartialEq)]
pub struct FormatReport {
    /// The layout.
    pub format: Format,
    /// How it was learned.
    pub source: FormatSource,
    /// Records read with it.
    pub records: u64,
}

/// A layout made ready for reading lines, holding its columns while it is in use.
struct Layout {
    kinds: Vec<FieldKind>,
    fields: Vec<FieldRef>,
    writer: RowWriter,
    report: usize,
}

enum State {
    /// No header seen yet; with no format given, lines wait here for the guess.
    Sampling(Vec<(u64, Vec<u8>)>),
    Reading(Layout),
    /// The sample fit no known layout: lines are issues until a header appears.
    NoLayout,
}

/// Turns lines into rows and issues.
pub(crate) struct RecordReader {
    file: String,
    given: Option<Format>,
    state: State,
    pub(crate) table: FlowTable,
    pub(crate) issues: IssueLog,
    pub(crate) formats: Vec<FormatReport>,
    pub(crate) records: u64,
    pub(crate) blank_lines: u64,
    pub(crate) header_lines: u64,
    tokens: Vec<(u32, u32)>,
    values: Vec<Parsed>,
    /// Whether plain lines take the fast path; tests turn it off to compare the two paths.
    fast_path: bool,
}

impl RecordReader {
    pub(crate) fn new(file: String, given: Option<Format>) -> RecordReader {
        RecordReader {
            file,
            given,
            state: State::Sampling(Vec::new()),
            table: FlowTable::new(),
            issues: IssueLog::default(),
            formats: Vec::new(),
            records: 0,
            blank_lines: 0,
            header_lines: 0,
            tokens: Vec::with_capacity(64),
            values: Vec::with_capacity(64),
            fast_path: true,
        }
    }

    /// Records an issue about the line `line`.
    pub(crate) fn issue(&mut self, line: u64, kind: IssueKind, message: String, text: &[u8]) {
        self.issue_with_field(line, kind, None, message, text);
    }

    fn issue_with_field(
        &mut self,
        line: u64,
        kind: IssueKind,
        field: Option<FieldRef>,
        message: String,
        text: &[u8],
    ) {
        push_issue(
            &mut self.issues,
            &self.file,
            line,
            kind,
            field,
            message,
            text,
        );
    }

    /// Reads one line (without its line break).
    pub(crate) fn line(&mut self, line: u64, bytes: &[u8]) {
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let mut plain = Some(bytes).filter(|bytes| !may_be_header_or_timestamp(bytes));
        if self.plain_lines(line, || plain.take()) == 0 {
            self.careful_line(line, bytes);
        }
    }

    /// Reads whole lines, each ending with a line break but the last, which may end
    /// without one; the first is line number `first`. Returns how many lines there were.
    ///
    /// Runs of plain lines take the fast path in one call each (see
    /// [`Self::plain_lines`]); a line that may be a header or may start with an export's
    /// timestamp, a line the fast path refuses, and every line while no layout is known go
    /// the careful way, one by one.
    pub(crate) fn lines(&mut self, first: u64, text: &[u8]) -> u64 {
        let mut line = first;
        let mut at = 0;
        while at < text.len() {
            // Where the line last handed to the fast path starts, and how many were.
            let (mut last, mut handed) = (at, 0);
            let read = self.plain_lines(line, || {
                let (bytes, end) = line_at(text, at)?;
                if may_be_header_or_timestamp(bytes) {
                    return None;
                }
                (last, at, handed) = (at, end, handed + 1);
                Some(bytes)
            });
            line += read;
            if handed > read {
                // The fast path refused the last line it was handed: back to it.
                at = last;
            }
            let Some((bytes, end)) = line_at(text, at) else {
                break;
            };
            self.careful_line(line, bytes);
            line += 1;
            at = end;
        }
        line - first
    }

    /// The fast path: appends the records of the plain lines `next_line` gives, the first
    /// numbered `first`, while the layout is known and its writer takes them (see
    /// [`RowWriter::read_plain_lines`]). Returns how many it appended.
    ///
    /// A run of lines is read in one call, so that the work of getting ready to read a line
    /// (the match on the reader's state and on the layout's kinds, the calls down to the
    /// writer) is done once per run rather than once per line.
    #[inline]
    fn plain_lines<'a>(&mut self, first: u64, next_line: impl FnMut() -> Option<&'a [u8]>) -> u64 {
        let State::Reading(layout) = &mut self.state else {
            return 0;
        };
        if !self.fast_path {
            return 0;
        }
        let read = layout.writer.read_plain_lines(next_line);
        if read > 0 {
            self.table.note_rows(layout.writer.format, first, read);
            self.formats[layout.report].records += read;
            self.records += read;
        }
        read
    }

    /// Reads one line the careful way, saying what is wrong with it if anything is.
    fn careful_line(&mut self, line: u64, bytes: &[u8]) {
        // One pass splits on spaces and notes whether the line needs the careful path:
        // control bytes (tabs included) or bytes outside ASCII.
        let scan = tokenize_spaces(bytes, &mut self.tokens);
        if scan.control {
            if bytes.iter().any(|&b| b < 0x20 && b != b'\t' && b != b'\r') {
                let message = "the line holds control or binary bytes; is this a text flow log?";
                self.issue(line, IssueKind::Binary, message.into(), bytes);
                return;
            }
            tokenize_white_space(bytes, &mut self.tokens);
        }
        let text = if scan.non_ascii {
            match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    let message = "the line is not valid UTF-8 text";
                    self.issue(line, IssueKind::InvalidText, message.into(), bytes);
                    return;
                }
            }
        } else {
            // Every byte is ASCII, which is valid UTF-8; the check is done, not skipped.
            std::str::from_utf8(bytes).unwrap_or_default()
        };
        if self.tokens.is_empty() {
            self.blank_lines += 1;
            return;
        }
        // A CloudWatch export task writes an ISO-8601 time before each record; no flow-log
        // field starts like one, so it is dropped wherever it appears.
        let first = self.tokens[0];
        if is_iso_timestamp(&text[first.0 as usize..first.1 as usize]) {
            self.tokens.remove(0);
            if self.tokens.is_empty() {
                self.blank_lines += 1;
                return;
            }
        }
        let first = self.tokens[0];
        if matches!(text.as_bytes()[first.0 as usize], b'a'..=b'z' | b'$')
            && self.header(line, text)
        {
            return;
        }
        match &self.state {
            State::Reading(_) => self.record(line, text),
            State::NoLayout => self.no_layout(line, text),
            State::Sampling(_) => {
                if let Some(given) = self.given.clone() {
                    self.set_layout(given, FormatSource::Given);
                    self.record(line, text);
                } else if let State::Sampling(sample) = &mut self.state {
                    sample.push((line, bytes.to_vec()));
                    if sample.len() >= GUESS_SAMPLE_LINES {
                        self.resolve_sample();
                    }
                }
            }
        }
    }

    /// Handles a header line; false when the line is not a header.
    fn header(&mut self, line: u64, text: &str) -> bool {
        let tokens: Vec<&[u8]> = self
            .tokens
            .iter()
            .map(|&(s, e)| &text.as_bytes()[s as usize..e as usize])
            .collect();
        match format::header_of(&tokens) {
            None => false,
            Some(Ok(format)) => {
                self.header_lines += 1;
                let same = matches!(&self.state, State::Reading(layout)
                    if self.formats[layout.report].format == format);
                if !same {
                    // Lines held for a guess came before this header: read them first.
                    self.resolve_sample();
                    self.set_layout(format, FormatSource::Header { line });
                }
                true
            }
            Some(Err(error)) => {
                self.issue(line, IssueKind::BadHeader, error.message, text.as_bytes());
                true
            }
        }
    }

    /// Makes `format` the layout of the lines that follow. A layout met before keeps its
    /// first report, so that a file that switches back and forth lists each layout once.
    fn set_layout(&mut self, format: Format, source: FormatSource) {
        self.close_layout();
        let (table_format, columns) = self.table.add_format(&format);
        let report = match self.formats.iter().position(|r| r.format == format) {
            Some(report) => report,
            None => {
                self.formats.push(FormatReport {
                    format: format.clone(),
                    source,
                    records: 0,
                });
                self.formats.len() - 1
            }
        };
        self.state = State::Reading(Layout {
            kinds: format.fields().iter().map(FieldRef::kind).collect(),
            fields: format.fields().to_vec(),
            writer: self.table.check_out(table_format, &columns),
            report,
        });
    }

    /// The rows the columns were last sized for.
    pub(crate) fn reserved_rows(&self) -> usize {
        self.table.reserved_rows()
    }

    /// Makes room for `rows` rows in all, in the current layout's columns and in any column
    /// made later.
    pub(crate) fn reserve_rows(&mut self, rows: usize) {
        self.table.reserve_rows(rows);
        if let State::Reading(layout) = &mut self.state {
            layout.writer.reserve_rows(rows);
        }
    }

    /// Puts the current layout's columns back into the table; the reader then has no
    /// layout until the next is set. Called before a new layout and when the file ends.
    pub(crate) fn close_layout(&mut self) {
        if matches!(self.state, State::Reading(_)) {
            if let State::Reading(layout) = std::mem::replace(&mut self.state, State::NoLayout) {
                self.table.check_in(layout.writer);
            }
        }
    }

    /// Ends sampling: guesses a layout from the held lines (unless a format was given) and
    /// reads them with it.
    pub(crate) fn resolve_sample(&mut self) {
        if !matches!(self.state, State::Sampling(_)) {
            return;
        }
        let State::Sampling(sample) = std::mem::replace(&mut self.state, State::NoLayout) else {
            return;
        };
        if sample.is_empty() {
            self.state = State::Sampling(sample);
            return;
        }
        if let Some(given) = self.given.clone() {
            self.set_layout(given, FormatSource::Given);
        } else {
            let texts: Vec<&str> = sample
                .iter()
                .map(|(_, b)| std::str::from_utf8(b).unwrap_or(""))
                .collect();
            let tokens: Vec<Vec<&str>> = texts
                .iter()
                .map(|t| {
                    let mut tokens: Vec<&str> = t.split_ascii_whitespace().collect();
                    if tokens.first().is_some_and(|t| is_iso_timestamp(t)) {
                        tokens.remove(0);
                    }
                    tokens
                })
                .collect();
            if let Some(Guess { format, confidence }) = guess::guess(&tokens) {
                self.set_layout(format, FormatSource::Guessed { confidence });
            }
        }
        for (line, bytes) in sample {
            self.line(line, &bytes);
        }
    }

    fn no_layout(&mut self, line: u64, text: &str) {
        let message = format!(
            "no header line, no format given, and no known layout fits these {} values; \
             give the flow log's format (its `${{…}}` string or header line) to read it",
            self.tokens.len()
        );
        self.issue(line, IssueKind::UnknownLayout, message, text.as_bytes());
    }

    fn record(&mut self, line: u64, text: &str) {
        let State::Reading(layout) = &mut self.state else {
            return;
        };
        let expected = layout.kinds.len();
        let found = self.tokens.len();
        if found != expected {
            let kind = if found < expected {
                IssueKind::TooFewFields
            } else {
                IssueKind::TooManyFields
            };
            let message = format!("expected {expected} fields, found {found}");
            push_issue(
                &mut self.issues,
                &self.file,
                line,
                kind,
                None,
                message,
                text.as_bytes(),
            );
            return;
        }
        self.values.clear();
        for (i, &(start, end)) in self.tokens.iter().enumerate() {
            // Tokens end at ASCII spaces, so they always lie on character boundaries.
            let token = text.get(start as usize..end as usize).unwrap_or_default();
            match value::parse(layout.kinds[i], token, start) {
                Ok(v) => self.values.push(v),
                Err(rejection) => {
                    let field = layout.fields[i].clone();
                    let message = format!(
                        "field {} ({field}) is `{}`; expected {}",
                        i + 1,
                        excerpt(token.as_bytes()),
                        rejection.expected
                    );
                    let bytes = text.as_bytes();
                    let kind = rejection.kind;
                    push_issue(
                        &mut self.issues,
                        &self.file,
                        line,
                        kind,
                        Some(field),
                        message,
                        bytes,
                    );
                    return;
                }
            }
        }
        layout.writer.push_parsed(&self.values, text);
        self.table.note_rows(layout.writer.format, line, 1);
        self.formats[layout.report].records += 1;
        self.records += 1;
    }
}

fn push_issue(
    issues: &mut IssueLog,
    file: &str,
    line: u64,
    kind: IssueKind,
    field: Option<FieldRef>,
    message: String,
    text: &[u8],
) {
    issues.push(ParseIssue {
        file: file.to_owned(),
        line,
        kind,
        field,
        message,
        excerpt: excerpt(text),
    });
}

/// What the fast split noticed about a line.
struct Scan {
    /// A byte below 0x20 (a tab, or worse): the line needs the careful split.
    control: bool,
    /// A byte of 0x80 or above: the line needs a UTF-8 check.
    non_ascii: bool,
}

/// Splits on runs of spaces, the only separator AWS writes, in one pass that also notes
/// bytes that need a closer look.
///
/// The line is read eight bytes at a time as one `u64` (SWAR): a few integer operations
/// mark every space, every control byte and every non-ASCII byte of the word at once, and
/// only the spaces found cost a loop turn. This is the decoder's hottest loop.
#[inline]
fn tokenize_spaces(bytes: &[u8], out: &mut Vec<(u32, u32)>) -> Scan {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    const NOT_CONTROL: u64 = 0xe0e0_e0e0_e0e0_e0e0;
    /// The high bit of every byte of `v` that is zero, exactly (no false positives).
    #[inline(always)]
    fn zero_bytes(v: u64) -> u64 {
        !(((v & LOW7).wrapping_add(LOW7)) | v | LOW7)
    }
    out.clear();
    let mut start = 0usize;
    let mut control = 0u64;
    let mut high = 0u64;
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0usize;
    for chunk in chunks.by_ref() {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        high |= word & HIGH;
        control |= zero_bytes(word & NOT_CONTROL);
        let mut spaces = zero_bytes(word ^ SPACES);
        while spaces != 0 {
            let at = base + (spaces.trailing_zeros() / 8) as usize;
            if at > start {
                out.push((start as u32, at as u32));
            }
            start = at + 1;
            spaces &= spaces - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        high |= (b & 0x80) as u64;
        control |= (b < 0x20) as u64;
        if b == b' ' {
            let at = base + i;
            if at > start {
                out.push((start as u32, at as u32));
            }
            start = at + 1;
        }
    }
    if bytes.len() > start {
        out.push((start as u32, bytes.len() as u32));
    }
    Scan {
        control: control != 0,
        non_ascii: high != 0,
    }
}

/// Splits on runs of spaces and tabs.
fn tokenize_white_space(bytes: &[u8], out: &mut Vec<(u32, u32)>) {
    out.clear();
    let mut start = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b' ' || b == b'\t' || b == b'\r' {
            if i > start {
                out.push((start as u32, i as u32));
            }
            start = i + 1;
        }
    }
    if bytes.len() > start {
        out.push((start as u32, bytes.len() as u32));
    }
}

/// The line of `text` that starts at `at`, without its line break and a carriage return
/// before it, and where the next line starts; `None` at the end of `text`.
#[inline(always)]
fn line_at(text: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let rest = text.get(at..).filter(|rest| !rest.is_empty())?;
    let (line, next) = match memchr::memchr(b'\n', rest) {
        Some(length) => (&rest[..length], at + length + 1),
        None => (rest, text.len()),
    };
    Some((line.strip_suffix(b"\r").unwrap_or(line), next))
}

/// Whether a line might be a header (its first value starts with a lower-case letter or `$`),
/// might start with an export's ISO-8601 time, or starts with a space: the lines the fast
/// path leaves to the careful one. It may say yes too often, never too rarely.
#[inline]
fn may_be_header_or_timestamp(bytes: &[u8]) -> bool {
    match bytes.first() {
        None => true,
        Some(b'a'..=b'z' | b'$' | b' ') => true,
        Some(_) => bytes.len() >= 19 && bytes[4] == b'-' && bytes[10] == b'T',
    }
}

/// `2021-08-11T09:29:13.095Z` and the like: a date, a `T`, and a time.
fn is_iso_timestamp(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldKind;
    use proptest::strategy::Strategy;

    #[test]
    fn tokenize_folds_runs_of_white_space() {
        let mut out = Vec::new();
        let scan = tokenize_spaces(b"a  b c ", &mut out);
        assert_eq!(out, [(0, 1), (3, 4), (5, 6)]);
        assert!(!scan.control && !scan.non_ascii);
        let scan = tokenize_spaces("a\t b\u{e9}".as_bytes(), &mut out);
        assert!(scan.control && scan.non_ascii);
        tokenize_white_space(b"a\t b\tc", &mut out);
        assert_eq!(out, [(0, 1), (3, 4), (5, 6)]);
    }

    proptest::proptest! {
        #[test]
        fn word_at_a_time_split_agrees_with_a_plain_one(
            bytes in proptest::collection::vec(proptest::sample::select(
                vec![b' ', b' ', b'a', b'1', b'\t', b'\0', 0x1f, 0x20, 0x7f, 0x80, 0xe9, 0xff]), 0..40)
        ) {
            let mut fast = Vec::new();
            let scan = tokenize_spaces(&bytes, &mut fast);
            let plain: Vec<(u32, u32)> = {
                let mut out = Vec::new();
                let mut start = 0;
                for (i, &b) in bytes.iter().enumerate() {
                    if b == b' ' {
                        if i > start { out.push((start as u32, i as u32)); }
                        start = i + 1;
                    }
                }
                if bytes.len() > start { out.push((start as u32, bytes.len() as u32)); }
                out
            };
            proptest::prop_assert_eq!(fast, plain);
            proptest::prop_assert_eq!(scan.control, bytes.iter().any(|&b| b < 0x20));
            proptest::prop_assert_eq!(scan.non_ascii, bytes.iter().any(|&b| b >= 0x80));
        }
    }

    /// How [`read_lines`] hands the lines to the reader.
    #[derive(Clone, Copy, PartialEq)]
    enum Path {
        /// One by one, with the fast path turned off.
        Careful,
        /// One by one.
        FastLineByLine,
        /// All at once, as a decoder hands over a chunk's whole lines.
        FastInOneRun,
    }

    /// Reads `lines` the way `path` says and describes everything the reader ended with:
    /// every value of every row, each row's line, the text columns' dictionaries, which
    /// columns have missing marks, and the issues.
    fn read_lines(format: &Format, lines: &[Vec<u8>], path: Path) -> String {
        let mut reader = RecordReader::new("f".into(), Some(format.clone()));
        reader.fast_path = path != Path::Careful;
        if path == Path::FastInOneRun {
            let text: Vec<u8> = lines
                .iter()
                .flat_map(|l| l.iter().chain(b"\n"))
                .copied()
                .collect();
            assert_eq!(reader.lines(1, &text), lines.len() as u64);
        } else {
            for (i, line) in lines.iter().enumerate() {
                reader.line(i as u64 + 1, line);
            }
        }
        reader.resolve_sample();
        reader.close_layout();
        reader.table.seal();
        let table = &reader.table;
        let mut out = String::new();
        for row in 0..table.len() {
            let values: Vec<String> = format
                .fields()
                .iter()
                .map(|f| format!("{:?}", table.value(row, f)))
                .collect();
            out += &format!("{} {}\n", table.line_of(row), values.join(" "));
        }
        for field in format.fields() {
            if let FieldRef::Known(known) = field {
                match table.column(*known) {
                    Some(crate::Column::Text(c)) => {
                        out += &format!("{field} {:?}\n", c.dictionary());
                        out += &format!("{field} missing {}\n", c.codes().has_missing());
                    }
                    Some(crate::Column::Int(c)) => {
                        out += &format!("{field} missing {}\n", c.has_missing())
                    }
                    Some(crate::Column::Addr(c)) => {
                        out += &format!("{field} {:?} {:?}\n", c.dictionary(), c.codes())
                    }
                    None => {}
                }
            }
        }
        for (name, column) in table.other_columns() {
            out += &format!("{name} {:?}\n", column.dictionary());
        }
        for issue in reader.issues.examples() {
            out += &format!("{} {:?} {}\n", issue.line, issue.kind, issue.message);
        }
        out += &format!("{:?} {}", reader.issues.counts(), reader.records);
        out
    }

    /// Tokens for a field of `kind`: good ones, `-`, and bad ones of every sort.
    fn token_strategy(kind: FieldKind) -> proptest::strategy::BoxedStrategy<String> {
        use proptest::prelude::*;
        prop_oneof![
            30 => good_token_strategy(kind),
            1 => Just("-".to_string()),
            1 => proptest::sample::select(vec![
                "x", "-1", "1e3", "\u{e9}t\u{e9}", "a\tb", "12345678901234567890123", "--",
            ])
            .prop_map(str::to_string),
        ]
        .boxed()
    }

    /// Tokens a field of `kind` accepts, mostly, and now and then a value out of its range.
    fn good_token_strategy(kind: FieldKind) -> proptest::strategy::BoxedStrategy<String> {
        use proptest::prelude::*;
        match kind {
            FieldKind::Int { .. } => prop_oneof![
                (0u64..70_000).prop_map(|v| v.to_string()),
                any::<u64>().prop_map(|v| v.to_string()),
                Just("007".to_string()),
            ]
            .boxed(),
            FieldKind::Time => prop_oneof![
                (1_400_000_000u64..1_900_000_000).prop_map(|v| v.to_string()),
                (1_400_000_000_000u64..1_900_000_000_000).prop_map(|v| v.to_string()),
                Just("99999999999999".to_string()),
            ]
            .boxed(),
            FieldKind::Addr => prop_oneof![
                any::<u32>().prop_map(|v| std::net::Ipv4Addr::from(v).to_string()),
                any::<u128>().prop_map(|v| std::net::Ipv6Addr::from(v).to_string()),
                Just("10.0.0.256".to_string()),
                Just("10.00.0.1".to_string()),
                Just("1.2.3".to_string()),
            ]
            .boxed(),
            FieldKind::Enum(words) => prop_oneof![
                proptest::sample::select(words.to_vec()).prop_map(str::to_string),
                Just("accept".to_string()),
            ]
            .boxed(),
            FieldKind::Text => prop_oneof![
                proptest::sample::select(vec!["a", "eni-0123456789abcdef0", "vpc-1", "x"])
                    .prop_map(str::to_string),
                "[a-z0-9-]{1,30}",
            ]
            .boxed(),
        }
    }

    /// A line of `format`'s fields, sometimes with a value too few or too many, a run of
    /// spaces, a tab, a trailing space, a CR, or nothing at all.
    fn line_strategy(format: &Format) -> proptest::strategy::BoxedStrategy<Vec<u8>> {
        use proptest::prelude::*;
        let fields: Vec<_> = format
            .fields()
            .iter()
            .map(|f| token_strategy(f.kind()))
            .collect();
        (fields, 0u8..12, any::<usize>())
            .prop_map(|(mut tokens, twist, at)| {
                let at = at % tokens.len();
                let mut separator = " ".to_string();
                let mut end = String::new();
                match twist {
                    0 => drop(tokens.pop()),
                    1 => tokens.push("extra".into()),
                    2 => separator = "  ".into(),
                    3 => tokens[at] = format!("{}\t", tokens[at]),
                    4 => end = " ".into(),
                    5 => end = "\r".into(),
                    6 => tokens.clear(),
                    _ => {}
                }
                (tokens.join(&separator) + &end).into_bytes()
            })
            .boxed()
    }

    /// Tokens a field of `kind` accepts, every one.
    fn plain_token_strategy(kind: FieldKind) -> proptest::strategy::BoxedStrategy<String> {
        use proptest::prelude::*;
        match kind {
            // The fast path takes numbers of up to 19 digits and leaves longer ones to the
            // careful path.
            FieldKind::Int { max } => prop_oneof![
                (0..=max.min(70_000)).prop_map(|v| v.to_string()),
                (0..=max.min(10u64.pow(19) - 1)).prop_map(|v| v.to_string()),
            ]
            .boxed(),
            FieldKind::Time => prop_oneof![
                (1_400_000_000u64..1_900_000_000).prop_map(|v| v.to_string()),
                (1_400_000_000_000u64..1_900_000_000_000).prop_map(|v| v.to_string()),
            ]
            .boxed(),
            FieldKind::Addr => prop_oneof![
                20 => any::<u32>().prop_map(|v| std::net::Ipv4Addr::from(v).to_string()),
                1 => any::<u128>().prop_map(|v| std::net::Ipv6Addr::from(v).to_string()),
            ]
            .boxed(),
            FieldKind::Enum(words) => proptest::sample::select(words.to_vec())
                .prop_map(str::to_string)
                .boxed(),
            FieldKind::Text => good_token_strategy(kind),
        }
    }

    /// A line of `format`'s fields whose values are `-` now and then and otherwise ones
    /// their fields accept: a plain line.
    fn plain_line_strategy(format: &Format) -> proptest::strategy::BoxedStrategy<Vec<u8>> {
        use proptest::prelude::*;
        let fields: Vec<_> = format
            .fields()
            .iter()
            .map(|f| {
                prop_oneof![
                    40 => plain_token_strategy(f.kind()),
                    1 => Just("-".to_string()),
                ]
            })
            .collect();
        fields
            .prop_map(|tokens| tokens.join(" ").into_bytes())
            .boxed()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(100))]
        /// Long runs of plain lines, broken now and then by a line of any sort: the default
        /// layout's fast path holds back the values of up to 64 rows and appends them
        /// together, and what it holds when a line is refused must come out right.
        #[test]
        fn long_runs_of_plain_lines_read_as_the_careful_path_reads(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    40 => plain_line_strategy(&Format::default_v2()),
                    1 => line_strategy(&Format::default_v2()),
                ],
                60..400,
            )
        ) {
            let format = Format::default_v2();
            let careful = read_lines(&format, &lines, Path::Careful);
            proptest::prop_assert_eq!(read_lines(&format, &lines, Path::FastInOneRun), careful);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn the_fast_path_reads_exactly_what_the_careful_path_reads(
            (format, lines) in proptest::prop_oneof![
                proptest::strategy::Just(Format::default_v2()),
                proptest::strategy::Just(Format::all_vpc_fields_up_to(5)),
                proptest::strategy::Just(Format::parse("srcaddr tag-x action bytes start interface-id").unwrap()),
            ]
            .prop_flat_map(|format| {
                let line = line_strategy(&format);
                (proptest::strategy::Just(format), proptest::collection::vec(line, 1..40))
            })
        ) {
            let careful = read_lines(&format, &lines, Path::Careful);
            proptest::prop_assert_eq!(read_lines(&format, &lines, Path::FastLineByLine), careful.clone());
            proptest::prop_assert_eq!(read_lines(&format, &lines, Path::FastInOneRun), careful);
        }
    }

    #[test]
    fn plain_lines_take_the_fast_path() {
        let default = Format::default_v2();
        let line = b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 \
                     6 20 4249 1418530010 1418530070 ACCEPT OK";
        let mut reader = RecordReader::new("f".into(), Some(default));
        reader.line(1, line);
        let State::Reading(layout) = &mut reader.state else {
            panic!("the given format is the layout");
        };
        let mut lines = [&line[..], &line[..]].into_iter();
        assert_eq!(layout.writer.read_plain_lines(|| lines.next()), 2);
    }

    #[test]
    fn iso_timestamps_are_recognised() {
        assert!(is_iso_timestamp("2021-08-11T09:29:13.095Z"));
        assert!(!is_iso_timestamp("2"));
        assert!(!is_iso_timestamp("123456789012"));
    }
}
