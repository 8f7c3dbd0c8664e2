//! Reading the selected rows a chunk at a time.
//!
//! A [`Chunk`] is 1,024 consecutive rows and the ones the selection keeps. When most of its
//! rows are kept, the chunk is read whole: loops run over the columns' own words, at their
//! own width, and rows that are not kept are made to count nothing (their increment is
//! zero). Otherwise the kept rows are gathered by their offsets into buffers of `u64`s,
//! with one loop per column width (chosen once per chunk, not once per row). Either way the
//! aggregates run as tight loops over a few hundred or thousand words that sit in the
//! first-level cache, and only the chunk knows whether it was read whole.

use crate::selection::Selection;
use flowlog::column::{Bitmap, IntColumn, IntWords};

/// Selection words per chunk.
const WORDS: usize = 16;
/// Rows per chunk.
pub(crate) const ROWS: usize = WORDS * 64;

/// The rows of one chunk that the aggregates read, as positions in its buffers.
///
/// When most rows of the chunk are selected the buffers hold every row of the chunk (a
/// plain copy, the fastest way to read a column) and the unselected ones are sent to a
/// slot that nobody reads with [`Chunk::drop_unselected`]; otherwise the buffers hold the
/// selected rows only, gathered by their offsets.
pub(crate) struct Chunk {
    /// The first row of the chunk.
    base: usize,
    /// The table's rows in the chunk (fewer than [`ROWS`] only at the end).
    len: usize,
    /// The selection's words for the chunk.
    bits: [u64; WORDS],
    /// The bits of each word that are rows of the table.
    valid: [u64; WORDS],
    /// Selected rows in the words before each word.
    before: [u32; WORDS],
    /// Offsets from `base` of the selected rows, in order; unused when `every`.
    offsets: [u16; ROWS],
    /// How many rows are selected.
    n: usize,
    /// Whether buffers hold every row of the chunk rather than the selected ones.
    every: bool,
}

impl Chunk {
    fn new() -> Chunk {
        Chunk {
            base: 0,
            len: 0,
            bits: [0; WORDS],
            valid: [0; WORDS],
            before: [0; WORDS],
            offsets: [0; ROWS],
            n: 0,
            every: false,
        }
    }

    /// How many rows are selected.
    #[inline]
    pub(crate) fn selected(&self) -> usize {
        self.n
    }

    /// Whether the chunk is read whole: every row of it, the unselected ones included,
    /// rather than the selected rows gathered.
    #[inline]
    pub(crate) fn every(&self) -> bool {
        self.every
    }

