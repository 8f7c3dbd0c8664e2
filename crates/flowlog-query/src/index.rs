//! [`TableIndex`]: what the aggregates want to know about a table that the decoder does not
//! store, worked out once when the table is loaded rather than on every question.
//!
//! The decoder already codes `srcaddr` and `dstaddr` against one dictionary, most frequent
//! address first, and keeps one code per row for the pair of them (see
//! [`flowlog::column::AddrColumn`]), so grouping by address or by pair is an array update
//! per row. The index adds the dictionary's IPv4 and IPv6 addresses in the order of their
//! values, which makes the union of the distinct addresses of several tables a matter of
//! walks along sorted lists. It sorts them the first time such a union is asked for: with
//! one table, the distinct addresses are only counted, and the sort (a tenth of the loading
//! time of a file with an address or two per row) is never done.
//!
//! It also keeps, for each chunk of rows the overview reads at once, the range of `start`
//! and the latest `end`, so that the overview can skip reading times where the range says
//! enough; and whether the sums of `bytes` and `packets` over the whole table leave room
//! to count records and packets in one word (see `packed`).
//!
//! The index costs a fraction of a byte per row, plus its share of the dictionary. It never
//! changes the answers: every aggregate that takes it gives what the same aggregate gives
//! without it (the tests check this).

use crate::scan::ROWS;
use flowlog::column::{Addresses, IntColumn, IntWords};
use flowlog::{Field, FlowTable};
use std::net::IpAddr;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Derived data about one [`FlowTable`], built once after decoding with
/// [`TableIndex::build`] and passed, with the same table, to the aggregates that use it.
#[derive(Clone, Debug, Default)]
pub struct TableIndex {
    rows: usize,
    /// The table's address dictionary, and its addresses in the order of their values once
    /// asked for. Shared with the sets of distinct addresses that overviews make.
    order: Arc<ValueOrder>,
    /// The smallest and largest `start` present in the table.
    start_range: Option<(u64, u64)>,
    /// The times of each chunk of rows that the overview reads at once (see `scan`).
    chunks: Vec<ChunkTimes>,
    /// For each chunk, the latest `end` present in it or any chunk before it.
    last_end_by: Vec<Option<u64>>,
    /// Where a word holding a count of records and a sum of `packets` puts the records,
    /// if such a word can hold any group of the table's rows (see [`TableIndex::lanes`]).
    lanes: Option<u32>,
}

