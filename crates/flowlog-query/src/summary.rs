//! Totals over a table: records, bytes, packets, time span, distinct interfaces and
//! addresses, records by action and by log-status.

use crate::index::{present_range, total_of, ValueOrder};
use crate::selection::Selection;
use flowlog::column::{AddrCodes, AddrColumn, IntColumn, IntWords};
use flowlog::field::{ACTIONS, LOG_STATUSES};
use flowlog::{Field, FlowTable};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;

/// Totals over some records. Missing counts (`-`) add nothing; they are never read as zero
/// records, only as zero bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records.
    pub records: u64,
    /// Sum of `bytes` over records that have it.
    pub bytes: u64,
    /// Sum of `packets` over records that have it.
    pub packets: u64,
    /// The earliest `start`, in Unix seconds.
    pub first_start: Option<u64>,
    /// The latest `end`, in Unix seconds.
    pub last_end: Option<u64>,
    /// Records by `action` (`ACCEPT`, `REJECT`); records without one are not counted here.
    pub by_action: BTreeMap<String, u64>,
    /// Records by `log-status` (`OK`, `NODATA`, `SKIPDATA`).
    pub by_log_status: BTreeMap<String, u64>,
    /// The distinct `interface-id`s. Kept whole (not counted) so that merging stays exact.
    #[serde(skip)]
    pub interfaces: BTreeSet<Box<str>>,
    /// The distinct addresses seen as `srcaddr` or `dstaddr`.
    #[serde(skip)]
    pub addresses: AddrSet,
}

/// A set of addresses: IPv4 as 32-bit words and IPv6 as 128-bit ones, each kept sorted and
/// without repeats. Sorted lists rather than hash sets because the
/// [`TableIndex`](crate::TableIndex) lists a table's addresses in order, and a merge is
/// then a walk along both lists.
///
/// An overview's set is the codes it used of one table's dictionary, counted but not yet
/// listed: with one table, nothing more is asked of it than its size. The lists are made
/// (and the table's addresses sorted, once for the table) when the set is merged with
/// another, or compared.
#[derive(Clone, Default)]
pub struct AddrSet {
    form: SetForm,
}

#[derive(Clone)]
enum SetForm {
    Listed(AddrLists),
    /// The codes marked in `used` (a bitmap, 64 codes a word) of `order`'s dictionary,
    /// `len` of them, the missing value's code not among them.
    Codes {
        used: Vec<u64>,
        len: usize,
        order: Arc<ValueOrder>,
    },
}

impl Default for SetForm {
    fn default() -> Self {
        SetForm::Listed(AddrLists::default())
    }
}

/// The addresses of a set, each list sorted and without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct AddrLists {
    v4: Vec<u32>,
    v6: Vec<u128>,
}

impl AddrSet {
    /// How many addresses it holds.
    pub fn len(&self) -> usize {
        match &self.form {
            SetForm::Listed(lists) => lists.v4.len() + lists.v6.len(),
            SetForm::Codes { len, .. } => *len,
        }
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds an address. A search and an insertion into a sorted list: for a few
    /// addresses at a time.
    pub fn insert(&mut self, addr: IpAddr) {
        fn put<T: Ord>(list: &mut Vec<T>, value: T) {
            if let Err(at) = list.binary_search(&value) {
                list.insert(at, value);
            }
        }
        let lists = self.listed();
        match addr {
            IpAddr::V4(v4) => put(&mut lists.v4, u32::from(v4)),
            IpAddr::V6(v6) => put(&mut lists.v6, u128::from(v6)),
        }
    }

    /// The addresses of IPv4 words and IPv6 values, in any order and with repeats.
    pub(crate) fn from_words(mut v4: Vec<u32>, mut v6: Vec<u128>) -> AddrSet {
        v4.sort_unstable();
        v4.dedup();
        v6.sort_unstable();
        v6.dedup();
        AddrSet {
            form: SetForm::Listed(AddrLists { v4, v6 }),
        }
    }

    /// The addresses of the codes of `order`'s dictionary marked in `used`, a bitmap of
    /// 64 codes a word. The missing value's code, if marked, is left out.
    pub(crate) fn of_codes(mut used: Vec<u64>, order: Arc<ValueOrder>) -> AddrSet {
        if let Some(missing) = order.addresses().missing() {
            if let Some(word) = used.get_mut(missing as usize / 64) {
                *word &= !(1 << (missing % 64));
            }
        }
        let len = used.iter().map(|word| word.count_ones() as usize).sum();
        AddrSet {
            form: SetForm::Codes { used, len, order },
        }
    }

    /// Its addresses as sorted lists.
    fn lists(&self) -> Cow<'_, AddrLists> {
        match &self.form {
            SetForm::Listed(lists) => Cow::Borrowed(lists),
            SetForm::Codes { used, order, .. } => {
                let seen = |code: u32| used[code as usize / 64] >> (code % 64) & 1 == 1;
                Cow::Owned(AddrLists {
                    v4: (order.v4())
                        .filter(|&(code, _)| seen(code))
                        .map(|(_, word)| word)
                        .collect(),
                    v6: (order.v6().iter())
                        .filter(|&&code| seen(code))
                        .map(|&code| order.v6_word(code))
                        .collect(),
                })
            }
        }
    }

