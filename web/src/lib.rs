//! The flowlens page: a Yew app that analyses VPC Flow Logs without sending them anywhere.
//!
//! # The key decision: the page never parses
//!
//! A flow-log upload is easily hundreds of megabytes. Decoding that on the page's thread
//! would freeze scrolling, clicks and the progress bar for as long as it takes, so the page
//! only hands each `File` to a Web Worker and draws what the worker reports. The worker is a
//! second binary of this crate: it reads the file in chunks of bytes (never as one string,
//! which browsers silently truncate past a few hundred megabytes), pushes them through
//! [`flowlog::Decoder`], and answers with progress and, at the end, the totals that
//! [`flowlog_query::Summary`] computes: the same numbers the `flowlens` command prints.
//!
//! # The shape of the crate
//!
//! The pure parts build and test natively with `cargo test`; everything that touches
//! JavaScript is compiled only for `wasm32`:
//!
//! - [`state`]: the page's state and the reducer that changes it. Pure.
//! - [`numbers`]: integers, byte sizes and times as people read them. Pure.
//! - [`explain`]: a record explained in AWS's terms, for the detail drawer. Pure.
//! - [`export`]: the CSV, JSON and Athena / Logs Insights text of the page's exports. Pure.
//! - [`saved`]: named views as kept in `localStorage`. Pure.
//! - [`complete`]: the filter bar's completion of field names and keywords. Pure.
//! - [`protocol`]: the messages between the page and the worker.
//! - [`query`]: the worker's answers to the page's questions, merged across files. Pure.
//! - [`ingest`]: one file's bytes through the decoder, and what is reported about it.
//! - [`warm_up`]: a small made-up file decoded and answered when a worker starts, so that
//!   the browser has optimised the hot code before the user's file arrives.
//! - [`rehearsal`]: the page's counterpart of the warm-up: a made-up overview read and drawn
//!   out of sight before the first file, so that the first chart runs code the browser has
//!   already compiled.
//! - [`samples`]: the list of bundled sample files (fetched, or inlined in `flowlens.html`).
//! - `worker` (wasm only): the worker's message loop.
//! - `read_ahead` (wasm only): a file's slices, read on a thread of their own ahead of the
//!   decoder, and `next_task`, the worker's way of giving way to its other tasks (the
//!   warm-up and the memory made ready for a table both use it).
//! - `loader` (wasm only): the page's handle on the worker (from a file next to the page, or
//!   from the Blob URL of the single-file build), and the service worker's registration.
//! - `components` (wasm only): the Yew components, one per file.

#![deny(missing_docs)]

pub mod complete;
pub mod explain;
pub mod export;
pub mod ingest;
pub mod numbers;
pub mod protocol;
pub mod query;
pub mod rehearsal;
pub mod samples;
pub mod saved;
pub mod state;
pub mod warm_up;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod loader;
#[cfg(target_arch = "wasm32")]
pub mod read_ahead;
#[cfg(target_arch = "wasm32")]
pub mod worker;
