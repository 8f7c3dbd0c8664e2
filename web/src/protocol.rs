//! The messages between the page and the worker.
//!
//! Both directions are serde types, posted as their JSON text in a small JavaScript object
//! (see `to_js`), with what is not serde data beside it: the file itself, and a table's
//! image. A `Blob` (and so a `File`) is structured-clonable, so the page posts it as a
//! property of the request object and the browser hands the worker a reference to the same
//! file on disk; no byte is copied on the page's thread.

use serde::{Deserialize, Serialize};

/// Identifies one file for as long as the page lives; chosen by the page.
pub type JobId = u32;

/// What the page asks of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ToWorker {
    /// Decode a file. The message also carries the file as its `blob` property.
    Load {
        /// The page's id for this file.
        id: JobId,
        /// The file's name, or its path inside a dropped folder.
        name: String,
        /// The layout of a header-less file, as the user gave it (a `${field} …` string or
        /// a header line); `None` reads headers or guesses.
        format: Option<String>,
        /// Whether to send the decoded table back instead of keeping it: set for the extra
        /// workers that read files in parallel with the one that holds the tables. Their
        /// [`FromWorker::Done`] then carries the table's image as its `image` property, an
        /// `ArrayBuffer` transferred, not copied.
        #[serde(default)]
        ship: bool,
    },
    /// Take a table decoded by another worker. The message also carries the table's image
    /// ([`flowlog::FlowTable::to_image`]) as its `image` property, an `ArrayBuffer`
    /// transferred, not copied.
    Adopt {
        /// The file.
        id: JobId,
        /// What decoding it found, passed on in [`FromWorker::Done`] once adopted.
        result: Box<FileResult>,
    },
    /// Stop decoding a file, or drop its records if it is done.
    Forget {
        /// The file.
        id: JobId,
    },
    /// Answer a question over every file read so far.
    Query {
        /// The page's number for this question; the answer carries it, so that an answer
        /// to an older question (the filter has changed since) is recognised and dropped.
        seq: u32,
        /// The question.
        query: Query,
    },
    /// Answer a question about the rows of one tab (a page of records, conversations,
    /// rejected traffic). It is asked apart from the overview so that scrolling the table
    /// does not recompute the charts.
    Detail {
        /// The question's number, from the same count as [`ToWorker::Query`].
        seq: u32,
        /// The question.
        query: DetailQuery,
    },
}

/// A question about the rows of one tab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailQuery {
    /// The filter, in the filter language; empty keeps every record.
    pub filter: String,
    /// What is asked.
    pub detail: Detail,
}

/// What a [`DetailQuery`] asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Detail {
    /// A page of matching records.
    Records {
        /// The field to sort by, by its AWS name.
        sort: String,
        /// Largest first.
        descending: bool,
        /// The first row wanted.
        offset: u64,
        /// How many rows.
        limit: u32,
    },
    /// The largest conversations.
    Conversations {
        /// What they are ordered by: `bytes`, `packets` or `records`.
        measure: String,
        /// How many.
        limit: u32,
    },
    /// Rejected traffic by source, port, interface and destination.
    Rejected {
        /// What the lists are ordered by.
        measure: String,
        /// Rows per list.
        top: u32,
    },
}

/// A question about the records: the overview of those a filter keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// The filter, in the filter language; empty keeps every record.
    pub filter: String,
    /// What top lists are ordered by: `bytes`, `packets` or `records`.
    pub measure: String,
    /// Rows per top list.
    pub top: u32,
    /// The most buckets the time histogram may have.
    pub buckets: u32,
}

/// The answer to a [`Query`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// What the filter keeps.
    Overview(OverviewView),
    /// The filter could not be read.
    BadFilter(FilterProblem),
    /// A page of records.
    Records(RecordsView),
    /// The largest conversations.
    Conversations(ConversationsView),
    /// Rejected traffic.
    Rejected(RejectedView),
}

/// A page of the records a filter keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsView {
    /// Every field of every loaded file's formats, by AWS name: known fields in AWS's
    /// order, then unknown ones in the order met.
    pub columns: Vec<String>,
    /// How many records the filter keeps.
    pub matched: u64,
    /// The position of the first row in the sorted matches.
    pub offset: u64,
    /// Whether the order asked for could not be followed this deep (see
    /// [`crate::query::SORTED_DEPTH`]), or names no field of the files; the rows are then
    /// in the files' order.
    pub unsorted: bool,
    /// The rows.
    pub rows: Vec<RecordRow>,
}

/// One record of a [`RecordsView`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRow {
    /// The file it came from.
    pub file: JobId,
    /// Its line in the file (for a wrapper, the line of the record inside it).
    pub line: u64,
    /// Its values, one per column, as `flowlens records` prints them; `None` is missing
    /// (`-`, or a field the record's format lacks).
    pub values: Vec<Option<String>>,
}

