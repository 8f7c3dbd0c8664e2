//! Answers over a [`flowlog::FlowTable`]: the numbers the page, the CLI and the benchmarks
//! show.
//!
//! Every aggregate is mergeable: computing it on two tables and merging the results equals
//! computing it on both at once. That lets each file (and each worker) be summarised on its
//! own and the results combined.

#![deny(missing_docs)]

pub mod class;
pub mod filter;
pub mod names;
mod selection;
mod summary;

pub use class::AddrClass;
pub use filter::{Filter, FilterError};
pub use selection::Selection;
pub use summary::Summary;
