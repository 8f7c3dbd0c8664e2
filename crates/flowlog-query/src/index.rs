//! [`TableIndex`]: what the aggregates want to know about a table that the decoder does not
//! store, worked out once when the table is loaded rather than on every question.
//!
//! The one expensive part is an address dictionary. Grouping by address on the raw 32-bit
//! words means a hash lookup per row, and with a hundred thousand distinct addresses the map
//! no longer fits in the cache; with the index each row of `srcaddr` and `dstaddr` carries a
//! dense code, so grouping is an array update. Codes are given in order of how often the
//! address occurs, so that the addresses most rows carry share a few cache lines of the
//! arrays indexed by code. Both columns share one dictionary, which makes the distinct
//! addresses of either column a matter of marking codes.
//!
//! The index costs 4 bytes per row for each address column, plus the dictionary. It never
//! changes the answers: every aggregate that takes it gives what the same aggregate gives
//! without it (the tests check this).

use flowlog::column::{AddrColumn, IntWords};
use flowlog::{Field, FlowTable};
use rustc_hash::FxHashMap;
use std::net::{IpAddr, Ipv4Addr};

/// Derived data about one [`FlowTable`], built once after decoding with
/// [`TableIndex::build`] and passed, with the same table, to the aggregates that use it.
#[derive(Clone, Debug, Default)]
pub struct TableIndex {
    rows: usize,
    /// Every distinct value of `srcaddr` and `dstaddr` (`None` for missing), most frequent
    /// first; a code is a position in this list.
    addrs: Vec<Option<IpAddr>>,
    /// The code of each row's `srcaddr`, if the table has the column.
    src: Option<Vec<u32>>,
    /// The code of each row's `dstaddr`, if the table has the column.
    dst: Option<Vec<u32>>,
    /// The codes of the addresses (missing left out) in the order of their values, IPv4
    /// first: the order an [`AddrSet`](crate::AddrSet) keeps.
    addr_order: Vec<u32>,
    /// The smallest and largest `start` present in the table.
    start_range: Option<(u64, u64)>,
    /// Whether no sum of `bytes` or of `packets` over any rows of the table can exceed
    /// `u64::MAX`, so that adding needs no saturation.
    sums_fit: bool,
}

