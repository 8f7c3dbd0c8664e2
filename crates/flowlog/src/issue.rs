//! Parse issues: every line that could not become a record, counted exactly and shown with its
//! file, line number and an excerpt.

use crate::field::FieldRef;
use std::collections::BTreeMap;
use std::fmt;

/// How many issues of one kind keep their full example; counts are never capped.
pub const EXAMPLES_PER_KIND: usize = 100;

/// The longest excerpt kept from an offending line, in bytes.
pub const EXCERPT_BYTES: usize = 160;

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssueKind {
    /// The line has fewer fields than its format.
    TooFewFields,
    /// The line has more fields than its format.
    TooManyFields,
    /// A numeric field holds something that is not a number.
    BadNumber,
    /// A number is larger than its field allows (a port above 65535, a protocol above 255).
    OutOfRange,
    /// An address field holds something that is not an IPv4 or IPv6 address.
    BadAddress,
    /// A field with a closed list of values (action, log-status, type, flow-direction) holds
    /// another word.
    BadValue,
    /// The line is not valid UTF-8 text.
    InvalidText,
    /// The line holds control or binary bytes: not a text flow log.
    Binary,
    /// A header line names a field twice or holds no field names.
    BadHeader,
    /// No header, no format given, and no known layout fits the line.
    UnknownLayout,
    /// Several known layouts fit the line equally well, so none was chosen.
    AmbiguousLayout,
    /// The line is longer than any flow-log record could be.
    LineTooLong,
    /// A JSON wrapper that could not be read.
    BadJson,
    /// A JSON value that is not a log event (no `message`).
    NotAnEvent,
    /// A CSV wrapper row that could not be read.
    BadCsv,
    /// A gzip stream that is corrupt or ends before its end.
    BadGzip,
    /// A base64 payload that does not decode.
    BadBase64,
    /// The file is of a type that holds no flow-log text (PDF, ZIP, an image, Parquet).
    UnsupportedFile,
}

impl IssueKind {
    /// Every kind, in a fixed order.
    pub const ALL: &'static [IssueKind] = &[
        IssueKind::TooFewFields,
        IssueKind::TooManyFields,
        IssueKind::BadNumber,
        IssueKind::OutOfRange,
        IssueKind::BadAddress,
        IssueKind::BadValue,
        IssueKind::InvalidText,
        IssueKind::Binary,
        IssueKind::BadHeader,
        IssueKind::UnknownLayout,
        IssueKind::AmbiguousLayout,
        IssueKind::LineTooLong,
        IssueKind::BadJson,
        IssueKind::NotAnEvent,
        IssueKind::BadCsv,
        IssueKind::BadGzip,
        IssueKind::BadBase64,
        IssueKind::UnsupportedFile,
    ];

    /// The stable, hyphenated name used in JSON output and the page.
    pub fn name(self) -> &'static str {
        match self {
            IssueKind::TooFewFields => "too-few-fields",
            IssueKind::TooManyFields => "too-many-fields",
            IssueKind::BadNumber => "bad-number",
            IssueKind::OutOfRange => "out-of-range",
            IssueKind::BadAddress => "bad-address",
            IssueKind::BadValue => "bad-value",
            IssueKind::InvalidText => "invalid-text",
            IssueKind::Binary => "binary",
            IssueKind::BadHeader => "bad-header",
            IssueKind::UnknownLayout => "unknown-layout",
            IssueKind::AmbiguousLayout => "ambiguous-layout",
            IssueKind::LineTooLong => "line-too-long",
            IssueKind::BadJson => "bad-json",
            IssueKind::NotAnEvent => "not-an-event",
            IssueKind::BadCsv => "bad-csv",
            IssueKind::BadGzip => "bad-gzip",
            IssueKind::BadBase64 => "bad-base64",
            IssueKind::UnsupportedFile => "unsupported-file",
        }
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One line that did not become a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseIssue {
    /// The file, as named when decoding started.
    pub file: String,
    /// The 1-based line in the (decompressed) text; for JSON documents, the 1-based number of
    /// the log event. 0 for a problem with the file as a whole.
    pub line: u64,
    /// What went wrong.
    pub kind: IssueKind,
    /// The field concerned, when one is.
    pub field: Option<FieldRef>,
    /// A sentence saying what was found and what was expected.
    pub message: String,
    /// The start of the offending line, printable (control bytes escaped).
    pub excerpt: String,
}

