//! The push decoder: bytes of one file in, a table and a report out.

use crate::format::Format;
use crate::issue::IssueLog;
use crate::records::{FormatReport, RecordReader};
use crate::source::S3Source;
use crate::table::FlowTable;
use crate::wrapper::{Sink, Stage, Wrapper};

/// Bytes per default-format record in typical files, used to size columns from a file size
/// before any record has been read.
const TYPICAL_RECORD_BYTES: u64 = 100;

/// Records read before the rows of the whole file are estimated from them.
const ESTIMATE_AFTER_RECORDS: u64 = 1_000;

/// How much more than the estimate of a file's rows the columns reserve: a hundredth, for
/// lines that grow a little longer further on. Lines that grow more are caught by a new
/// estimate (see [`Decoder::decode`]).
const ESTIMATE_MARGIN: f64 = 1.01;

/// How many more records than the densest pace so far predicts a chunk is given room for
/// before it is read: a tenth, for lines that grow shorter within the chunk.
const CHUNK_SLACK: f64 = 1.1;

/// Choices made before decoding.
#[derive(Clone, Debug, Default)]
pub struct DecodeOptions {
    /// The layout of header-less lines. A header line in the file overrides it.
    pub format: Option<Format>,
    /// The file's size in bytes, if known, to reserve columns up front. For gzip this is the
    /// compressed size, so it under-reserves rather than over-reserves.
    pub size_hint: Option<u64>,
}

/// Decodes one file, chunk by chunk.
///
/// ```
/// let mut decoder = flowlog::Decoder::new("flows.log", Default::default());
/// decoder.decode(b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 ");
/// decoder.decode(b"20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n");
/// let decoded = decoder.finish();
/// assert_eq!(decoded.table.len(), 1);
/// assert_eq!(decoded.report.issues.total(), 0);
/// ```
pub struct Decoder {
    file: String,
    stage: Stage,
    sink: Sink,
    bytes_read: u64,
    size_hint: Option<u64>,
    /// Whether the columns have been sized from the records of the first chunks.
    estimated: bool,
    /// The bytes and the records of the last chunk decoded, for the pace of the next.
    last_chunk: (u64, u64),
}

/// What decoding one file produced.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The records.
    pub table: FlowTable,
    /// Everything else there is to say about the file.
    pub report: FileReport,
}

/// What was found in a file besides its records.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The file's name or path, as given.
    pub file: String,
    /// Bytes handed to the decoder (compressed bytes, for gzip).
    pub bytes_read: u64,
    /// Wrappers found around the records, outermost first; empty for plain text.
    pub wrappers: Vec<Wrapper>,
    /// The layouts met, in order, with how each was learned.
    pub formats: Vec<FormatReport>,
    /// Records read.
    pub records: u64,
    /// Header lines read.
    pub header_lines: u64,
    /// Empty lines, which are not records and not issues.
    pub blank_lines: u64,
    /// Lines that did not become records.
    pub issues: IssueLog,
    /// What the file's S3 key says, when it has one.
    pub source: Option<S3Source>,
}

impl FileReport {
    /// The wrappers as one word, e.g. `gzip+cloudwatch-json`, or `text`.
    pub fn wrapper_name(&self) -> String {
        if self.wrappers.is_empty() {
            return "text".into();
        }
        let names: Vec<&str> = self.wrappers.iter().map(|w| w.name()).collect();
        names.join("+")
    }
}

impl Decoder {
    /// A decoder for the file named `file` (used in issues and reports).
    pub fn new(file: impl Into<String>, options: DecodeOptions) -> Decoder {
        let file = file.into();
        let reader = RecordReader::new(file.clone(), options.format);
        Decoder {
            file,
            stage: Stage::new(),
            sink: Sink::new(reader),
            bytes_read: 0,
            size_hint: options.size_hint,
            estimated: false,
            last_chunk: (0, 0),
        }
    }

    /// A decoder for the content of the gzip file `file`, inflated by the caller (in the
    /// browser, by `DecompressionStream` on another thread, so that inflating and decoding
    /// overlap). The report names gzip as the outermost wrapper, as if the decoder had
    /// inflated the file itself; `size_hint` should then be the inflated size, and
    /// [`FileReport::bytes_read`] counts inflated bytes.
    ///
    /// The caller must hand over the whole of a well-formed file's content: a stream that
    /// fails (damage, several members where the inflater reads one) should be decoded again
    /// from its compressed bytes with [`Decoder::new`], which reads every member and says
    /// where the damage is.
    pub fn of_inflated(file: impl Into<String>, options: DecodeOptions) -> Decoder {
        let mut decoder = Decoder::new(file, options);
        decoder.sink.saw(Wrapper::Gzip);
        decoder
    }

    /// Decodes the next bytes. A chunk may end anywhere, even inside a field or a gzip block.
    ///
    /// Columns are sized in steps, so that they are allocated about once, at about the size
    /// they end at: the first chunk reserves rows for its own bytes (or for the size hint,
    /// if smaller), and once enough records are read, the whole file's rows are estimated
    /// from the records per byte so far. Reserving the whole hint up front would be wrong
    /// both ways: formats with more fields have longer lines, and a gzip file's size says
    /// little about its records. It would also waste memory in WebAssembly, which never
    /// returns it: a column that widens from bytes to wider words leaves its whole first
    /// reservation behind.
    ///
    /// The estimate has a small margin only, since memory reserved and not used is kept as
    /// long as the tab lives. Before each chunk, the decoder checks that the chunk's records
    /// fit in what is reserved, counted at the densest pace seen (over the whole file so far
    /// or over the last chunk) with a tenth more. When they might not, the rest of
    /// the file is estimated again at that pace and reserved exactly; a column never
    /// doubles, which would take twice the memory at once. The check looks at the coming
    /// chunk only, so that the last chunks of a file of even lines reserve nothing more:
    /// each new reservation moves every column.
    pub fn decode(&mut self, chunk: &[u8]) {
        self.make_room(chunk.len() as u64);
        let before = self.sink.reader.records;
        self.bytes_read += chunk.len() as u64;
        self.stage.feed(chunk, &mut self.sink);
        self.last_chunk = (chunk.len() as u64, self.sink.reader.records - before);
    }

