//! [`TableIndex`]: what the aggregates want to know about a table that the decoder does not
//! store, worked out once when the table is loaded rather than on every question.
//!
//! The decoder already codes `srcaddr` and `dstaddr` against one dictionary, most frequent
//! address first (see [`flowlog::column::AddrColumn`]), so grouping by address is an array
//! update per row. The index adds the dictionary's IPv4 and IPv6 addresses in the order of
//! their values, which makes the distinct addresses an overview met a matter of one walk;
//! and, the first time pairs are counted, a code per row for each pair of source and
//! destination.
//!
//! It also keeps, for each chunk of rows the overview reads at once, the range of `start`
//! and the latest `end`, so that the overview can skip reading times where the range says
//! enough; and whether the sums of `bytes` and `packets` over the whole table leave room
//! to count records and packets in one word (see `packed`).
//!
//! The index costs 4 bytes per row once pairs are counted, plus its share of the
//! dictionary. It never changes the answers: every aggregate that takes it gives what the
//! same aggregate gives without it (the tests check this).

use crate::scan::ROWS;
use flowlog::column::{IntColumn, IntWords};
use flowlog::{Field, FlowTable};
use hashbrown::HashTable;
use rustc_hash::FxHasher;
use std::hash::Hasher;
use std::net::IpAddr;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Derived data about one [`FlowTable`], built once after decoding with
/// [`TableIndex::build`] and passed, with the same table, to the aggregates that use it.
#[derive(Clone, Debug, Default)]
pub struct TableIndex {
    rows: usize,
    /// The table's address dictionary (`None` for missing), most frequent first; a code
    /// is a position in this list. Shared with the table and with the groups of an
    /// overview, which make keys from it only when asked.
    addrs: Arc<[Option<IpAddr>]>,
    /// The IPv4 addresses with their codes, in the order of their values: the order an
    /// [`AddrSet`](crate::AddrSet) keeps, so that the set of the codes an overview used is
    /// made by one walk along this list.
    v4_order: Vec<(u32, u32)>,
    /// The same for IPv6 addresses.
    v6_order: Vec<(u32, u128)>,
    /// The smallest and largest `start` present in the table.
    start_range: Option<(u64, u64)>,
    /// The times of each chunk of rows that the overview reads at once (see `scan`).
    chunks: Vec<ChunkTimes>,
    /// For each chunk, the latest `end` present in it or any chunk before it.
    last_end_by: Vec<Option<u64>>,
    /// Where a word holding a count of records and a sum of `packets` puts the records,
    /// if such a word can hold any group of the table's rows (see [`TableIndex::lanes`]).
    lanes: Option<u32>,
    /// Each row's pair of source and destination as one code, made the first time pairs
    /// are counted (see [`TableIndex::pair_codes`]).
    pairs: OnceLock<Option<PairCodes>>,
}

/// Every row's pair of address codes (source, destination) as one dense code, so that
/// counting by pair is an array update per row rather than a hash lookup.
#[derive(Clone, Debug)]
pub(crate) struct PairCodes {
    /// The code of each row's pair.
    pub(crate) codes: Vec<u32>,
    /// The source's and the destination's address code of each pair code, most frequent
    /// pair first.
    pub(crate) pairs: Arc<[(u32, u32)]>,
}