impl fmt::Display for ParseIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.kind, self.message
        )?;
        if !self.excerpt.is_empty() {
            write!(f, ": `{}`", self.excerpt)?;
        }
        Ok(())
    }
}

/// The issues of one file: exact counts by kind, and the first examples of each kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssueLog {
    counts: BTreeMap<IssueKind, u64>,
    examples: Vec<ParseIssue>,
}

impl IssueLog {
    /// Records an issue; keeps it as an example while its kind has fewer than
    /// [`EXAMPLES_PER_KIND`].
    pub fn push(&mut self, issue: ParseIssue) {
        let count = self.counts.entry(issue.kind).or_insert(0);
        *count += 1;
        if *count <= EXAMPLES_PER_KIND as u64 {
            self.examples.push(issue);
        }
    }

    /// The number of issues of every kind.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Exact counts by kind, only for kinds that occurred.
    pub fn counts(&self) -> &BTreeMap<IssueKind, u64> {
        &self.counts
    }

    /// The kept examples, in the order they were found.
    pub fn examples(&self) -> &[ParseIssue] {
        &self.examples
    }

    /// Puts the examples in line order (file-level issues, at line 0, first), so that their
    /// order does not depend on when a wrapper noticed a problem.
    pub(crate) fn sort_examples(&mut self) {
        self.examples.sort_by_key(|issue| issue.line);
    }

    /// Adds another log's counts and examples to this one.
    pub fn merge(&mut self, other: IssueLog) {
        for (kind, count) in other.counts {
            *self.counts.entry(kind).or_insert(0) += count;
        }
        for example in other.examples {
            let kept = self
                .examples
                .iter()
                .filter(|e| e.kind == example.kind)
                .count();
            if kept < EXAMPLES_PER_KIND {
                self.examples.push(example);
            }
        }
    }
}

/// A printable excerpt of a line: at most [`EXCERPT_BYTES`], invalid UTF-8 and control bytes
/// escaped so that the excerpt itself can never carry markup or terminal escapes.
pub fn excerpt(line: &[u8]) -> String {
    let cut = &line[..line.len().min(EXCERPT_BYTES)];
    let mut out = String::with_capacity(cut.len());
    for chunk in cut.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    if line.len() > EXCERPT_BYTES {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(kind: IssueKind, line: u64) -> ParseIssue {
        ParseIssue {
            file: "f".into(),
            line,
            kind,
            field: None,
            message: String::new(),
            excerpt: String::new(),
        }
    }

    #[test]
    fn counts_are_exact_when_examples_are_capped() {
        let mut log = IssueLog::default();
        for line in 0..(EXAMPLES_PER_KIND as u64 + 50) {
            log.push(issue(IssueKind::BadNumber, line));
        }
        log.push(issue(IssueKind::Binary, 1));
        assert_eq!(log.total(), EXAMPLES_PER_KIND as u64 + 51);
        assert_eq!(
            log.counts()[&IssueKind::BadNumber],
            EXAMPLES_PER_KIND as u64 + 50
        );
        assert_eq!(log.examples().len(), EXAMPLES_PER_KIND + 1);
    }

    #[test]
    fn excerpts_escape_control_and_invalid_bytes() {
        assert_eq!(excerpt(b"a\x00b\xffc"), "a\\u{0}b\\xffc");
        let long = vec![b'x'; EXCERPT_BYTES + 10];
        assert!(excerpt(&long).ends_with('…'));
    }

    #[test]
    fn kinds_have_unique_names() {
        let mut names: Vec<_> = IssueKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), IssueKind::ALL.len());
    }
}
