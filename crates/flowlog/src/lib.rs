//! Reads AWS VPC and transit-gateway flow logs into a compact columnar table, and says
//! exactly what it could not read.
//!
//! # The key decision: report, never guess silently
//!
//! Flow logs drive security decisions, so the decoder's first duty is to put every value in
//! its right column or not at all. The layout of a line is never assumed from a fixed list:
//! it comes from a header line (which may recur, and may change, mid-file), from a format the
//! user gives, or from a guess made on the shape of the values and reported with its
//! confidence. Every line that does not become a record becomes a [`ParseIssue`] with its
//! file, line number and an excerpt; counts are exact.
//!
//! # The shape of the decoder
//!
//! [`Decoder`] is push-based: [`Decoder::decode`] takes chunks that may end anywhere, and
//! [`Decoder::finish`] returns the [`FlowTable`] and a [`FileReport`]. Wrappers (gzip,
//! CloudWatch JSON, CSV exports, Firehose JSON lines, subscription payloads) are detected from
//! content and peeled off in stages before the record reader sees a line. The crate does no
//! I/O, reads no clock and spawns no thread, so it runs the same natively and in WebAssembly.
//!
//! # Modules
//!
//! - [`field`]: the fields AWS defines, their versions and kinds of value.
//! - [`format`](mod@format): layouts: the default, transit gateway, "all fields to vN", custom.
//! - [`guess`]: the layout of header-less lines, from the shape of their values.
//! - [`table`] and [`column`](mod@column): the columnar, dictionary-encoded table, whose
//!   address columns share one dictionary, [`column::Addresses`].
//! - `writer`: the columns of the layout being read, and the fast path that fills them
//!   straight from a plain line, declining anything else to the careful path.
//! - `places`: where each value of a long list first occurs, found by sorting, for coding
//!   the addresses of files with millions of them, and pairing their rows.
//! - [`issue`]: what could not be read, where, and why.
//! - [`source`]: what an S3 key says about a file.
//! - `image`: a table as one run of bytes, to move it between WebAssembly instances
//!   ([`FlowTable::to_image`], [`FlowTable::from_image`]).

#![deny(missing_docs)]

mod addresses;
pub mod column;
mod decoder;
pub mod field;
pub mod format;
pub mod guess;
mod image;
pub mod issue;
mod places;
mod records;
pub mod source;
pub mod table;
mod value;
mod wrapper;
mod writer;

pub use decoder::{decode_all, DecodeOptions, Decoded, Decoder, FileReport};
pub use field::{Field, FieldKind, FieldRef};
pub use format::{Format, FormatError};
pub use image::{ImageError, ImageSource};
pub use issue::{IssueKind, IssueLog, ParseIssue};
pub use records::{FormatReport, FormatSource};
pub use source::S3Source;
pub use table::{Column, FlowTable, Value};
pub use value::MAX_SECONDS;
pub use wrapper::Wrapper;