    /// Reserves rows for the next `coming` bytes, and for the rest of the file when they
    /// would not fit (see [`Decoder::decode`]).
    fn make_room(&mut self, coming: u64) {
        let Some(hint) = self.size_hint else { return };
        if self.bytes_read == 0 {
            let bytes = hint.min(coming);
            self.sink
                .reader
                .reserve_rows((bytes / TYPICAL_RECORD_BYTES) as usize);
            return;
        }
        let records = self.sink.reader.records;
        if records < ESTIMATE_AFTER_RECORDS || self.bytes_read >= hint {
            return;
        }
        let (last_bytes, last_records) = self.last_chunk;
        let overall = records as f64 / self.bytes_read as f64;
        let recent = last_records as f64 / last_bytes.max(1) as f64;
        let pace = overall.max(recent);
        let need = records + (coming as f64 * pace * CHUNK_SLACK).ceil() as u64;
        let reserved = self.sink.reader.reserved_rows() as u64;
        if self.estimated && need <= reserved {
            return;
        }
        self.estimated = true;
        let rest = (hint - self.bytes_read) as f64 * pace;
        let estimate = ((records as f64 + rest) * ESTIMATE_MARGIN) as u64;
        self.sink
            .reader
            .reserve_rows(estimate.max(need).max(reserved) as usize);
    }

    /// Records read so far.
    pub fn records(&self) -> u64 {
        self.sink.reader.records
    }

    /// Issues found so far.
    pub fn issues(&self) -> u64 {
        self.sink.reader.issues.total()
    }

    /// Ends the input and returns what was decoded.
    pub fn finish(mut self) -> Decoded {
        self.stage.finish(&mut self.sink);
        let mut reader = self.sink.reader;
        reader.resolve_sample();
        reader.close_layout();
        reader.table.seal();
        reader.issues.sort_examples();
        Decoded {
            report: FileReport {
                source: S3Source::from_path(&self.file),
                file: self.file,
                bytes_read: self.bytes_read,
                wrappers: self.sink.wrappers,
                formats: reader.formats,
                records: reader.records,
                header_lines: reader.header_lines,
                blank_lines: reader.blank_lines,
                issues: reader.issues,
            },
            table: reader.table,
        }
    }
}

/// Decodes a whole file held in memory.
pub fn decode_all(file: impl Into<String>, bytes: &[u8], options: DecodeOptions) -> Decoded {
    let mut decoder = Decoder::new(file, options);
    decoder.decode(bytes);
    decoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_sized_again_when_lines_grow_shorter() {
        // Long lines first, so that the first estimate is far too low for the short ones
        // that follow.
        let mut text = String::from("srcaddr dstaddr bytes\n");
        for _ in 0..20_000 {
            text += "10.0.0.1 10.0.0.2 123456789012345678\n";
        }
        for _ in 0..60_000 {
            text += "10.0.0.1 10.0.0.2 1\n";
        }
        let options = DecodeOptions {
            format: None,
            size_hint: Some(text.len() as u64),
        };
        let mut decoder = Decoder::new("t.log", options);
        let mut first_estimate = None;
        for chunk in text.as_bytes().chunks(64 << 10) {
            let before = decoder.records();
            decoder.decode(chunk);
            let (records, reserved) = (decoder.records(), decoder.sink.reader.reserved_rows());
            if before >= ESTIMATE_AFTER_RECORDS {
                first_estimate.get_or_insert(reserved);
                // The chunk's records were given room before it was read, so no column
                // grew by itself (which doubles it).
                assert!(reserved as u64 >= records, "{records} {reserved}");
            }
        }
        let first = first_estimate.expect("an estimate was made");
        assert!(
            first < 60_000,
            "the first estimate sees long lines only: {first}"
        );
        let reserved = decoder.sink.reader.reserved_rows();
        assert!((80_000..=88_000).contains(&reserved), "{reserved}");
        assert_eq!(decoder.finish().table.len(), 80_000);
    }

    #[test]
    fn a_file_of_even_lines_is_reserved_once_with_the_margin_only() {
        let line = "10.0.0.1 10.0.0.2 123456\n";
        let text = format!("srcaddr dstaddr bytes\n{}", line.repeat(100_000));
        let options = DecodeOptions {
            format: None,
            size_hint: Some(text.len() as u64),
        };
        let mut decoder = Decoder::new("t.log", options);
        let mut reservations = Vec::new();
        for chunk in text.as_bytes().chunks(64 << 10) {
            decoder.decode(chunk);
            let reserved = decoder.sink.reader.reserved_rows();
            if reservations.last() != Some(&reserved) {
                reservations.push(reserved);
            }
        }
        // The first chunk's guess, then the whole file's estimate: the last chunks, whose
        // records fit, reserve nothing more (a new reservation moves every column).
        assert_eq!(reservations.len(), 2, "{reservations:?}");
        let last = reservations[1] as f64;
        assert!(
            (100_000.0..=100_000.0 * 1.011).contains(&last),
            "{reservations:?}"
        );
        assert_eq!(decoder.finish().table.len(), 100_000);
    }
}