/// The largest conversations among the records a filter keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationsView {
    /// How many conversations there are in all.
    pub total: u64,
    /// The largest, largest first.
    pub rows: Vec<ConversationRow>,
    /// The earliest first-seen and latest last-seen of all, the scale of the timeline bars.
    pub span: Option<(u64, u64)>,
}

/// One conversation: both directions of a flow between two endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRow {
    /// The protocol number, if known.
    pub protocol: Option<u8>,
    /// Its name, e.g. `tcp`.
    pub protocol_name: Option<String>,
    /// One endpoint's address (the lower of the two).
    pub a: String,
    /// Its port.
    pub a_port: Option<u16>,
    /// The other endpoint's address.
    pub b: String,
    /// Its port.
    pub b_port: Option<u16>,
    /// The service of the lower well-known port, e.g. `https`.
    pub service: Option<String>,
    /// Records, bytes and packets from A to B.
    pub a_to_b: Counts,
    /// Records, bytes and packets from B to A.
    pub b_to_a: Counts,
    /// The earliest start, Unix seconds.
    pub first_seen: Option<u64>,
    /// The latest end, Unix seconds.
    pub last_seen: Option<u64>,
}

/// Rejected traffic among the records a filter keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedView {
    /// Every rejected record: records, bytes, packets.
    pub totals: Counts,
    /// By source, destination port, interface and destination, in the order of
    /// [`crate::query::REJECTED_LISTS`].
    pub tops: Vec<TopView>,
}

/// Where a filter stopped being readable, from [`flowlog_query::FilterError`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterProblem {
    /// Character offset (not byte) where the problem starts.
    pub start: usize,
    /// Character offset just past it.
    pub end: usize,
    /// What was expected and what was found, in a sentence.
    pub message: String,
}

/// Records, bytes and packets, in that order: one cell of an answer.
pub type Counts = [u64; 3];

/// The overview of the records a filter keeps, merged across files.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OverviewView {
    /// Totals and time span.
    pub totals: Totals,
    /// Distinct interfaces.
    pub interfaces: u64,
    /// Distinct transit gateway attachments, when some file read has the field.
    pub attachments: Option<u64>,
    /// Distinct addresses, source or destination.
    pub addresses: u64,
    /// Width of the histogram's buckets, in seconds.
    pub width: u64,
    /// Non-empty buckets in time order.
    pub buckets: Vec<HistRow>,
    /// Records without a start time.
    pub no_time: Counts,
    /// The top lists, in the order of [`crate::query::TOP_LISTS`].
    pub tops: Vec<TopView>,
}

/// One bucket of the histogram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistRow {
    /// Start, in Unix seconds.
    pub start: u64,
    /// ACCEPT records.
    pub accept: Counts,
    /// REJECT records.
    pub reject: Counts,
    /// Records without an action.
    pub none: Counts,
}

/// One top list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopView {
    /// The group-by's name, as `flowlens query --top` takes it (`dstport`, `pair`).
    pub by: String,
    /// The largest groups, largest first.
    pub rows: Vec<TopItem>,
    /// The groups not listed, added up.
    pub other: Counts,
    /// How many groups there are in all.
    pub groups: u64,
}

/// One group of a top list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopItem {
    /// The group's value as `flowlens query` prints it; `None` where the field is missing.
    /// Two values (source, destination) for a pair.
    pub key: Vec<Option<String>>,
    /// A name for the value: the service of a port, the name of a protocol.
    pub label: Option<String>,
    /// Records, bytes, packets of the group.
    pub counts: Counts,
}

/// What the worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FromWorker {
    /// The worker is running and takes requests. Until then the page holds them back,
    /// because a message that arrives before the worker's handler is set is lost.
    Ready,
    /// A file is being read.
    Progress {
        /// The file.
        id: JobId,
        /// Bytes read so far (compressed bytes, for gzip).
        bytes_read: u64,
        /// Records decoded so far.
        records: u64,
        /// Issues found so far.
        issues: u64,
    },
    /// A file has been read to its end.
    Done {
        /// The file.
        id: JobId,
        /// What was found in it (boxed: it is far larger than the other messages).
        result: Box<FileResult>,
    },
    /// A file could not be read at all (the browser refused it, or it vanished).
    Failed {
        /// The file.
        id: JobId,
        /// Why, in a sentence.
        message: String,
    },
    /// How much memory the worker's WebAssembly instance holds now, in bytes. Sent after a
    /// file is read or dropped; memory only grows until the worker ends.
    Memory {
        /// Bytes.
        bytes: u64,
    },
    /// The answer to a [`ToWorker::Query`] or [`ToWorker::Detail`].
    Answer {
        /// The question's number.
        seq: u32,
        /// The answer (boxed: it is far larger than the other messages).
        answer: Box<Answer>,
    },
    /// The worker hit a bug and stops; every file still being read is lost.
    Crashed {
        /// The panic message.
        message: String,
    },
}

