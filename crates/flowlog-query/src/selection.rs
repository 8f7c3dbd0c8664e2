//! A set of rows of one table, one bit per row: what a filter selects and what every
//! aggregate reads.
//!
//! Bits rather than a list of row numbers because filters combine with `and`, `or` and
//! `not` sixty-four rows at a time, and because a selection of ten million rows costs 1.25 MB
//! instead of 40.

/// Words of a selection that [`Selection::from_fn`] fills per call of [`fill_block`].
const BLOCK_WORDS: usize = 64;

/// Fills `words`, whose first row is `first`, with the rows below `rows` for which `test`
/// holds.
#[inline(never)]
fn fill_block(words: &mut [u64], first: usize, rows: usize, test: &mut impl FnMut(usize) -> bool) {
    for (w, word) in words.iter_mut().enumerate() {
        let base = first + w * 64;
        let end = (base + 64).min(rows);
        let mut bits = 0u64;
        for row in base..end {
            bits |= u64::from(test(row)) << (row - base);
        }
        *word = bits;
    }
}

/// Fills `words` with the bytes of `bytes` (64 to a word, the last word perhaps not full)
/// for which `test` holds. Each run of 64 is tested into bytes of 0 or 1, a loop simple
/// enough to become vector compares (WebAssembly's SIMD included), and eight of those bytes
/// at a time become eight bits by one multiplication.
#[inline(never)]
fn fill_bytes(words: &mut [u64], bytes: &[u8], test: &impl Fn(u8) -> bool) {
    let mut whole = bytes.chunks_exact(64);
    for (word, run) in words.iter_mut().zip(&mut whole) {
        let mut flags = [0u8; 64];
        for (flag, &byte) in flags.iter_mut().zip(run) {
            *flag = u8::from(test(byte));
        }
        *word = pack(&flags);
    }
    let rest = whole.remainder();
    if let Some(word) = words.get_mut(bytes.len() / 64).filter(|_| !rest.is_empty()) {
        *word =
            (rest.iter().enumerate()).fold(0, |bits, (i, &byte)| bits | u64::from(test(byte)) << i);
    }
}

/// 64 bytes of 0 or 1 as the bits of a word, byte `i` as bit `i`.
#[inline(always)]
fn pack(flags: &[u8; 64]) -> u64 {
    // Byte `i` of an eight-byte word (bit `8i`) times this lands on bit `56 + i`, and no
    // two of the products' other bits meet, so nothing carries into the top byte.
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut bits = 0;
    for (k, eight) in flags.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        bits |= (u64::from_le_bytes(word).wrapping_mul(GATHER) >> 56) << (8 * k);
    }
    bits
}

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
    ///
    /// The words are filled a block at a time by a function kept out of line: a
    /// WebAssembly engine starts every function in quick code and uses optimised code from
    /// the next call of a function that ran long, so a single call over every row would run
    /// the first filter on a column wholly in quick code.
    #[inline]
    pub fn from_fn(rows: usize, mut test: impl FnMut(usize) -> bool) -> Selection {
        let mut words = vec![0u64; rows.div_ceil(64)];
        for (b, block) in words.chunks_mut(BLOCK_WORDS).enumerate() {
            fill_block(block, b * BLOCK_WORDS * 64, rows, &mut test);
        }
        Selection { words, rows }
    }

    /// The rows whose byte in `bytes` (one per row of the table) passes `test`: as
    /// [`Selection::from_fn`] gives for a column of bytes, several times faster.
    #[inline]
    pub fn from_bytes(bytes: &[u8], test: impl Fn(u8) -> bool) -> Selection {
        let rows = bytes.len();
        let mut words = vec![0u64; rows.div_ceil(64)];
        let per_block = BLOCK_WORDS * 64;
        for (block, run) in words.chunks_mut(BLOCK_WORDS).zip(bytes.chunks(per_block)) {
            fill_bytes(block, run, &test);
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

    #[test]
    fn bytes_select_the_rows_a_test_per_row_selects() {
        // Lengths around the words and the blocks, and bytes of every value.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let bytes: Vec<u8> = (0..BLOCK_WORDS * 64 * 2 + 200)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        for len in [
            0,
            1,
            63,
            64,
            65,
            127,
            130,
            BLOCK_WORDS * 64,
            BLOCK_WORDS * 64 + 1,
            bytes.len(),
        ] {
            let bytes = &bytes[..len];
            for x in [0u8, 1, 7, 128, 200, 255] {
                let tests: [&dyn Fn(u8) -> bool; 4] =
                    [&|b| b == x, &|b| b != x, &|b| b < x, &|b| b >= x];
                for test in tests {
                    let expected = Selection::from_fn(len, |r| test(bytes[r]));
                    assert_eq!(Selection::from_bytes(bytes, test), expected, "{len} {x}");
                }
            }
        }
        // Every byte kept and none kept, where each eight-byte group is all ones or zeros.
        assert_eq!(
            Selection::from_bytes(&[5; 200], |_| true),
            Selection::all(200)
        );
        assert_eq!(
            Selection::from_bytes(&[5; 200], |_| false),
            Selection::none(200)
        );
    }
}