    /// The chunk's part of a column's words, for reading a chunk whole.
    #[inline]
    pub(crate) fn rows<'w, T>(&self, words: &'w [T]) -> &'w [T] {
        &words[self.base..self.base + self.len]
    }

    /// Calls `f` with the position of every row that a whole chunk reads but the selection
    /// does not keep; none when the chunk is gathered.
    #[inline]
    pub(crate) fn for_each_unselected(&self, mut f: impl FnMut(usize)) {
        if !self.every {
            return;
        }
        for w in 0..WORDS {
            let mut dropped = self.valid[w] & !self.bits[w];
            while dropped != 0 {
                f(w * 64 + dropped.trailing_zeros() as usize);
                dropped &= dropped - 1;
            }
        }
    }

    /// How many rows the buffers hold.
    #[inline]
    pub(crate) fn width(&self) -> usize {
        if self.every {
            self.len
        } else {
            self.n
        }
    }

    /// Copies the rows of `column` into `out`, returning the filled part. Missing rows give
    /// their raw word, 0.
    #[inline]
    pub(crate) fn load<'b>(&self, column: &IntColumn, out: &'b mut [u64; ROWS]) -> &'b mut [u64] {
        let out = &mut out[..self.width()];
        self.load_into(column, out, |o, v| *o = v);
        out
    }

    /// As [`Chunk::load`], for a column of 32-bit words.
    #[inline]
    pub(crate) fn load_u32<'b>(&self, words: &[u32], out: &'b mut [u64; ROWS]) -> &'b mut [u64] {
        let out = &mut out[..self.width()];
        self.gather(words, out, |o, v| *o = v);
        out
    }

    /// Calls `set` with each place of `out` (one per row the buffers hold) and the raw word
    /// of its row in `column`, so that a value can be stored in part of a wider buffer.
    #[inline]
    pub(crate) fn load_into<O>(
        &self,
        column: &IntColumn,
        out: &mut [O],
        set: impl Fn(&mut O, u64),
    ) {
        match column.words() {
            IntWords::Same { value, .. } => {
                for o in out.iter_mut().take(self.width()) {
                    set(o, value);
                }
            }
            IntWords::U8(w) => self.gather(w, out, set),
            IntWords::U16(w) => self.gather(w, out, set),
            IntWords::U32(w) => self.gather(w, out, set),
            IntWords::U64(w) => self.gather(w, out, set),
        }
    }

    #[inline]
    fn gather<T: Copy + Into<u64>, O>(
        &self,
        words: &[T],
        out: &mut [O],
        set: impl Fn(&mut O, u64),
    ) {
        let words = self.rows(words);
        if self.every {
            for (o, &w) in out.iter_mut().zip(words) {
                set(o, w.into());
            }
        } else if let Ok(words) = <&[T; ROWS]>::try_from(words) {
            // A whole chunk: offsets are below ROWS, so the mask keeps the index in bounds
            // without a check per row.
            for (o, &i) in out.iter_mut().zip(&self.offsets[..self.n]) {
                set(o, words[i as usize % ROWS].into());
            }
        } else {
            for (o, &i) in out.iter_mut().zip(&self.offsets[..self.n]) {
                set(o, words[i as usize].into());
            }
        }
    }

    /// Calls `f` with the buffer position and the offset in the chunk of every selected
    /// row that `bitmap` marks.
    #[inline]
    pub(crate) fn for_each_marked(&self, bitmap: &Bitmap, mut f: impl FnMut(usize, usize)) {
        let marks = bitmap.words();
        let first = self.base / 64;
        for w in 0..WORDS {
            let rows = self.bits[w];
            let mut marked = rows & marks.get(first + w).copied().unwrap_or(0);
            while marked != 0 {
                let bit = marked.trailing_zeros() as usize;
                let at = if self.every {
                    w * 64 + bit
                } else {
                    self.before[w] as usize + (rows & ((1u64 << bit) - 1)).count_ones() as usize
                };
                f(at, w * 64 + bit);
                marked &= marked - 1;
            }
        }
    }

    /// How many selected rows `bitmap` marks.
    #[inline]
    pub(crate) fn selected_marked(&self, bitmap: &Bitmap) -> usize {
        let marks = bitmap.words();
        let first = self.base / 64;
        (0..WORDS)
            .map(|w| (self.bits[w] & marks.get(first + w).copied().unwrap_or(0)).count_ones())
            .sum::<u32>() as usize
    }

    /// Reads one word of each cache line that holds the chunk's rows of `words`, and
    /// returns them combined, so that they are read.
    #[inline]
    pub(crate) fn warm<T: Copy + Into<u64>>(&self, words: &[T]) -> u64 {
        let per_line = (64 / std::mem::size_of::<T>()).max(1);
        self.rows(words)
            .iter()
            .step_by(per_line)
            .fold(0, |x, &w| x ^ w.into())
    }

    /// As [`Chunk::warm`], for an integer column.
    #[inline]
    pub(crate) fn warm_column(&self, column: &IntColumn) -> u64 {
        match column.words() {
            // Nothing stored, nothing to fetch.
            IntWords::Same { .. } => 0,
            IntWords::U8(w) => self.warm(w),
            IntWords::U16(w) => self.warm(w),
            IntWords::U32(w) => self.warm(w),
            IntWords::U64(w) => self.warm(w),
        }
    }

    /// Which chunk of the table it is: its first row is this times [`ROWS`].
    #[inline]
    pub(crate) fn index(&self) -> usize {
        self.base / ROWS
    }

    /// The first row of the chunk.
    #[inline]
    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// Sets the buffer value of every row that `bitmap` marks to `value`.
    #[inline]
    pub(crate) fn mark(&self, bitmap: Option<&Bitmap>, out: &mut [u64], value: u64) {
        if let Some(bitmap) = bitmap {
            self.for_each_marked(bitmap, |j, _| out[j] = value);
        }
    }

    /// How many selected rows `bitmap` does not mark.
    #[inline]
    pub(crate) fn selected_unmarked(&self, bitmap: &Bitmap) -> usize {
        let marks = bitmap.words();
        let first = self.base / 64;
        (0..WORDS)
            .map(|w| (self.bits[w] & !marks.get(first + w).copied().unwrap_or(0)).count_ones())
            .sum::<u32>() as usize
    }
}

