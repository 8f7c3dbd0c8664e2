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
    decoder: Decoder,
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
            format,
            size_hint: Some(size),
        };
        Ok(Ingest {
            id,
            decoder: Decoder::new(name, options),
            bytes_read: 0,
        })
    }

    /// Decodes the next chunk of the file; a chunk may end anywhere.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.bytes_read += chunk.len() as u64;
        self.decoder.decode(chunk);
    }

    /// Copies a chunk out of a JavaScript buffer into `scratch` (reused between chunks so
    /// that a large file costs one allocation) and decodes it.
    #[cfg(target_arch = "wasm32")]
    pub fn feed_js(&mut self, chunk: &js_sys::Uint8Array, scratch: &mut Vec<u8>) {
        scratch.resize(chunk.length() as usize, 0);
        chunk.copy_to(scratch);
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
        let summary = Summary::of(&decoded.table);
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
        };
        (decoded.table, result)
    }
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