/// What decoding one file found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileResult {
    /// Bytes read from the file (compressed bytes, for gzip).
    pub bytes_read: u64,
    /// Lines that did not become records.
    pub issues: u64,
    /// Issue counts by kind, using the kinds' stable names, most frequent first.
    pub issue_kinds: Vec<(String, u64)>,
    /// The issues kept as examples, in line order (at most
    /// [`crate::ingest::EXAMPLES`]; the counts above are exact).
    pub examples: Vec<IssueExample>,
    /// The layouts met, in the order met.
    pub formats: Vec<FormatView>,
    /// The wrappers around the records, e.g. `gzip`, or `text`.
    pub wrapper: String,
    /// Whether no header line was seen, so that a format the user gives would apply.
    pub headerless: bool,
    /// What the file's S3 key says (account, region, flow-log id, date), in words.
    pub source: Option<String>,
    /// The totals over the file's records.
    pub totals: Totals,
    /// How long the worker took over the file, in milliseconds: from taking it to its
    /// table being ready (indexed, or made into an image to ship). 0 where not timed.
    pub worker_ms: f64,
}

/// A layout met in a file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormatView {
    /// The layout in words, e.g. "default (version 2)".
    pub description: String,
    /// Its fields as a header line.
    pub header: String,
    /// How it was learned: "header line 1", "given", "guessed".
    pub source: String,
    /// For a guess, the share of sampled lines it explains, 0 to 1.
    pub confidence: Option<f32>,
    /// Records read with it.
    pub records: u64,
}

/// One line that did not become a record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueExample {
    /// The 1-based line, or 0 for the file as a whole.
    pub line: u64,
    /// The kind's stable name, e.g. `too-few-fields`.
    pub kind: String,
    /// What was found and what was expected, in a sentence.
    pub message: String,
    /// The start of the line, printable.
    pub excerpt: String,
}

/// Totals over some records, from [`flowlog_query::Summary`]. Several files add up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Records.
    pub records: u64,
    /// Sum of `bytes`.
    pub bytes: u64,
    /// Sum of `packets`.
    pub packets: u64,
    /// Records with `action` ACCEPT.
    pub accepted: u64,
    /// Records with `action` REJECT.
    pub rejected: u64,
    /// The earliest `start`, in Unix seconds.
    pub first_start: Option<u64>,
    /// The latest `end`, in Unix seconds.
    pub last_end: Option<u64>,
}

impl Totals {
    /// The engine's totals, in the shape the page carries.
    pub fn of(summary: &flowlog_query::Summary) -> Totals {
        let action = |name: &str| summary.by_action.get(name).copied().unwrap_or(0);
        Totals {
            records: summary.records,
            bytes: summary.bytes,
            packets: summary.packets,
            accepted: action("ACCEPT"),
            rejected: action("REJECT"),
            first_start: summary.first_start,
            last_end: summary.last_end,
        }
    }

    /// Adds another file's totals, the way [`flowlog_query::Summary::merge`] does.
    pub fn add(&mut self, other: &Totals) {
        self.records += other.records;
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.packets = self.packets.saturating_add(other.packets);
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.first_start = match (self.first_start, other.first_start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_end = self.last_end.max(other.last_end);
    }
}

#[cfg(target_arch = "wasm32")]
pub use js::*;

/// Conversions to and from JavaScript values.
#[cfg(target_arch = "wasm32")]
mod js {
    use super::{FromWorker, JobId, ToWorker};
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use wasm_bindgen::{JsCast, JsValue};

    /// The property of a `Load` request that holds the file.
    const BLOB: &str = "blob";

    /// A request to decode a file, as the worker receives it.
    pub struct LoadRequest {
        /// The page's id for the file.
        pub id: JobId,
        /// The file's name.
        pub name: String,
        /// The layout the user gave, if any.
        pub format: Option<String>,
        /// Whether to ship the table back rather than keep it.
        pub ship: bool,
        /// The file (a `File`, or a `Blob` fetched for the samples).
        pub blob: web_sys::Blob,
    }

    /// The property of every message that holds the message itself, as JSON text.
    const JSON: &str = "json";

