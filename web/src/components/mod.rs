//! The Yew components, one per file, each with its `<Name>Props`.
//!
//! Components compute nothing: they draw the [`State`](crate::state::State) and turn user
//! events into [`Action`](crate::state::Action)s or requests to the worker.

pub mod app;
pub mod cards;
pub mod chart;
pub mod conversations;
pub mod drawer;
pub mod drop_zone;
pub mod exports;
pub mod file_list;
pub mod filter_bar;
pub mod intro;
pub mod overview;
pub mod quality;
pub mod records;
pub mod rejected;
pub mod saved_views;
pub mod tabs;

/// A file the user gave: its name (or path inside a dropped folder) and its contents.
pub type Picked = (String, web_sys::Blob);