impl TableIndex {
    /// Works out the index of `table`: one pass over each address column and over `start`.
    pub fn build(table: &FlowTable) -> TableIndex {
        let mut dictionary = Dictionary::default();
        let src = table
            .addr(Field::SrcAddr)
            .map(|c| dictionary.encode(c, table.len()));
        let dst = table
            .addr(Field::DstAddr)
            .map(|c| dictionary.encode(c, table.len()));
        let (addrs, remap) = dictionary.by_frequency();
        let renumber = |codes: Option<Vec<u32>>| {
            codes.map(|mut codes| {
                for code in &mut codes {
                    *code = remap[*code as usize];
                }
                codes
            })
        };
        let mut addr_order: Vec<u32> = (0..addrs.len() as u32)
            .filter(|&code| addrs[code as usize].is_some())
            .collect();
        addr_order.sort_unstable_by_key(|&code| match addrs[code as usize] {
            Some(IpAddr::V4(a)) => (0, u128::from(u32::from(a))),
            Some(IpAddr::V6(a)) => (1, u128::from(a)),
            None => (2, 0),
        });
        let rows = table.len() as u64;
        let fits = |field: Field| {
            let max = table
                .int(field)
                .and_then(present_range)
                .map_or(0, |(_, hi)| hi);
            max.checked_mul(rows).is_some()
        };
        TableIndex {
            rows: table.len(),
            addrs,
            src: renumber(src),
            dst: renumber(dst),
            addr_order,
            start_range: table.int(Field::Start).and_then(present_range),
            sums_fit: fits(Field::Bytes) && fits(Field::Packets),
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

    /// Bytes of heap memory held.
    pub fn heap_bytes(&self) -> usize {
        let codes = |c: &Option<Vec<u32>>| c.as_ref().map_or(0, |c| c.capacity() * 4);
        codes(&self.src)
            + codes(&self.dst)
            + self.addrs.capacity() * std::mem::size_of::<Option<IpAddr>>()
            + self.addr_order.capacity() * 4
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
    pub(crate) fn addr_values(&self) -> &[Option<IpAddr>] {
        &self.addrs
    }

    /// The codes of `srcaddr` or `dstaddr`, if the table has the column.
    pub(crate) fn addr_codes(&self, field: Field) -> Option<&[u32]> {
        match field {
            Field::SrcAddr => self.src.as_deref(),
            Field::DstAddr => self.dst.as_deref(),
            _ => None,
        }
    }

    /// The codes of the addresses, in the order of their values (IPv4 first).
    pub(crate) fn addr_order(&self) -> &[u32] {
        &self.addr_order
    }

    /// Whether sums of `bytes` and `packets` over any rows fit in 64 bits.
    pub(crate) fn sums_fit(&self) -> bool {
        self.sums_fit
    }

    /// The smallest and largest `start` present, if any row has one.
    pub(crate) fn start_range(&self) -> Option<(u64, u64)> {
        self.start_range
    }
}

/// Addresses in order of first appearance while encoding, with how many rows hold each.
#[derive(Default)]
struct Dictionary {
    v4: FxHashMap<u32, u32>,
    v6: FxHashMap<u128, u32>,
    missing: Option<u32>,
    values: Vec<Option<IpAddr>>,
    counts: Vec<u64>,
}

impl Dictionary {
    fn code(&mut self, value: Option<IpAddr>) -> u32 {
        let next = self.values.len() as u32;
        let code = match value {
            None => *self.missing.get_or_insert(next),
            Some(IpAddr::V4(a)) => *self.v4.entry(u32::from(a)).or_insert(next),
            Some(IpAddr::V6(a)) => *self.v6.entry(u128::from(a)).or_insert(next),
        };
        if code == next {
            self.values.push(value);
            self.counts.push(0);
        }
        code
    }

    /// The code of every row of `column`, padded with missing up to `rows`.
    fn encode(&mut self, column: &AddrColumn, rows: usize) -> Vec<u32> {
        let words = column.words();
        let plain = column.missing_bitmap().is_none() && column.v6_bitmap().is_none();
        let mut codes = Vec::with_capacity(rows);
        // Flow logs repeat an interface's own address on long runs of lines, so the last
        // word's code is kept rather than hashed again.
        let mut last: Option<(u32, u32)> = None;
        for (row, &word) in words.iter().enumerate() {
            let code = if plain || column.v4(row).is_some() {
                match last {
                    Some((w, code)) if w == word => code,
                    _ => {
                        let code = self.code(Some(IpAddr::V4(Ipv4Addr::from(word))));
                        last = Some((word, code));
                        code
                    }
                }
            } else {
                self.code(column.get(row))
            };
            self.counts[code as usize] += 1;
            codes.push(code);
        }
        if codes.len() < rows {
            let code = self.code(None);
            self.counts[code as usize] += (rows - codes.len()) as u64;
            codes.resize(rows, code);
        }
        codes
    }

    /// The values, most frequent first (ties in order of first appearance), and the new code
    /// of each old one.
    fn by_frequency(self) -> (Vec<Option<IpAddr>>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_by_key(|&code| std::cmp::Reverse(self.counts[code as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let values = order.iter().map(|&old| self.values[old as usize]).collect();
        (values, remap)
    }
}

/// The smallest and largest value present in an integer column.
fn present_range(column: &flowlog::column::IntColumn) -> Option<(u64, u64)> {
    if column.has_missing() {
        return (0..column.len()).filter_map(|row| column.get(row)).fold(
            None,
            |range, v| match range {
                None => Some((v, v)),
                Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
            },
        );
    }
    fn range<T: Copy + Into<u64>>(words: &[T]) -> Option<(u64, u64)> {
        let lo = words.iter().map(|&w| w.into()).min()?;
        let hi = words.iter().map(|&w| w.into()).max()?;
        Some((lo, hi))
    }
    match column.words() {
        IntWords::U8(w) => range(w),
        IntWords::U16(w) => range(w),
        IntWords::U32(w) => range(w),
        IntWords::U64(w) => range(w),
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
            let codes = index.addr_codes(field).unwrap();
            for (row, &code) in codes.iter().enumerate() {
                assert_eq!(index.addr_values()[code as usize], column.get(row));
            }
        }
        assert!(index.addr_values().contains(&Some("::1".parse().unwrap())));
        assert!(index.heap_bytes() >= 24);
    }
}