impl PairCodes {
    /// The pair codes of the rows whose address codes are `src` and `dst`: a hash lookup
    /// per row (a run of rows with the same pair is looked up once), then codes renumbered
    /// by how many rows hold each pair, so that the slots of the pairs most rows carry
    /// share a few cache lines. The lookup table holds only pair codes, 4 bytes a slot,
    /// and finds a pair's addresses in `pairs`; a map with the pairs as keys takes 16
    /// bytes a slot, and a tab keeps the memory it grew to (10M records, a million
    /// distinct pairs: 503 MB in all with such a map, 464 MB with this table).
    fn build(src: &[u32], dst: &[u32]) -> PairCodes {
        let hash = |(a, b): (u32, u32)| {
            let mut hasher = FxHasher::default();
            hasher.write_u64(u64::from(a) << 32 | u64::from(b));
            hasher.finish()
        };
        let mut code_of: HashTable<u32> = HashTable::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut codes: Vec<u32> = Vec::with_capacity(src.len());
        let mut last: Option<((u32, u32), u32)> = None;
        for pair in src.iter().copied().zip(dst.iter().copied()) {
            let code = match last {
                Some((p, code)) if p == pair => code,
                _ => {
                    let hashed = hash(pair);
                    let code = match code_of.find(hashed, |&c| pairs[c as usize] == pair) {
                        Some(&code) => code,
                        None => {
                            let code = pairs.len() as u32;
                            pairs.push(pair);
                            counts.push(0);
                            code_of.insert_unique(hashed, code, |&c| hash(pairs[c as usize]));
                            code
                        }
                    };
                    last = Some((pair, code));
                    code
                }
            };
            counts[code as usize] += 1;
            codes.push(code);
        }
        drop(code_of);
        let mut order: Vec<u32> = (0..pairs.len() as u32).collect();
        order.sort_by_key(|&code| std::cmp::Reverse(counts[code as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        for code in &mut codes {
            *code = remap[*code as usize];
        }
        let pairs = order.iter().map(|&old| pairs[old as usize]).collect();
        PairCodes { codes, pairs }
    }
}

impl TableIndex {
    /// Works out the index of `table`: one pass over the address dictionary and over
    /// `start`, `end`, `bytes` and `packets`.
    pub fn build(table: &FlowTable) -> TableIndex {
        let addrs = table.addresses().clone();
        let (mut v4_order, mut v6_order) = (Vec::new(), Vec::new());
        for (code, addr) in (0u32..).zip(addrs.iter()) {
            match addr {
                Some(IpAddr::V4(a)) => v4_order.push((code, u32::from(*a))),
                Some(IpAddr::V6(a)) => v6_order.push((code, u128::from(*a))),
                None => {}
            }
        }
        v4_order.sort_unstable_by_key(|&(_, word)| word);
        v6_order.sort_unstable_by_key(|&(_, word)| word);
        // Records go in the top bits, as many as a count of every row needs; the sum of
        // `packets` over every row must fit below them, and then so does the sum over any
        // part of the rows.
        let shift = (table.len() as u64).max(1).leading_zeros();
        let total = |field: Field| table.int(field).map_or(0, total_of);
        let lanes = (total(Field::Bytes) <= u128::from(u64::MAX)
            && total(Field::Packets) < 1u128 << shift)
            .then_some(shift);
        // Times by chunk, so that the overview can skip reading `start` and `end` where the
        // range of a chunk tells it enough.
        let rows = table.len();
        let (start, end) = (table.int(Field::Start), table.int(Field::End));
        let chunks: Vec<ChunkTimes> = (0..rows.div_ceil(ROWS))
            .map(|c| {
                let rows = c * ROWS..rows.min((c + 1) * ROWS);
                ChunkTimes {
                    starts: start.and_then(|s| present_range(s, rows.clone())),
                    last_end: end.and_then(|e| present_range(e, rows)).map(|(_, hi)| hi),
                }
            })
            .collect();
        let last_end_by = chunks
            .iter()
            .scan(None, |last, c| {
                *last = (*last).max(c.last_end);
                Some(*last)
            })
            .collect();
        let start_range = chunks
            .iter()
            .filter_map(|c| c.starts)
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
        TableIndex {
            rows: table.len(),
            addrs,
            v4_order,
            v6_order,
            start_range,
            chunks,
            last_end_by,
            lanes,
            pairs: OnceLock::new(),
        }
    }

    /// The number of rows of the table it was built for.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// How many distinct addresses the table's `srcaddr` and `dstaddr` hold together
    /// (missing not counted).
    pub fn addresses(&self) -> usize {
        self.addrs.iter().filter(|a| a.is_some()).count()
    }

    /// Bytes of heap memory held, not counting the address dictionary, which the table
    /// holds.
    pub fn heap_bytes(&self) -> usize {
        self.v4_order.capacity() * 8
            + self.v6_order.capacity() * std::mem::size_of::<(u32, u128)>()
            + self.chunks.capacity() * std::mem::size_of::<ChunkTimes>()
            + self.last_end_by.capacity() * std::mem::size_of::<Option<u64>>()
            + self.pairs.get().and_then(Option::as_ref).map_or(0, |p| {
                p.codes.capacity() * 4 + p.pairs.len() * std::mem::size_of::<(u32, u32)>()
            })
    }

    /// Panics unless the index was built for a table of `table`'s size: an index of another
    /// table would silently give wrong answers.
    pub(crate) fn check(&self, table: &FlowTable) {
        assert_eq!(
            self.rows,
            table.len(),
            "a TableIndex must be built for the table it is used with"
        );
    }

    /// The address of each code.
    pub(crate) fn addr_values(&self) -> &Arc<[Option<IpAddr>]> {
        &self.addrs
    }

    /// The pair code of every row of `table` (the table the index was built for), if it
    /// has both `srcaddr` and `dstaddr`; worked out on the first call (a hash lookup per
    /// row, as counting pairs without it costs) and kept, so that every later count of
    /// pairs is an array update per row.
    pub(crate) fn pair_codes(&self, table: &FlowTable) -> Option<&PairCodes> {
        self.pairs
            .get_or_init(|| {
                let src = table.addr(Field::SrcAddr)?.codes();
                let dst = table.addr(Field::DstAddr)?.codes();
                Some(PairCodes::build(src, dst))
            })
            .as_ref()
    }

    /// The IPv4 addresses with their codes, in the order of their values.
    pub(crate) fn v4_order(&self) -> &[(u32, u32)] {
        &self.v4_order
    }

    /// The IPv6 addresses with their codes, in the order of their values.
    pub(crate) fn v6_order(&self) -> &[(u32, u128)] {
        &self.v6_order
    }

    /// How a group's totals can be counted in two words without saturating: `bytes` in
    /// one, and records and `packets` in the other, records shifted left by the number
    /// returned. `Some` when the sum of `bytes` over every row fits in 64 bits and the sum
    /// of `packets` fits below the records; then no sum over any rows can overflow either,
    /// plain adds suffice, and two adds per row and group do the work of three.
    pub(crate) fn lanes(&self) -> Option<u32> {
        self.lanes
    }

    /// The smallest and largest `start` present, if any row has one.
    pub(crate) fn start_range(&self) -> Option<(u64, u64)> {
        self.start_range
    }

    /// The times of chunk `c` (rows `c * ROWS` on).
    pub(crate) fn chunk_times(&self, c: usize) -> ChunkTimes {
        self.chunks[c]
    }

    /// The latest `end` present in chunk `c` or any chunk before it.
    pub(crate) fn last_end_by(&self, c: usize) -> Option<u64> {
        self.last_end_by[c]
    }
}

/// The times of one chunk of rows.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ChunkTimes {
    /// The earliest and latest `start` present.
    pub(crate) starts: Option<(u64, u64)>,
    /// The latest `end` present.
    pub(crate) last_end: Option<u64>,
}

/// The sum of every value of an integer column (missing rows hold 0).
fn total_of(column: &IntColumn) -> u128 {
    fn sum<T: Copy + Into<u64>>(words: &[T]) -> u128 {
        words.iter().map(|&w| u128::from(w.into())).sum()
    }
    match column.words() {
        IntWords::U8(w) => sum(w),
        IntWords::U16(w) => sum(w),
        IntWords::U32(w) => sum(w),
        IntWords::U64(w) => sum(w),
    }
}

/// The smallest and largest value present in rows `rows` of an integer column.
fn present_range(column: &IntColumn, rows: Range<usize>) -> Option<(u64, u64)> {
    if column.has_missing() {
        return rows
            .filter_map(|row| column.get(row))
            .fold(None, |range, v| match range {
                None => Some((v, v)),
                Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
            });
    }
    fn range<T: Copy + Into<u64>>(words: &[T]) -> Option<(u64, u64)> {
        let lo = words.iter().map(|&w| w.into()).min()?;
        let hi = words.iter().map(|&w| w.into()).max()?;
        Some((lo, hi))
    }
    match column.words() {
        IntWords::U8(w) => range(&w[rows]),
        IntWords::U16(w) => range(&w[rows]),
        IntWords::U32(w) => range(&w[rows]),
        IntWords::U64(w) => range(&w[rows]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlog::{decode_all, DecodeOptions};

    #[test]
    fn codes_follow_frequency_and_round_trip() {
        let text = "version srcaddr dstaddr\n\
                    2 10.0.0.1 10.0.0.2\n\
                    2 10.0.0.2 ::1\n\
                    2 - 10.0.0.2\n";
        let table = decode_all("t", text.as_bytes(), DecodeOptions::default()).table;
        let index = TableIndex::build(&table);
        assert_eq!(index.rows(), 3);
        assert_eq!(index.addresses(), 3);
        // 10.0.0.2 occurs three times, so it is code 0.
        assert_eq!(index.addr_values()[0], Some("10.0.0.2".parse().unwrap()));
        for field in [Field::SrcAddr, Field::DstAddr] {
            let column = table.addr(field).unwrap();
            for (row, &code) in column.codes().iter().enumerate() {
                assert_eq!(index.addr_values()[code as usize], column.get(row));
            }
        }
        assert!(index.addr_values().contains(&Some("::1".parse().unwrap())));
        // The index and the table share one dictionary.
        assert!(Arc::ptr_eq(index.addr_values(), table.addresses()));
        assert_eq!(index.v4_order().len() + index.v6_order().len(), 3);
    }

    #[test]
    fn pair_codes_follow_frequency_and_round_trip() {
        let text = "version srcaddr dstaddr\n\
                    2 10.0.0.1 10.0.0.2\n\
                    2 10.0.0.3 10.0.0.2\n\
                    2 10.0.0.3 10.0.0.2\n\
                    2 - 10.0.0.2\n\
                    2 10.0.0.1 10.0.0.2\n\
                    2 10.0.0.3 10.0.0.2\n";
        let table = decode_all("t", text.as_bytes(), DecodeOptions::default()).table;
        let index = TableIndex::build(&table);
        let before = index.heap_bytes();
        let pairs = index.pair_codes(&table).expect("both address columns");
        assert_eq!(pairs.codes.len(), 6);
        assert_eq!(pairs.pairs.len(), 3);
        let (src, dst) = (
            table.addr(Field::SrcAddr).unwrap(),
            table.addr(Field::DstAddr).unwrap(),
        );
        let addr = |code: u32| index.addr_values()[code as usize];
        for (row, &code) in pairs.codes.iter().enumerate() {
            let (a, b) = pairs.pairs[code as usize];
            assert_eq!(
                (addr(a), addr(b)),
                (src.get(row), dst.get(row)),
                "row {row}"
            );
        }
        // 10.0.0.3 → 10.0.0.2 is the most frequent pair, then 10.0.0.1 → 10.0.0.2.
        assert_eq!(pairs.codes, [1, 0, 0, 2, 1, 0]);
        // Made once, then counted in the index's memory.
        assert!(std::ptr::eq(pairs, index.pair_codes(&table).unwrap()));
        assert!(index.heap_bytes() >= before + 6 * 4 + 3 * 8);

        // A table without destinations has no pairs to code.
        let text = "version srcaddr\n2 10.0.0.1\n";
        let table = decode_all("t", text.as_bytes(), DecodeOptions::default()).table;
        assert!(TableIndex::build(&table).pair_codes(&table).is_none());
    }
}
