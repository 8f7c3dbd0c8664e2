//! Answers over a [`flowlog::FlowTable`]: the numbers the page, the CLI and the benchmarks
//! show.
//!
//! Every aggregate is mergeable: computing it on two tables and merging the results equals
//! computing it on both at once. That lets each file (and each worker) be summarised on its
//! own and the results combined.

#![deny(missing_docs)]

pub mod class;
mod conversation;
pub mod filter;
mod group;
mod histogram;
mod key;
pub mod names;
mod overview;
mod page;
mod rejected;
mod selection;
mod summary;
mod totals;
pub mod translate;

pub use class::AddrClass;
pub use conversation::{Conversation, ConversationKey, Conversations, Endpoint};
pub use filter::{Filter, FilterError};
pub use group::{Groups, Top, TopRow};
pub use histogram::{Bucket, Histogram, BASE_WIDTH};
pub use key::{GroupBy, Key};
pub use overview::{Overview, OVERVIEW_GROUPS};
pub use page::{page, Page, SortBy, SortValue};
pub use rejected::Rejected;
pub use selection::Selection;
pub use summary::{AddrSet, Summary};
pub use totals::{Measure, Totals};
