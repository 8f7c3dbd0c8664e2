//! One file's bytes through the decoder, and what the worker reports about it.
//!
//! This is the whole of the worker's work apart from reading the file, kept free of
//! JavaScript so that it tests natively; the browser-only [`Ingest::feed_js`] copies a chunk
//! out of a JavaScript buffer first.

use crate::protocol::{FileResult, FormatView, FromWorker, IssueExample, JobId, Totals};
use flowlog::{DecodeOptions, Decoder, FlowTable, Format, FormatSource};
use flowlog_query::Summary;

/// How many issues a file's result carries as examples; the counts are always exact.
pub const EXAMPLES: usize = 50;

/// The decoding of one file in progress.
pub struct Ingest {
    id: JobId,
    name: String,
    size: u64,
    format: Option<Format>,
    decoder: Decoder,
    /// Bytes of the file read so far (compressed bytes, when the content is handed over
    /// inflated).
    bytes_read: u64,
}

impl Ingest {
    /// Starts decoding the file `name` of `size` bytes, known to the page as `id`, in the
    /// layout `format` if one is given (a `${field} …` string or a header line).
    pub fn new(id: JobId, name: &str, size: u64, format: Option<&str>) -> Result<Ingest, String> {
        let format = match format {
            Some(text) => Some(
                Format::parse(text).map_err(|e| format!("the format given cannot be used: {e}"))?,
            ),
            None => None,
        };
        let options = DecodeOptions {
            format: format.clone(),
            size_hint: Some(size),
        };
        Ok(Ingest {
            id,
            name: name.to_owned(),
            size,
            format,
            decoder: Decoder::new(name, options),
            bytes_read: 0,
        })
    }

    /// From now on the file's content arrives inflated (the file is gzip, and the browser
    /// inflates it on another thread), through [`Ingest::feed_inflated`]; `inflated_size` is
    /// the size the gzip trailer gives, to size the columns. Only before anything was fed.
    pub fn take_inflated(&mut self, inflated_size: u64) {
        debug_assert_eq!(
            self.bytes_read, 0,
            "the content changes kind before any bytes"
        );
        let options = DecodeOptions {
            format: self.format.clone(),
            size_hint: Some(inflated_size),
        };
        self.decoder = Decoder::of_inflated(self.name.as_str(), options);
    }

    /// Throws away what was decoded and starts the file again from its first byte, as the
    /// file's own bytes (after the browser's inflater failed on it).
    pub fn start_over(&mut self) {
        let options = DecodeOptions {
            format: self.format.clone(),
            size_hint: Some(self.size),
        };
        self.decoder = Decoder::new(self.name.as_str(), options);
        self.bytes_read = 0;
    }

    /// Decodes the next chunk of the file; a chunk may end anywhere.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.bytes_read += chunk.len() as u64;
        self.decoder.decode(chunk);
    }

    /// Decodes the next chunk of inflated content (see [`Ingest::take_inflated`]), which
    /// `consumed` bytes of the file gave so far.
    pub fn feed_inflated(&mut self, chunk: &[u8], consumed: u64) {
        self.bytes_read = consumed.max(self.bytes_read);
        self.decoder.decode(chunk);
    }

    /// Copies a chunk out of a JavaScript buffer into `scratch` (reused between chunks so
    /// that a large file costs one allocation) and decodes it.
    #[cfg(target_arch = "wasm32")]
    pub fn feed_js(&mut self, chunk: &js_sys::Uint8Array, scratch: &mut Vec<u8>) {
        copy_in(chunk, scratch);
        self.feed(scratch);
    }

    /// Bytes decoded so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The progress message for what has been decoded so far.
    pub fn progress(&self) -> FromWorker {
        FromWorker::Progress {
            id: self.id,
            bytes_read: self.bytes_read,
            records: self.decoder.records(),
            issues: self.decoder.issues(),
        }
    }

    /// Ends the file: its records, and what the page is told about them.
    pub fn finish(self) -> (FlowTable, FileResult) {
        let decoded = self.decoder.finish();
        let report = &decoded.report;
        let summary = Summary::counts_of(&decoded.table);
        let mut issue_kinds: Vec<(String, u64)> = report
            .issues
            .counts()
            .iter()
            .map(|(kind, n)| (kind.name().to_owned(), *n))
            .collect();
        issue_kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let result = FileResult {
            bytes_read: self.bytes_read,
            issues: report.issues.total(),
            issue_kinds,
            examples: examples(report.issues.examples()),
            formats: report
                .formats
                .iter()
                .map(|f| FormatView {
                    description: f.format.describe(),
                    header: f.format.header(),
                    source: match f.source {
                        FormatSource::Header { line } => format!("header line {line}"),
                        FormatSource::Given => "given".into(),
                        FormatSource::Guessed { .. } => "guessed".into(),
                    },
                    confidence: match f.source {
                        FormatSource::Guessed { confidence } => Some(confidence),
                        _ => None,
                    },
                    records: f.records,
                })
                .collect(),
            headerless: report.header_lines == 0,
            source: report.source.as_ref().map(|s| {
                let parts: Vec<String> = [
                    s.account.as_ref().map(|a| format!("account {a}")),
                    s.region.clone(),
                    s.flow_log_id.clone(),
                    s.date.clone(),
                ]
                .into_iter()
                .flatten()
                .collect();
                parts.join(", ")
            }),
            wrapper: report.wrapper_name(),
            totals: Totals::of(&summary),
            // Timed by the worker, which knows when it took the file.
            worker_ms: 0.0,
        };
        (decoded.table, result)
    }
}