    /// Its lists, made first if it holds codes.
    fn listed(&mut self) -> &mut AddrLists {
        if let SetForm::Codes { .. } = self.form {
            self.form = SetForm::Listed(self.lists().into_owned());
        }
        match &mut self.form {
            SetForm::Listed(lists) => lists,
            SetForm::Codes { .. } => unreachable!("listed just above"),
        }
    }

    fn merge(&mut self, other: &AddrSet) {
        let (mine, theirs) = (self.lists(), other.lists());
        let merged = AddrLists {
            v4: union(&mine.v4, &theirs.v4),
            v6: union(&mine.v6, &theirs.v6),
        };
        self.form = SetForm::Listed(merged);
    }
}

impl PartialEq for AddrSet {
    fn eq(&self, other: &AddrSet) -> bool {
        self.len() == other.len() && self.lists() == other.lists()
    }
}

impl Eq for AddrSet {}

impl std::fmt::Debug for AddrSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lists = self.lists();
        f.debug_struct("AddrSet")
            .field("v4", &lists.v4)
            .field("v6", &lists.v6)
            .finish()
    }
}

/// The sorted union of two sorted lists without repeats.
fn union<T: Ord + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

impl Summary {
    /// Totals over every record of `table`.
    pub fn of(table: &FlowTable) -> Summary {
        Summary::of_selection(table, &Selection::all(table.len()))
    }

    /// Totals over the selected rows of `table`.
    pub fn of_selection(table: &FlowTable, selection: &Selection) -> Summary {
        let mut summary = Summary::counts_of_selection(table, selection);
        if let Some(interfaces) = table.text(Field::InterfaceId) {
            let mut seen = vec![false; interfaces.dictionary().len()];
            selection.for_each(|r| seen[interfaces.code(r) as usize] = true);
            summary.interfaces = interfaces
                .dictionary()
                .iter()
                .zip(seen)
                .skip(1)
                .filter(|(_, seen)| *seen)
                .map(|(v, _)| v.clone())
                .collect();
        }
        // The address columns share one dictionary, so marking codes finds the distinct
        // addresses of both.
        let dictionary = table.addresses();
        let mut seen = vec![false; dictionary.len()];
        // Paired columns mark the pairs their rows hold, then both addresses of each.
        if let Some(pairs) = table.pairs() {
            let mut held = vec![false; pairs.pairs().len()];
            let codes = pairs.codes();
            selection.for_each(|r| held[codes[r] as usize] = true);
            for (pair, _) in pairs.pairs().iter().zip(held).filter(|(_, held)| *held) {
                seen[pair[0] as usize] = true;
                seen[pair[1] as usize] = true;
            }
        }
        for field in [Field::SrcAddr, Field::DstAddr] {
            if let Some(AddrCodes::Direct(codes)) = table.addr(field).map(AddrColumn::codes) {
                selection.for_each(|r| seen[codes[r] as usize] = true);
            }
        }
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for (address, _) in dictionary.iter().zip(seen).filter(|(_, seen)| *seen) {
            match address {
                Some(IpAddr::V4(a)) => v4.push(u32::from(a)),
                Some(IpAddr::V6(a)) => v6.push(u128::from(a)),
                None => {}
            }
        }
        summary.addresses = AddrSet::from_words(v4, v6);
        summary
    }

    /// The counts and sums of [`Summary::of`], with the distinct interfaces and addresses
    /// left empty: those cost another pass over every row, which a file's totals do not
    /// need as it finishes loading.
    pub fn counts_of(table: &FlowTable) -> Summary {
        Summary::counts_of_every_row(table)
    }

