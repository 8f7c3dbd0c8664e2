//! What went wrong in a filter, where, and what would have been right.

use std::fmt;

/// A filter that could not be read: the byte range it stopped at, what it expected there,
/// and what it found instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// Byte offset of the offending token in the filter text.
    pub start: usize,
    /// Byte offset just past the offending token (equal to `start` at the end of the text).
    pub end: usize,
    /// What would have been accepted there, e.g. "a value after `=`".
    pub expected: String,
    /// What was there instead, e.g. "`)`" or "the end of the filter".
    pub found: String,
}

impl FilterError {
    /// The column (1-based, in characters) where the problem starts.
    pub fn column(&self, text: &str) -> usize {
        text.get(..self.start)
            .map_or(self.start, |s| s.chars().count())
            + 1
    }

    /// The message with the filter text and a caret line under the offending part, for a
    /// terminal.
    pub fn render(&self, text: &str) -> String {
        let column = self.column(text);
        let width = text
            .get(self.start..self.end)
            .map_or(1, |s| s.chars().count().max(1));
        format!(
            "column {column}: expected {}, found {}\n  {text}\n  {}{}",
            self.expected,
            self.found,
            " ".repeat(column - 1),
            "^".repeat(width)
        )
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at byte {}: expected {}, found {}",
            self.start, self.expected, self.found
        )
    }
}

impl std::error::Error for FilterError {}
