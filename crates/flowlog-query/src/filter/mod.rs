//! The filter language: `dstport = ssh and not srcaddr is private`.
//!
//! [`Filter::parse`] reads the text into a typed [`Expr`] (or a [`FilterError`] that says
//! where and what was expected); [`Filter::select`] evaluates it over a table. The rules that
//! users rely on (a comparison on a missing value is false; `not` negates the whole inner
//! expression) live in `eval` and are written out in `docs/filter-language.md`.

mod ast;
mod error;
mod eval;
mod lex;
mod parse;

pub use ast::{Cond, Expr, Operand, Subject, TcpFlag, Test, TextOp};
pub use error::FilterError;
pub use lex::Cmp;
pub use parse::parse_time;

use crate::selection::Selection;
use flowlog::FlowTable;
use std::fmt;

/// A parsed filter, or the filter that keeps every record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    expr: Option<Expr>,
}

impl Filter {
    /// The filter that keeps every record.
    pub fn all() -> Filter {
        Filter { expr: None }
    }

    /// Reads a filter that names only fields AWS documents (and `addr`, `port`, `time`).
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        Filter::parse_with(text, &[])
    }

    /// Reads a filter that may also name the columns `others` (header names no AWS version
    /// documents, kept as text). Blank text keeps every record.
    pub fn parse_with(text: &str, others: &[&str]) -> Result<Filter, FilterError> {
        if text.trim().is_empty() {
            return Ok(Filter::all());
        }
        Ok(Filter {
            expr: Some(parse::parse(text, Some(others))?),
        })
    }

    /// Finds the problems [`Filter::parse_with`] would find in `text` whatever columns it
    /// were given: any name that is not a field AWS documents is taken for another column.
    /// A filter this refuses, no file read later can make readable, so a page can say so
    /// before any file is read.
    pub fn check(text: &str) -> Result<(), FilterError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        parse::parse(text, None).map(|_| ())
    }

    /// The expression, or `None` for the filter that keeps everything.
    pub fn expr(&self) -> Option<&Expr> {
        self.expr.as_ref()
    }

    /// The rows of `table` the filter keeps.
    pub fn select(&self, table: &FlowTable) -> Selection {
        match &self.expr {
            None => Selection::all(table.len()),
            Some(expr) => eval::select(expr, table),
        }
    }
}

impl fmt::Display for Filter {
    /// The canonical form, which parses back to the same filter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expr {
            None => Ok(()),
            Some(expr) => write!(f, "{expr}"),
        }
    }
}
