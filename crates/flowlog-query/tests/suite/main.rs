//! The integration tests of flowlog-query, in one binary: golden files for the filter
//! language and property tests against a naive reference.

mod filters;
mod properties;
mod reference;
mod translations;