/// Copies a JavaScript buffer into `scratch`, which keeps its allocation between chunks.
#[cfg(target_arch = "wasm32")]
pub fn copy_in(chunk: &js_sys::Uint8Array, scratch: &mut Vec<u8>) {
    scratch.resize(chunk.length() as usize, 0);
    chunk.copy_to(scratch);
}

/// The issues kept as examples, in line order, at most [`EXAMPLES`].
fn examples(issues: &[flowlog::ParseIssue]) -> Vec<IssueExample> {
    let mut examples: Vec<IssueExample> = issues
        .iter()
        .map(|i| IssueExample {
            line: i.line,
            kind: i.kind.name().to_owned(),
            message: i.message.clone(),
            excerpt: i.excerpt.clone(),
        })
        .collect();
    examples.sort_by_key(|e| e.line);
    examples.truncate(EXAMPLES);
    examples
}

/// `members` as one gzip file, a member each: for the tests here and in the browser.
#[cfg(test)]
pub(crate) fn gzip(members: &[&[u8]]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    for member in members {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        encoder.write_all(member).unwrap();
        out.extend(encoder.finish().unwrap());
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"\
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK
2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA
";

    #[test]
    fn chunks_give_the_same_totals_as_the_whole() {
        let mut whole = Ingest::new(1, "a.log", SAMPLE.len() as u64, None).unwrap();
        whole.feed(SAMPLE);
        let (_, whole) = whole.finish();
        assert_eq!(whole.totals.records, 3);
        assert_eq!(whole.totals.bytes, 8498);
        assert_eq!(whole.totals.packets, 40);
        assert_eq!(whole.totals.accepted, 1);
        assert_eq!(whole.totals.rejected, 1);
        assert_eq!(whole.issues, 0);
        assert_eq!(whole.wrapper, "text");

        let mut split = Ingest::new(1, "a.log", SAMPLE.len() as u64, None).unwrap();
        for chunk in SAMPLE.chunks(7) {
            split.feed(chunk);
        }
        assert_eq!(split.bytes_read(), SAMPLE.len() as u64);
        assert_eq!(split.finish().1, whole);
    }

    #[test]
    fn content_inflated_elsewhere_is_the_gzip_file() {
        let file = gzip(&[SAMPLE]);
        let mut direct = Ingest::new(3, "a.log.gz", file.len() as u64, None).unwrap();
        direct.feed(&file);
        let (_, direct) = direct.finish();
        assert_eq!(direct.wrapper, "gzip");
        assert_eq!(direct.bytes_read, file.len() as u64);

        let mut inflated = Ingest::new(3, "a.log.gz", file.len() as u64, None).unwrap();
        inflated.take_inflated(SAMPLE.len() as u64);
        let (first, rest) = SAMPLE.split_at(100);
        inflated.feed_inflated(first, 20);
        assert_eq!(inflated.bytes_read(), 20);
        inflated.feed_inflated(rest, file.len() as u64);
        assert_eq!(inflated.finish().1, direct);
    }

    #[test]
    fn starting_over_forgets_what_was_inflated() {
        // Two members: the browser's inflater reads one and fails, and the file is read
        // again from its compressed bytes.
        let (first, second) = SAMPLE.split_at(120);
        let file = gzip(&[first, second]);
        let mut direct = Ingest::new(4, "m.log.gz", file.len() as u64, None).unwrap();
        direct.feed(&file);
        let (_, direct) = direct.finish();
        assert_eq!(direct.totals.records, 3);

        let mut ingest = Ingest::new(4, "m.log.gz", file.len() as u64, None).unwrap();
        ingest.take_inflated(second.len() as u64);
        ingest.feed_inflated(first, file.len() as u64 / 2);
        ingest.start_over();
        assert_eq!(ingest.bytes_read(), 0);
        ingest.feed(&file);
        assert_eq!(ingest.finish().1, direct);
    }

    #[test]
    fn a_file_of_another_kind_is_reported_not_read() {
        let mut ingest = Ingest::new(2, "report.pdf", 30, None).unwrap();
        ingest.feed(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n");
        let (table, result) = ingest.finish();
        assert_eq!(table.len(), 0);
        assert_eq!(result.totals.records, 0);
        assert!(result.issues > 0);
        assert!(!result.examples.is_empty());
        assert!(result.headerless);
    }
}
