//! A set of rows of one table, one bit per row: what a filter selects and what every
//! aggregate reads.
//!
//! Bits rather than a list of row numbers because filters combine with `and`, `or` and
//! `not` sixty-four rows at a time, and because a selection of ten million rows costs 1.25 MB
//! instead of 40.

/// Rows of one table, as a bitmap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    words: Vec<u64>,
    rows: usize,
}

impl Selection {
    /// Every row of a table of `rows` rows.
    pub fn all(rows: usize) -> Selection {
        let mut selection = Selection {
            words: vec![u64::MAX; rows.div_ceil(64)],
            rows,
        };
        selection.clear_tail();
        selection
    }

    /// No row of a table of `rows` rows.
    pub fn none(rows: usize) -> Selection {
        Selection {
            words: vec![0; rows.div_ceil(64)],
            rows,
        }
    }

    /// The rows for which `test` holds. Written as a loop over words so that the compiler
    /// can keep each word in a register.
    #[inline]
    pub fn from_fn(rows: usize, mut test: impl FnMut(usize) -> bool) -> Selection {
        let mut words = vec![0u64; rows.div_ceil(64)];
        for (w, word) in words.iter_mut().enumerate() {
            let base = w * 64;
            let end = (base + 64).min(rows);
            let mut bits = 0u64;
            for row in base..end {
                bits |= u64::from(test(row)) << (row - base);
            }
            *word = bits;
        }
        Selection { words, rows }
    }

    /// The number of rows of the table it belongs to.
    pub fn table_rows(&self) -> usize {
        self.rows
    }

    /// The bits, 64 rows to a word; bits past the last row are 0.
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// How many rows it holds.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether it holds `row`.
    #[inline]
    pub fn contains(&self, row: usize) -> bool {
        self.words[row / 64] >> (row % 64) & 1 == 1
    }

    /// Keeps only the rows `other` also holds.
    pub fn and(&mut self, other: &Selection) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Adds the rows `other` holds.
    pub fn or(&mut self, other: &Selection) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Drops the rows a bitmap of the same table marks, given as its words.
    pub(crate) fn remove(&mut self, marks: &[u64]) {
        for (a, m) in self.words.iter_mut().zip(marks) {
            *a &= !m;
        }
    }

    /// Adds or drops one row.
    pub(crate) fn set(&mut self, row: usize, on: bool) {
        let bit = 1u64 << (row % 64);
        if on {
            self.words[row / 64] |= bit;
        } else {
            self.words[row / 64] &= !bit;
        }
    }

    /// Holds exactly the rows it did not.
    pub fn not(&mut self) {
        for word in &mut self.words {
            *word = !*word;
        }
        self.clear_tail();
    }

    fn clear_tail(&mut self) {
        let tail = self.rows % 64;
        if tail != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << tail) - 1;
            }
        }
    }

    /// Calls `f` with every row it holds, in order. Full words take a plain loop, which is
    /// the common case for broad filters.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(usize)) {
        for (w, &word) in self.words.iter().enumerate() {
            let base = w * 64;
            if word == u64::MAX {
                for row in base..base + 64 {
                    f(row);
                }
            } else {
                let mut bits = word;
                while bits != 0 {
                    f(base + bits.trailing_zeros() as usize);
                    bits &= bits - 1;
                }
            }
        }
    }

    /// The rows it holds, in order.
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let row = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(row)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations_respect_the_length() {
        let mut a = Selection::from_fn(70, |r| r % 3 == 0);
        assert_eq!(a.count(), 24);
        a.not();
        assert_eq!(a.count(), 46);
        assert!(!a.contains(69));
        assert!(a.contains(68));
        let b = Selection::all(70);
        assert_eq!(b.count(), 70);
        a.and(&Selection::none(70));
        assert_eq!(a.count(), 0);
        a.or(&b);
        assert_eq!(a.rows().count(), 70);
        let mut seen = Vec::new();
        Selection::from_fn(130, |r| !(2..=120).contains(&r)).for_each(|r| seen.push(r));
        assert_eq!(seen, [0, 1, 121, 122, 123, 124, 125, 126, 127, 128, 129]);
    }
}
