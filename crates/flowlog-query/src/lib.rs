//! Answers over a [`flowlog::FlowTable`]: the numbers the page, the CLI and the benchmarks
//! show.
//!
//! # The key decision: one meaning, evaluated a column at a time
//!
//! A filter is parsed once into a typed expression ([`filter::Expr`]) whose values are
//! already converted for their fields: a port name is a number, `ACCEPT` is its index in the
//! list, a time is Unix seconds. Everything downstream starts from that one meaning: the
//! evaluator here, and the Athena and Logs Insights translations, so the page, the CLI and
//! the query a user runs on the whole data set agree on what `not (action = ACCEPT)` means
//! (a comparison on a missing value is false; `not` negates the whole inner expression).
//!
//! Evaluation never asks a row for its values one by one. Each condition runs as one loop
//! over its column into a bitmap ([`Selection`]), text conditions are answered once per
//! dictionary entry, and aggregates index dense arrays by port, protocol, dictionary code or
//! address class. Keys become values (a [`Key`]) once per group at the end, because results
//! from different files, whose dictionaries differ, must merge: every aggregate here is
//! mergeable, and the tests check that merging the parts equals computing on the whole.
//!
//! # The page's first screen: an index, then one pass
//!
//! What the page shows first for a filter ([`Overview`]) must come back in well under a
//! tenth of a second on ten million records. Two things make that possible. A
//! [`TableIndex`], built once when a table is loaded, gives every address a dense code (most
//! frequent first) and knows the range of times of every chunk of rows, so that grouping
//! by address is an array update like grouping by port, and times are read only where a
//! chunk's range does not tell enough. And the overview reads the rows once, a chunk of
//! 1,024 at a time (`scan`): each row's `bytes`, records and `packets` become an increment
//! of two words (`packed`) that every answer adds to its slots, reading keys straight from
//! the columns.
//!
//! # Modules
//!
//! - [`filter`]: the filter language: lexer, parser with positioned errors, typed
//!   expression, column-wise evaluation.
//! - `selection`: [`Selection`], the rows a filter keeps, as a bitmap.
//! - `totals`, `key`: [`Totals`] (records, bytes, packets), [`Measure`], group keys
//!   ([`Key`]) and what to group by ([`GroupBy`]), with the documented order of keys.
//! - `summary`, `group`, `histogram`, `overview`: [`Summary`], [`Groups`] and their
//!   [`Top`] lists with "other", [`Histogram`] by action, and [`Overview`], all of them
//!   for the page's first screen.
//! - `index`, `scan`, `packed`: [`TableIndex`] (address codes, times by chunk), the
//!   chunked reading of rows that the overview's single pass is built on, and totals
//!   packed into two words.
//! - `conversation`, `rejected`, `page`: [`Conversations`], [`Rejected`] breakdowns and
//!   sorted pages of records ([`page()`]).
//! - [`names`], [`class`]: protocol and port names; address classes.
//! - [`translate`]: the same question as Athena SQL or a Logs Insights query.
//!
//! The crate does no I/O, reads no clock and spawns no thread; it builds for
//! `wasm32-unknown-unknown` as well as natively.

#![deny(missing_docs)]

pub mod class;
mod conversation;
pub mod filter;
mod group;
mod histogram;
mod index;
mod key;
pub mod names;
mod overview;
mod packed;
mod page;
mod rejected;
mod scan;
mod selection;
mod summary;
mod totals;
pub mod translate;

pub use class::AddrClass;
pub use conversation::{Conversation, ConversationKey, Conversations, Endpoint};
pub use filter::{Filter, FilterError};
pub use group::{Groups, Top, TopRow};
pub use histogram::{Bucket, Histogram, BASE_WIDTH};
pub use index::TableIndex;
pub use key::{GroupBy, Key};
pub use overview::{Overview, OVERVIEW_GROUPS};
pub use page::{page, Page, SortBy, SortValue};
pub use rejected::Rejected;
pub use selection::Selection;
pub use summary::{AddrSet, Summary};
pub use totals::{Measure, Totals};