impl TableIndex {
    /// Works out the index of `table`: one pass over `start`, `end`, `bytes` and
    /// `packets`. The address dictionary is sorted later, if ever (see `ValueOrder`).
    pub fn build(table: &FlowTable) -> TableIndex {
        let order = Arc::new(ValueOrder {
            addrs: table.addresses().clone(),
            sorted: OnceLock::new(),
        });
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
            order,
            start_range,
            chunks,
            last_end_by,
            lanes,
        }
    }

    /// The number of rows of the table it was built for.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// How many distinct addresses the table's `srcaddr` and `dstaddr` hold together
    /// (missing not counted).
    pub fn addresses(&self) -> usize {
        self.order.addrs.len() - usize::from(self.order.addrs.missing().is_some())
    }

    /// Bytes of heap memory held, not counting the address dictionary, which the table
    /// holds.
    pub fn heap_bytes(&self) -> usize {
        self.order.sorted.get().map_or(0, Sorted::heap_bytes)
            + self.chunks.capacity() * std::mem::size_of::<ChunkTimes>()
            + self.last_end_by.capacity() * std::mem::size_of::<Option<u64>>()
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
    pub(crate) fn addr_values(&self) -> &Arc<Addresses> {
        &self.order.addrs
    }

    /// The dictionary with its addresses in the order of their values, sorted the first
    /// time they are asked for.
    pub(crate) fn value_order(&self) -> &Arc<ValueOrder> {
        &self.order
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

/// A table's address dictionary, and its addresses in the order of their values, sorted
/// the first time they are asked for (by [`ValueOrder::v4`] or [`ValueOrder::v6`]).
#[derive(Debug, Default)]
pub(crate) struct ValueOrder {
    /// The table's address dictionary (`None` for missing), most frequent first; a code
    /// is a position in this list. Shared with the table and with the groups of an
    /// overview, which make keys from it only when asked.
    addrs: Arc<Addresses>,
    sorted: OnceLock<Sorted>,
}

/// The addresses of a dictionary in the order of their values.
#[derive(Debug)]
struct Sorted {
    /// The IPv4 addresses, each its word above its code, so that sorting the numbers
    /// sorts the addresses, in place.
    v4: Vec<u64>,
    /// The codes of the IPv6 addresses. Codes only, read back through the dictionary: a
    /// pair of a code and a 128-bit word would take 32 bytes (the word's alignment), and
    /// a file of IPv6 traffic has nearly two per row.
    v6: Vec<u32>,
}

impl ValueOrder {
    /// The dictionary.
    pub(crate) fn addresses(&self) -> &Arc<Addresses> {
        &self.addrs
    }

    /// The IPv4 addresses with their codes, in the order of their values.
    pub(crate) fn v4(&self) -> impl ExactSizeIterator<Item = (u32, u32)> + '_ {
        (self.sorted().v4.iter()).map(|&number| (number as u32, (number >> 32) as u32))
    }

    /// The codes of the IPv6 addresses, in the order of their values.
    pub(crate) fn v6(&self) -> &[u32] {
        &self.sorted().v6
    }

    /// The 128-bit word of the IPv6 address of `code`, one of those [`Self::v6`] lists.
    /// Read through the dictionary, so a walk along the order reads only the codes it keeps.
    pub(crate) fn v6_word(&self, code: u32) -> u128 {
        match self.addrs.get(code as usize) {
            Some(IpAddr::V6(address)) => u128::from(address),
            // Sorted from the IPv6 entries of this very dictionary.
            _ => unreachable!("an IPv6 code holds an IPv6 address"),
        }
    }

    fn sorted(&self) -> &Sorted {
        self.sorted.get_or_init(|| Sorted::of(&self.addrs))
    }
}

impl Sorted {
    fn of(addrs: &Addresses) -> Sorted {
        // Reserved exactly: a file of internet traffic has nearly two addresses per row, and
        // lists that grew by doubling would hold up to twice that for as long as the table.
        let v4_len = addrs.v4_len();
        let mut v4 = Vec::with_capacity(v4_len);
        // IPv6 addresses are sorted as four 32-bit limbs, most significant first, and their
        // code: 20 bytes each for the moment of sorting, where a 128-bit word and a code
        // take 32 (the word's alignment), and comparing through the dictionary reads three
        // places in memory per comparison.
        let mut v6_keys: Vec<[u32; 5]> = Vec::with_capacity(addrs.len() - v4_len);
        for (code, addr) in (0u32..).zip(addrs.iter()) {
            match addr {
                Some(IpAddr::V4(a)) => v4.push(u64::from(u32::from(a)) << 32 | u64::from(code)),
                Some(IpAddr::V6(a)) => {
                    let w = u128::from(a);
                    let limb = |shift: u32| (w >> shift) as u32;
                    v6_keys.push([limb(96), limb(64), limb(32), limb(0), code]);
                }
                None => {}
            }
        }
        // A file of internet traffic has two million IPv4 addresses per million rows: sorted
        // as plain numbers, they took about a sixth less time in WebAssembly than pairs of
        // code and word sorted by the word; a radix sort took as little, but with a buffer
        // as large as the list.
        v4.sort_unstable();
        v6_keys.sort_unstable();
        // A list of its own: collected in place, the codes would keep the keys' memory.
        let mut v6 = Vec::with_capacity(v6_keys.len());
        v6.extend(v6_keys.iter().map(|key| key[4]));
        Sorted { v4, v6 }
    }

    fn heap_bytes(&self) -> usize {
        self.v4.capacity() * 8 + self.v6.capacity() * 4
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
pub(crate) fn total_of(column: &IntColumn) -> u128 {
    fn sum<T: Copy + Into<u64>>(words: &[T]) -> u128 {
        words.iter().map(|&w| u128::from(w.into())).sum()
    }
    match column.words() {
        IntWords::Same { value, len } => u128::from(value) * len as u128,
        IntWords::U8(w) => sum(w),
        IntWords::U16(w) => sum(w),
        IntWords::U32(w) => sum(w),
        IntWords::U64(w) => sum(w),
    }
}

/// The smallest and largest value present in rows `rows` of an integer column.
pub(crate) fn present_range(column: &IntColumn, rows: Range<usize>) -> Option<(u64, u64)> {
    if column.has_missing() {
        return rows
            .filter_map(|row| column.get(row))
            .fold(None, |range, v| match range {
                None => Some((v, v)),
                Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
            });
    }
    // Compared at the words' own width, widened after: WebAssembly's vector instructions
    // have no minimum or maximum of 64-bit lanes, so widening first makes a scalar loop.
    fn range<T: Copy + Ord + Into<u64>>(words: &[T]) -> Option<(u64, u64)> {
        let lo = *words.iter().min()?;
        let hi = *words.iter().max()?;
        Some((lo.into(), hi.into()))
    }
    match column.words() {
        IntWords::Same { value, .. } => (!rows.is_empty()).then_some((value, value)),
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
    use std::net::Ipv6Addr;

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
        assert_eq!(
            index.addr_values().get(0),
            Some("10.0.0.2".parse().unwrap())
        );
        for field in [Field::SrcAddr, Field::DstAddr] {
            let column = table.addr(field).unwrap();
            for row in 0..table.len() {
                let code = column.codes().get(row);
                assert_eq!(index.addr_values().get(code as usize), column.get(row));
            }
        }
        assert!(index
            .addr_values()
            .iter()
            .any(|address| address == Some("::1".parse().unwrap())));
        // The index and the table share one dictionary.
        assert!(Arc::ptr_eq(index.addr_values(), table.addresses()));
        let order = index.value_order();
        assert_eq!(order.v4().len() + order.v6().len(), 3);
    }

    #[test]
    fn addresses_are_sorted_only_when_sets_of_two_tables_are_merged() {
        let decode = |text: &str| decode_all("t", text.as_bytes(), DecodeOptions::default()).table;
        let a = decode("srcaddr dstaddr\n10.0.0.9 10.0.0.1\n- ::2\n");
        let b = decode("srcaddr dstaddr\n10.0.0.1 10.0.0.5\n::1 -\n");
        let (index_a, index_b) = (TableIndex::build(&a), TableIndex::build(&b));
        let everything = crate::Filter::parse("").unwrap();
        let mut overview = crate::Overview::of(&a, &index_a, &everything);
        // One table's distinct addresses are counted, the missing one left out, without
        // sorting anything.
        assert_eq!(overview.summary.addresses.len(), 3);
        assert!(index_a.order.sorted.get().is_none());
        let heap_before = index_a.heap_bytes();
        overview.merge(&crate::Overview::of(&b, &index_b, &everything));
        assert!(index_a.order.sorted.get().is_some() && index_b.order.sorted.get().is_some());
        assert!(index_a.heap_bytes() > heap_before);
        // 10.0.0.1 is in both.
        let mut expected = crate::AddrSet::default();
        for address in ["10.0.0.1", "10.0.0.5", "10.0.0.9", "::1", "::2"] {
            expected.insert(address.parse().unwrap());
        }
        assert_eq!(overview.summary.addresses, expected);
        assert_eq!(overview.summary.addresses.len(), 5);
    }

    #[test]
    fn addresses_are_listed_in_the_order_of_their_values_whatever_their_codes() {
        // The most frequent addresses have the highest values, so code order and value
        // order differ.
        let text = "srcaddr dstaddr\n\
                    ::ff 10.0.0.9\n\
                    ::ff 10.0.0.9\n\
                    ::ff 10.0.0.9\n\
                    2001:db8::1 10.0.0.1\n\
                    ::1 10.0.0.1\n\
                    ::2 10.0.0.5\n";
        let table = decode_all("t", text.as_bytes(), DecodeOptions::default()).table;
        let index = TableIndex::build(&table);
        let order = index.value_order();
        let words: Vec<u128> = (order.v6().iter())
            .map(|&code| order.v6_word(code))
            .collect();
        assert_eq!(words, [0x1, 0x2, 0xff, 0x2001_0db8 << 96 | 1]);
        for &code in order.v6() {
            let address = Ipv6Addr::from(order.v6_word(code));
            assert_eq!(index.addr_values().get(code as usize), Some(address.into()));
        }
        assert_eq!(index.addr_values().get(0), Some("::ff".parse().unwrap()));
        let v4: Vec<u32> = order.v4().map(|(_, word)| word).collect();
        assert_eq!(v4, [0x0A00_0001, 0x0A00_0005, 0x0A00_0009]);
    }
}