    fn counts_of_selection(table: &FlowTable, selection: &Selection) -> Summary {
        if selection.count() == table.len() {
            return Summary::counts_of_every_row(table);
        }
        Summary::counts_row_by_row(table, selection)
    }

    /// [`Summary::counts_of_selection`] over every row, each column read as the slice of
    /// words it is stored in: loops the compiler turns into vector code, where reading
    /// row by row through a selection costs a call and a width check per value (a file's
    /// totals are taken this way as it finishes loading, on the way to its first chart).
    fn counts_of_every_row(table: &FlowTable) -> Summary {
        let int = |field: Field| table.int(field);
        let present = |column: &IntColumn| present_range(column, 0..column.len());
        // Missing rows hold 0 and add nothing; the exact sum is cut to the largest `u64`.
        let saturating_sum =
            |column: &IntColumn| u64::try_from(total_of(column)).unwrap_or(u64::MAX);
        Summary {
            records: table.len() as u64,
            bytes: int(Field::Bytes).map_or(0, saturating_sum),
            packets: int(Field::Packets).map_or(0, saturating_sum),
            first_start: int(Field::Start).and_then(present).map(|(least, _)| least),
            last_end: int(Field::End)
                .and_then(present)
                .map(|(_, greatest)| greatest),
            by_action: count_every_word(table, Field::Action, ACTIONS),
            by_log_status: count_every_word(table, Field::LogStatus, LOG_STATUSES),
            ..Summary::default()
        }
    }

    fn counts_row_by_row(table: &FlowTable, selection: &Selection) -> Summary {
        let mut summary = Summary {
            records: selection.count() as u64,
            ..Summary::default()
        };
        // Missing counts are stored as 0, so raw words add up correctly.
        if let Some(bytes) = table.int(Field::Bytes) {
            let mut sum = 0u64;
            selection.for_each(|r| sum = sum.saturating_add(bytes.raw(r)));
            summary.bytes = sum;
        }
        if let Some(packets) = table.int(Field::Packets) {
            let mut sum = 0u64;
            selection.for_each(|r| sum = sum.saturating_add(packets.raw(r)));
            summary.packets = sum;
        }
        if let Some(start) = table.int(Field::Start) {
            let mut first = None::<u64>;
            selection.for_each(|r| {
                if let Some(s) = start.get(r) {
                    first = Some(first.map_or(s, |f| f.min(s)));
                }
            });
            summary.first_start = first;
        }
        if let Some(end) = table.int(Field::End) {
            let mut last = None::<u64>;
            selection.for_each(|r| last = last.max(end.get(r)));
            summary.last_end = last;
        }
        summary.by_action = count_words(table, selection, Field::Action, ACTIONS);
        summary.by_log_status = count_words(table, selection, Field::LogStatus, LOG_STATUSES);
        summary
    }

    /// Adds another summary's totals to this one.
    pub fn merge(&mut self, other: &Summary) {
        self.records += other.records;
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.packets = self.packets.saturating_add(other.packets);
        self.first_start = min_of(self.first_start, other.first_start);
        self.last_end = self.last_end.max(other.last_end);
        for (key, n) in &other.by_action {
            *self.by_action.entry(key.clone()).or_insert(0) += n;
        }
        for (key, n) in &other.by_log_status {
            *self.by_log_status.entry(key.clone()).or_insert(0) += n;
        }
        self.interfaces.extend(other.interfaces.iter().cloned());
        self.addresses.merge(&other.addresses);
    }
}