/// Calls `f` with every chunk that holds a selected row, in order.
pub(crate) fn for_each_chunk(selection: &Selection, mut f: impl FnMut(&Chunk)) {
    let mut chunk = Chunk::new();
    for c in 0..selection.table_rows().div_ceil(ROWS) {
        if chunk.read(selection, c) {
            f(&chunk);
        }
    }
}

/// Chunk `c` of the table, if it holds a selected row.
pub(crate) fn chunk_at(selection: &Selection, c: usize) -> Option<Chunk> {
    let mut chunk = Chunk::new();
    chunk.read(selection, c).then_some(chunk)
}

impl Chunk {
    /// Becomes chunk `c` of `selection`; whether it holds a selected row. Out of line, as
    /// the passes' work per chunk is (see `Pass::chunk` in `overview`), so that the loop
    /// that lists a sparse chunk's rows is optimised code from the first sparse pass.
    #[inline(never)]
    fn read(&mut self, selection: &Selection, c: usize) -> bool {
        let rows = selection.table_rows();
        let words = &selection.words()[c * WORDS..selection.words().len().min((c + 1) * WORDS)];
        self.base = c * ROWS;
        self.len = ROWS.min(rows - self.base);
        self.bits = [0; WORDS];
        self.bits[..words.len()].copy_from_slice(words);
        let mut n = 0u32;
        for w in 0..WORDS {
            self.before[w] = n;
            n += self.bits[w].count_ones();
            let from = w * 64;
            self.valid[w] = match self.len.saturating_sub(from) {
                0 => 0,
                left if left >= 64 => u64::MAX,
                left => (1u64 << left) - 1,
            };
        }
        self.n = n as usize;
        if self.n == 0 {
            return false;
        }
        // Reading every row and dropping a few costs less than gathering most of them.
        self.every = self.n * 4 >= self.len * 3;
        if !self.every {
            let mut k = 0;
            for (w, &bits) in self.bits.iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    self.offsets[k] = (w * 64) as u16 + bits.trailing_zeros() as u16;
                    k += 1;
                    bits &= bits - 1;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hold_the_selected_rows() {
        let rows = ROWS * 2 + 100;
        let mut column = IntColumn::default();
        for row in 0..rows {
            if row % 7 == 0 {
                column.push_missing();
            } else {
                column.push(row as u64 * 1000);
            }
        }
        for keep in [
            |r: usize| r % 3 != 1,
            |_| true,
            |r: usize| r > ROWS + 5,
            |r: usize| r % 50 != 3,
        ] {
            let selection = Selection::from_fn(rows, keep);
            let mut seen: Vec<u64> = Vec::new();
            let mut buffer = [0u64; ROWS];
            for_each_chunk(&selection, |chunk| {
                let values = chunk.load(&column, &mut buffer);
                chunk.mark(column.missing_bitmap(), values, u64::MAX);
                chunk.for_each_unselected(|j| values[j] = u64::MAX - 1);
                assert_eq!(values.len(), chunk.width());
                let kept = values.iter().filter(|v| **v != u64::MAX - 1);
                assert_eq!(kept.clone().count(), chunk.selected());
                seen.extend(kept);
            });
            let expected: Vec<u64> = selection
                .rows()
                .map(|r| column.get(r).unwrap_or(u64::MAX))
                .collect();
            assert_eq!(seen, expected);
        }
    }
}