    /// Turns a message into the JavaScript object that is posted: `{json}`, the message as
    /// JSON text, to which [`with_attachment`] adds what is not serde data.
    ///
    /// JSON text rather than an object of JavaScript values: the other side reads it with
    /// one call into WebAssembly instead of one per field. From the first overview's
    /// arrival to its charts painted, a 1M-record file took 7 ms less on the page's thread
    /// (paired median of 10 loads). Integers are written as digits and read back by serde,
    /// so byte counts above 2^53 arrive exact.
    pub fn to_js<T: Serialize>(message: &T) -> Result<JsValue, String> {
        let text = serde_json::to_string(message).map_err(|e| e.to_string())?;
        let object = js_sys::Object::new();
        js_sys::Reflect::set(&object, &JSON.into(), &text.into()).map_err(describe)?;
        Ok(object.into())
    }

    /// Reads a message made by [`to_js`].
    fn from_js<T: DeserializeOwned>(message: &JsValue) -> Result<T, String> {
        let text = js_sys::Reflect::get(message, &JSON.into())
            .ok()
            .and_then(|text| text.as_string())
            .ok_or("the message has no JSON text")?;
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    /// The property of `Adopt` messages, and of `Done` from a worker that ships its tables,
    /// that holds the table's image.
    pub const IMAGE: &str = "image";

    /// A table's image in the `ArrayBuffer` another worker transferred, read into the
    /// table's columns a piece at a time: the image is never copied whole into this
    /// worker's memory, which would keep that much more for as long as the worker lives.
    pub struct JsImage(pub js_sys::Uint8Array);

    impl flowlog::ImageSource for JsImage {
        fn len(&self) -> usize {
            self.0.length() as usize
        }

        fn copy_to(&self, at: usize, into: &mut [u8]) {
            let end = at + into.len();
            self.0.subarray(at as u32, end as u32).copy_to(into);
        }
    }

    /// The `Load` message for a file, with the file attached.
    pub fn load_request(
        id: JobId,
        name: &str,
        format: Option<&str>,
        ship: bool,
        blob: &web_sys::Blob,
    ) -> Result<JsValue, String> {
        let message = to_js(&ToWorker::Load {
            id,
            name: name.to_owned(),
            format: format.map(str::to_owned),
            ship,
        })?;
        js_sys::Reflect::set(&message, &BLOB.into(), blob).map_err(describe)?;
        Ok(message)
    }

    /// A message with a value that is not serde data (a `Blob`, an `ArrayBuffer`) put
    /// under `key`.
    pub fn with_attachment<T: Serialize>(
        message: &T,
        key: &str,
        value: &JsValue,
    ) -> Result<JsValue, String> {
        let object = to_js(message)?;
        js_sys::Reflect::set(&object, &key.into(), value).map_err(describe)?;
        Ok(object)
    }

    /// The value a message carries under `key` beside its JSON text, if any.
    fn attachment(message: &JsValue, key: &str) -> Option<JsValue> {
        js_sys::Reflect::get(message, &key.into())
            .ok()
            .filter(|v| !v.is_undefined())
    }

    /// The table's image a message carries under [`IMAGE`], if any.
    fn image(message: &JsValue) -> Option<js_sys::ArrayBuffer> {
        attachment(message, IMAGE).and_then(|b| b.dyn_into::<js_sys::ArrayBuffer>().ok())
    }

    /// Reads a request on the worker's side: the message, and for `Load` its file, for
    /// `Adopt` the table's image.
    pub fn read_request(
        value: JsValue,
    ) -> Result<(ToWorker, Option<web_sys::Blob>, Option<js_sys::ArrayBuffer>), String> {
        let blob = attachment(&value, BLOB).and_then(|b| b.dyn_into::<web_sys::Blob>().ok());
        Ok((from_js(&value)?, blob, image(&value)))
    }

    /// Reads a worker's message on the page's side, with the table's image that a `Done`
    /// carries from a worker that ships its tables.
    pub fn read_reply(value: JsValue) -> Result<(FromWorker, Option<js_sys::ArrayBuffer>), String> {
        Ok((from_js(&value)?, image(&value)))
    }

    /// A JavaScript error (or any thrown value) as a sentence.
    pub fn describe(error: JsValue) -> String {
        if let Some(error) = error.dyn_ref::<js_sys::Error>() {
            return String::from(error.message());
        }
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_like_summaries_merge() {
        let mut a = Totals {
            records: 2,
            bytes: 10,
            packets: 3,
            accepted: 1,
            rejected: 1,
            first_start: Some(100),
            last_end: Some(200),
        };
        let b = Totals {
            records: 1,
            bytes: u64::MAX,
            packets: 1,
            accepted: 1,
            rejected: 0,
            first_start: Some(50),
            last_end: None,
        };
        a.add(&b);
        assert_eq!(a.records, 3);
        assert_eq!(a.bytes, u64::MAX);
        assert_eq!(a.packets, 4);
        assert_eq!(a.accepted, 2);
        assert_eq!(a.first_start, Some(50));
        assert_eq!(a.last_end, Some(200));
    }
}