fn min_of(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// [`count_words`] over every row.
fn count_every_word(table: &FlowTable, field: Field, words: &[&str]) -> BTreeMap<String, u64> {
    let Some(column) = table.int(field) else {
        return BTreeMap::new();
    };
    // One slot more than the words, as in `count_words`: a code that names none of them
    // is counted there and left out of the result.
    let mut counts = vec![0u64; words.len() + 1];
    fn count<T: Copy + Into<u64>>(codes: &[T], counts: &mut [u64]) {
        codes.iter().for_each(|&c| counts[c.into() as usize] += 1);
    }
    match column.words() {
        IntWords::Same { value, len } => counts[value as usize] += len as u64,
        IntWords::U8(codes) => count(codes, &mut counts),
        // A column of a few codes stays one byte wide; wider ones are read all the same.
        IntWords::U16(codes) => count(codes, &mut counts),
        IntWords::U32(codes) => count(codes, &mut counts),
        IntWords::U64(codes) => count(codes, &mut counts),
    }
    // Missing rows hold 0, the first word's code: they were counted there, and are taken
    // off again.
    if let Some(missing) = column.missing_bitmap() {
        let rows: u64 = missing
            .words()
            .iter()
            .map(|w| u64::from(w.count_ones()))
            .sum();
        counts[0] -= rows;
    }
    named_counts(words, counts)
}

fn count_words(
    table: &FlowTable,
    selection: &Selection,
    field: Field,
    words: &[&str],
) -> BTreeMap<String, u64> {
    let mut counts = vec![0u64; words.len() + 1];
    if let Some(column) = table.int(field) {
        if column.has_missing() {
            selection.for_each(|r| counts[column.get(r).map_or(words.len(), |c| c as usize)] += 1);
        } else {
            selection.for_each(|r| counts[column.raw(r) as usize] += 1);
        }
    }
    named_counts(words, counts)
}

/// Each word with its count, the words counted at least once.
fn named_counts(words: &[&str], counts: Vec<u64>) -> BTreeMap<String, u64> {
    words
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(w, n)| (w.to_string(), n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_the_summary_without_its_sets() {
        let text = "\
2 123456789010 eni-a 10.0.0.1 10.0.0.2 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-b 10.0.0.3 10.0.0.1 49761 3389 6 20 4249 1418530011 1418530080 REJECT OK
2 123456789010 eni-a - - - - - - - 1431280876 1431280934 - NODATA
2 123456789010 eni-a 2001:db8::1 2001:db8::2 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK
";
        let table = flowlog::decode_all("t.log", text.as_bytes(), Default::default()).table;
        let full = Summary::of(&table);
        assert_eq!(full.interfaces.len(), 2);
        assert_eq!(full.addresses.len(), 5);
        let counts = Summary::counts_of(&table);
        assert!(counts.interfaces.is_empty());
        assert_eq!(counts.addresses.len(), 0);
        assert_eq!(
            Summary {
                interfaces: full.interfaces.clone(),
                addresses: full.addresses.clone(),
                ..counts
            },
            full
        );
        assert_eq!((full.records, full.bytes, full.packets), (4, 17353, 94));
    }

    #[test]
    fn every_row_read_column_wise_counts_as_row_by_row() {
        let ok = "2 123456789010 eni-a 10.0.0.1 10.0.0.2 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n";
        let nodata = "2 123456789010 eni-a - - - - - - - 1431280876 1431280934 - NODATA\n";
        let huge = "2 123456789010 eni-b 10.0.0.3 10.0.0.1 49761 3389 6 18446744073709551 18446744073709551615 1418530011 1418530080 REJECT OK\n";
        let skip = "2 123456789010 eni-c - - - - - - - - - - SKIPDATA\n";
        let texts = [
            String::new(),
            ok.to_owned(),
            ok.repeat(3),
            nodata.repeat(2),
            skip.to_owned(),
            [ok, nodata, ok].concat(),
            // Bytes wider than 32 bits, and a sum that saturates.
            [ok, huge, huge, nodata].concat(),
            [skip, ok, nodata, huge].concat(),
        ];
        for text in texts {
            let table = flowlog::decode_all("t.log", text.as_bytes(), Default::default()).table;
            let column_wise = Summary::counts_of_every_row(&table);
            let row_by_row = Summary::counts_row_by_row(&table, &Selection::all(table.len()));
            assert_eq!(column_wise, row_by_row, "{text}");
            assert_eq!(Summary::counts_of(&table), row_by_row);
        }
    }

    #[test]
    fn a_partial_selection_is_counted_row_by_row() {
        let text = "\
2 123456789010 eni-a 10.0.0.1 10.0.0.2 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-b 10.0.0.3 10.0.0.1 49761 3389 6 20 100 1418530011 1418530080 REJECT OK
";
        let table = flowlog::decode_all("t.log", text.as_bytes(), Default::default()).table;
        let second = Selection::from_fn(table.len(), |row| row == 1);
        let counts = Summary::counts_of_selection(&table, &second);
        assert_eq!((counts.records, counts.bytes), (1, 100));
        assert_eq!(counts.by_action.get("REJECT"), Some(&1));
        assert_eq!(counts.by_action.get("ACCEPT"), None);
    }
}
