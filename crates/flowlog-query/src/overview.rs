//! The overview: everything the page shows at once for one filter, in one pass.
//!
//! Summary, time histogram and the five top lists people look at first (sources,
//! destinations, destination ports, protocols, interfaces). It is the unit the benchmark
//! times and the page asks its worker for; like its parts it merges across files, and a
//! test checks that it equals its parts computed one by one.
//!
//! All of it comes from one pass over the selected rows, a chunk at a time (see `scan`):
//! each column is read from memory once, into a buffer, and each answer is a tight loop
//! over the buffers that adds a row to a slot of a dense array. Slots are per value for
//! ports and protocols, per dictionary code for interfaces, per address code of the
//! [`TableIndex`] for addresses, and per minute and action for the histogram, whose range
//! the index also knows. Distinct interfaces and addresses are the slots that were used;
//! records by action are the histogram's slots added up.

use crate::filter::Filter;
use crate::group::Groups;
use crate::histogram::{Bucket, Histogram, BASE_WIDTH};
use crate::index::TableIndex;
use crate::key::{GroupBy, Key};
use crate::scan::{for_each_chunk, Chunk, ROWS};
use crate::selection::Selection;
use crate::summary::{AddrSet, Summary};
use crate::totals::Totals;
use flowlog::column::IntColumn;
use flowlog::field::{ACTIONS, LOG_STATUSES};
use flowlog::{Field, FieldKind, FieldRef, FlowTable};
use std::borrow::Cow;
use std::net::IpAddr;

/// The group-bys of the overview's top lists.
pub const OVERVIEW_GROUPS: [Field; 5] = [
    Field::SrcAddr,
    Field::DstAddr,
    Field::DstPort,
    Field::Protocol,
    Field::InterfaceId,
];

/// The most minutes the histogram keeps in an array; a wider range of times (years, which
/// only corrupt data has) is counted the slower way, in a map.
const MAX_DENSE_MINUTES: u64 = 1 << 22;

/// Summary, histogram (per minute; coarsen it for display) and five groupings of the
/// records a filter keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    /// Totals, time span, distinct counts, by action and log-status.
    pub summary: Summary,
    /// Records per minute, by action.
    pub histogram: Histogram,
    /// Groups by each of [`OVERVIEW_GROUPS`], in that order.
    pub groups: Vec<Groups>,
}

impl Overview {
    /// The overview of the rows of `table` that `filter` keeps. `index` must have been built
    /// for `table`.
    pub fn of(table: &FlowTable, index: &TableIndex, filter: &Filter) -> Overview {
        Overview::of_selection(table, index, &filter.select(table))
    }

    /// The overview of the selected rows of `table`. `index` must have been built for
    /// `table`.
    pub fn of_selection(table: &FlowTable, index: &TableIndex, selection: &Selection) -> Overview {
        index.check(table);
        Pass::new(table, index)
            .run(selection, index.sums_fit())
            .finish(table, index, selection)
    }

    /// Adds another part's overview.
    pub fn merge(&mut self, other: &Overview) {
        self.summary.merge(&other.summary);
        self.histogram.merge(&other.histogram);
        for (a, b) in self.groups.iter_mut().zip(&other.groups) {
            a.merge(b);
        }
    }
}

/// Where a grouping finds each row's slot.
enum Source<'a> {
    /// Raw words of an integer column or of a text column's codes; missing rows (if the
    /// column marks any) go to the slot `missing`.
    Int(&'a IntColumn, u64),
    /// Address codes of the index.
    Codes(&'a [u32]),
    /// The table lacks the column: every row is missing, in slot 0.
    Absent,
}

/// Groupings with at most this many slots keep four copies of them, row `i` adding to copy
/// `i % 4`: a few values (TCP, one busy interface) take most rows, and four copies let four
/// rows be added at once instead of each waiting for the previous one's store.
const SMALL: usize = 1024;

/// One grouping being counted: its source and its slots, the last of which takes the rows
/// a chunk reads but the selection does not keep.
struct Dense<'a> {
    field: Field,
    source: Source<'a>,
    /// Slots per copy, the unread one included.
    size: usize,
    copies: usize,
    slots: Vec<Totals>,
}

impl<'a> Dense<'a> {
    fn new(table: &'a FlowTable, index: &'a TableIndex, field: Field) -> Dense<'a> {
        let (source, size) = if let Some(codes) = index.addr_codes(field) {
            (Source::Codes(codes), index.addr_values().len())
        } else if let Some(text) = table.text(field) {
            (Source::Int(text.codes(), 0), text.dictionary().len())
        } else if let Some(column) = table.int(field) {
            let size = small_size(field.kind()).expect("overview groups have small ranges");
            (Source::Int(column, size as u64), size + 1)
        } else {
            (Source::Absent, 1)
        };
        let size = size + 1;
        let copies = if size <= SMALL { 4 } else { 1 };
        Dense {
            field,
            source,
            size,
            copies,
            slots: vec![Totals::default(); size * copies],
        }
    }

    #[inline]
    fn add<const FIT: bool>(
        &mut self,
        chunk: &Chunk,
        buffer: &mut [u64; ROWS],
        bytes: &[u64],
        packets: &[u64],
    ) {
        let keys: &mut [u64] = match self.source {
            Source::Int(column, missing) => {
                let keys = chunk.load(column, buffer);
                chunk.mark(column.missing_bitmap(), keys, missing);
                keys
            }
            Source::Codes(codes) => chunk.load_u32(codes, buffer),
            Source::Absent => {
                buffer[..chunk.width()].fill(0);
                &mut buffer[..chunk.width()]
            }
        };
        chunk.drop_unselected(keys, self.size as u64 - 1);
        if self.copies == 4 {
            add4::<FIT>(&mut self.slots, self.size, keys, bytes, packets);
        } else {
            add::<FIT>(&mut self.slots, keys, bytes, packets);
        }
    }

    /// Each slot's totals over its copies, the unread slot left out.
    fn totals(&self) -> Cow<'_, [Totals]> {
        let first = &self.slots[..self.size - 1];
        if self.copies == 1 {
            return Cow::Borrowed(first);
        }
        let mut totals = first.to_vec();
        for copy in self.slots.chunks(self.size).skip(1) {
            for (t, c) in totals.iter_mut().zip(copy) {
                t.merge(c);
            }
        }
        Cow::Owned(totals)
    }

    /// The groups, keyed by value.
    fn groups(&self, table: &FlowTable, index: &TableIndex) -> Groups {
        let mut groups = Groups::new(GroupBy::Field(FieldRef::Known(self.field)));
        let totals = self.totals();
        // Keys are made for used slots only: a dictionary of addresses is mostly unused
        // under a narrow filter.
        let used = totals
            .iter()
            .enumerate()
            .filter(|(_, t)| t.records > 0)
            .map(|(i, t)| (i, *t));
        match self.source {
            Source::Codes(_) => {
                let values = index.addr_values();
                groups.absorb(used.map(|(i, t)| (Key::addr(values[i]), t)));
            }
            Source::Int(..) => match (table.text(self.field), self.field.kind()) {
                (Some(text), _) => {
                    let values = text.dictionary();
                    groups.absorb(used.map(|(i, t)| {
                        let key = if i == 0 {
                            Key::Null
                        } else {
                            Key::Text(values[i].clone())
                        };
                        (key, t)
                    }));
                }
                (None, kind) => {
                    let missing = totals.len() - 1;
                    groups.absorb(used.map(|(i, t)| {
                        let key = match kind {
                            _ if i == missing => Key::Null,
                            FieldKind::Enum(words) => Key::Text(words[i].into()),
                            _ => Key::Int(i as u64),
                        };
                        (key, t)
                    }));
                }
            },
            Source::Absent => groups.absorb(used.map(|(_, t)| (Key::Null, t))),
        }
        groups
    }
}

/// Slots for every value of a field with a small range, as [`Groups`] uses.
fn small_size(kind: FieldKind) -> Option<usize> {
    match kind {
        FieldKind::Int { max } if max <= u64::from(u16::MAX) => Some(max as usize + 1),
        FieldKind::Enum(words) => Some(words.len()),
        _ => None,
    }
}

/// Adds a record to a slot; `FIT` says that sums cannot overflow, so plain adds do.
#[inline(always)]
fn add_one<const FIT: bool>(slot: &mut Totals, bytes: u64, packets: u64) {
    if FIT {
        slot.records += 1;
        slot.bytes = slot.bytes.wrapping_add(bytes);
        slot.packets = slot.packets.wrapping_add(packets);
    } else {
        slot.add(bytes, packets);
    }
}

/// Adds each row to the slot its key names.
#[inline]
fn add<const FIT: bool>(slots: &mut [Totals], keys: &[u64], bytes: &[u64], packets: &[u64]) {
    for ((&key, &b), &p) in keys.iter().zip(bytes).zip(packets) {
        add_one::<FIT>(&mut slots[key as usize], b, p);
    }
}

/// As [`add`], into four copies of `size` slots, row `i` into copy `i % 4`.
#[inline]
fn add4<const FIT: bool>(
    slots: &mut [Totals],
    size: usize,
    keys: &[u64],
    bytes: &[u64],
    packets: &[u64],
) {
    let (s0, rest) = slots.split_at_mut(size);
    let (s1, rest) = rest.split_at_mut(size);
    let (s2, s3) = rest.split_at_mut(size);
    let quads = keys
        .chunks_exact(4)
        .zip(bytes.chunks_exact(4))
        .zip(packets.chunks_exact(4));
    for ((k, b), p) in quads {
        add_one::<FIT>(&mut s0[k[0] as usize], b[0], p[0]);
        add_one::<FIT>(&mut s1[k[1] as usize], b[1], p[1]);
        add_one::<FIT>(&mut s2[k[2] as usize], b[2], p[2]);
        add_one::<FIT>(&mut s3[k[3] as usize], b[3], p[3]);
    }
    let done = keys.len() / 4 * 4;
    add::<FIT>(s0, &keys[done..], &bytes[done..], &packets[done..]);
}

/// The smallest of some values, with four independent minimums so that each comparison
/// need not wait for the one before.
#[inline]
fn min_of(values: &[u64]) -> u64 {
    let mut m = [u64::MAX; 4];
    let quads = values.chunks_exact(4);
    let rest = quads.remainder();
    for q in quads {
        for (m, &v) in m.iter_mut().zip(q) {
            *m = (*m).min(v);
        }
    }
    rest.iter().copied().chain(m).min().unwrap_or(u64::MAX)
}

/// The largest of some values, as [`min_of`].
#[inline]
fn max_of(values: &[u64]) -> u64 {
    let mut m = [0u64; 4];
    let quads = values.chunks_exact(4);
    let rest = quads.remainder();
    for q in quads {
        for (m, &v) in m.iter_mut().zip(q) {
            *m = (*m).max(v);
        }
    }
    rest.iter().copied().chain(m).max().unwrap_or(0)
}

/// The rows of `bytes` or `packets` and their sum. A missing count is stored as 0, which is
/// what it adds to a sum; rows read but not kept are made 0 too, so that sums need no other
/// test.
#[inline]
fn counts<'b, const FIT: bool>(
    chunk: &Chunk,
    column: Option<&IntColumn>,
    buffer: &'b mut [u64; ROWS],
) -> (&'b [u64], u64) {
    let width = chunk.width();
    let values: &mut [u64] = match column {
        Some(c) => chunk.load(c, buffer),
        None => {
            buffer[..width].fill(0);
            &mut buffer[..width]
        }
    };
    chunk.drop_unselected(values, 0);
    let sum = if FIT {
        values.iter().fold(0u64, |s, &v| s.wrapping_add(v))
    } else {
        values.iter().fold(0u64, |s, &v| s.saturating_add(v))
    };
    (values, sum)
}

/// Histogram slots per minute: `ACCEPT`, `REJECT`, no action, and rows read but not kept.
const PER_MINUTE: usize = 4;

/// Everything the pass counts.
struct Pass<'a> {
    bytes: Option<&'a IntColumn>,
    packets: Option<&'a IntColumn>,
    start: Option<&'a IntColumn>,
    end: Option<&'a IntColumn>,
    action: Option<&'a IntColumn>,
    status: Option<&'a IntColumn>,
    /// The first minute of the histogram's array and how many minutes it spans; 0 minutes
    /// when there is no array (no times, or too wide a range).
    first_minute: u64,
    minutes: usize,
    /// Per minute, then one more "minute" for rows without a time: [`PER_MINUTE`] slots.
    histogram: Vec<Totals>,
    /// Records by log-status code, then missing, then rows read but not kept.
    by_status: [u64; 5],
    records: u64,
    bytes_sum: u64,
    packets_sum: u64,
    first_start: u64,
    last_end: Option<u64>,
    groups: Vec<Dense<'a>>,
}

impl<'a> Pass<'a> {
    fn new(table: &'a FlowTable, index: &'a TableIndex) -> Pass<'a> {
        let (first_minute, minutes) = match index.start_range() {
            Some((lo, hi)) if hi / BASE_WIDTH - lo / BASE_WIDTH < MAX_DENSE_MINUTES => (
                lo / BASE_WIDTH,
                (hi / BASE_WIDTH - lo / BASE_WIDTH + 1) as usize,
            ),
            _ => (0, 0),
        };
        Pass {
            bytes: table.int(Field::Bytes),
            packets: table.int(Field::Packets),
            start: table.int(Field::Start),
            end: table.int(Field::End),
            action: table.int(Field::Action),
            status: table.int(Field::LogStatus),
            first_minute,
            minutes,
            histogram: vec![Totals::default(); (minutes + 1) * PER_MINUTE],
            by_status: [0; 5],
            records: 0,
            bytes_sum: 0,
            packets_sum: 0,
            first_start: u64::MAX,
            last_end: None,
            groups: OVERVIEW_GROUPS
                .iter()
                .map(|f| Dense::new(table, index, *f))
                .collect(),
        }
    }

    fn run(mut self, selection: &Selection, fit: bool) -> Pass<'a> {
        let mut buffers = [[0u64; ROWS]; 4];
        if fit {
            for_each_chunk(selection, |chunk| self.chunk::<true>(chunk, &mut buffers));
        } else {
            for_each_chunk(selection, |chunk| self.chunk::<false>(chunk, &mut buffers));
        }
        self
    }

    #[inline]
    fn chunk<const FIT: bool>(
        &mut self,
        chunk: &Chunk,
        [bytes, packets, keys, times]: &mut [[u64; ROWS]; 4],
    ) {
        let width = chunk.width();
        self.records += chunk.selected() as u64;
        // A missing count is stored as 0, which is what it adds to a sum; rows read but not
        // kept are made 0 too, so that sums need no other test.
        let (bytes, bytes_sum) = counts::<FIT>(chunk, self.bytes, bytes);
        let (packets, packets_sum) = counts::<FIT>(chunk, self.packets, packets);
        self.bytes_sum = self.bytes_sum.saturating_add(bytes_sum);
        self.packets_sum = self.packets_sum.saturating_add(packets_sum);

        for group in &mut self.groups {
            group.add::<FIT>(chunk, keys, bytes, packets);
        }

        if let Some(status) = self.status {
            let codes = chunk.load(status, keys);
            chunk.mark(status.missing_bitmap(), codes, LOG_STATUSES.len() as u64);
            chunk.drop_unselected(codes, 4);
            // Each row adds 1 to a 12-bit lane of one word, the lane of its code, so the
            // loop has no store to wait for; a chunk's 1,024 rows cannot fill a lane.
            let lanes = codes
                .iter()
                .fold(0u64, |lanes, &code| lanes + (1 << (12 * code)));
            for (k, total) in self.by_status.iter_mut().enumerate() {
                *total += lanes >> (12 * k) & 0xfff;
            }
        }

        if let Some(end) = self.end {
            let present = end
                .missing_bitmap()
                .map_or(chunk.selected(), |m| chunk.selected_unmarked(m));
            if present > 0 {
                let ends = chunk.load(end, times);
                // Missing ends read as 0, which never raises the maximum.
                chunk.drop_unselected(ends, 0);
                self.last_end = self.last_end.max(Some(max_of(ends)));
            }
        }

        // Each row's histogram slot: action, then minute.
        let actions = match self.action {
            Some(action) => {
                let codes = chunk.load(action, keys);
                chunk.mark(action.missing_bitmap(), codes, 2);
                codes
            }
            None => {
                keys[..width].fill(2);
                &mut keys[..width]
            }
        };
        chunk.drop_unselected(actions, 3);
        let no_time = self.minutes as u64;
        let minutes: &[u64] = match self.start {
            Some(start) => {
                let starts = chunk.load(start, times);
                chunk.mark(start.missing_bitmap(), starts, u64::MAX);
                chunk.drop_unselected(starts, u64::MAX);
                self.first_start = self.first_start.min(min_of(starts));
                if self.minutes > 0 {
                    let base = self.first_minute;
                    for s in starts.iter_mut() {
                        *s = if *s == u64::MAX {
                            no_time
                        } else {
                            *s / BASE_WIDTH - base
                        };
                    }
                } else {
                    starts.fill(no_time);
                }
                starts
            }
            None => {
                times[..width].fill(no_time);
                &times[..width]
            }
        };
        self.histogram::<FIT>(minutes, actions, bytes, packets);
    }

    /// Adds rows to the histogram. Records come in time order, so a chunk holds long runs
    /// of one minute: each run is added up per action in registers and stored once.
    #[inline]
    fn histogram<const FIT: bool>(
        &mut self,
        minutes: &[u64],
        actions: &[u64],
        bytes: &[u64],
        packets: &[u64],
    ) {
        let mut i = 0;
        while i < minutes.len() {
            let minute = minutes[i];
            let run = minutes[i..].iter().take_while(|&&m| m == minute).count();
            let end = i + run;
            let slots = &mut self.histogram[minute as usize * PER_MINUTE..][..PER_MINUTE];
            if FIT && run >= 16 {
                // Unkept rows carry no bytes or packets (their action is 3), so `ACCEPT`
                // takes what the whole run has less what `REJECT` and no action have.
                let (a, b, p) = (&actions[i..end], &bytes[i..end], &packets[i..end]);
                let mut lanes = 0u64;
                let [mut all_b, mut all_p, mut reject_b, mut reject_p, mut none_b, mut none_p] =
                    [0u64; 6];
                for ((&a, &b), &p) in a.iter().zip(b).zip(p) {
                    lanes += 1 << (12 * a);
                    let reject = 0u64.wrapping_sub(u64::from(a == 1));
                    let none = 0u64.wrapping_sub(u64::from(a == 2));
                    all_b = all_b.wrapping_add(b);
                    all_p = all_p.wrapping_add(p);
                    reject_b = reject_b.wrapping_add(b & reject);
                    reject_p = reject_p.wrapping_add(p & reject);
                    none_b = none_b.wrapping_add(b & none);
                    none_p = none_p.wrapping_add(p & none);
                }
                let accept_b = all_b.wrapping_sub(reject_b).wrapping_sub(none_b);
                let accept_p = all_p.wrapping_sub(reject_p).wrapping_sub(none_p);
                let sums = [(accept_b, accept_p), (reject_b, reject_p), (none_b, none_p)];
                for (k, (slot, (b, p))) in slots.iter_mut().zip(sums).enumerate() {
                    slot.records += lanes >> (12 * k) & 0xfff;
                    slot.bytes = slot.bytes.wrapping_add(b);
                    slot.packets = slot.packets.wrapping_add(p);
                }
            } else {
                for j in i..end {
                    add_one::<FIT>(&mut slots[actions[j] as usize], bytes[j], packets[j]);
                }
            }
            i = end;
        }
    }

    fn finish(self, table: &FlowTable, index: &TableIndex, selection: &Selection) -> Overview {
        let mut by_action = [0u64; 3];
        for slots in self.histogram.chunks(PER_MINUTE) {
            for (n, t) in by_action.iter_mut().zip(slots) {
                *n += t.records;
            }
        }
        let words = |names: &[&str], counts: &[u64]| {
            names
                .iter()
                .zip(counts)
                .filter(|(_, n)| **n > 0)
                .map(|(w, n)| (w.to_string(), *n))
                .collect()
        };
        let mut summary = Summary {
            records: self.records,
            bytes: self.bytes_sum,
            packets: self.packets_sum,
            first_start: (self.first_start != u64::MAX).then_some(self.first_start),
            last_end: self.last_end,
            by_action: words(ACTIONS, &by_action),
            by_log_status: words(LOG_STATUSES, &self.by_status),
            ..Summary::default()
        };
        let groups: Vec<Groups> = self.groups.iter().map(|g| g.groups(table, index)).collect();
        let at = |field: Field| OVERVIEW_GROUPS.iter().position(|f| *f == field);
        if let Some(i) = at(Field::InterfaceId) {
            summary.interfaces = groups[i]
                .iter()
                .filter_map(|(key, _)| match key {
                    Key::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect();
        }
        // The distinct addresses are the codes either address grouping used, taken in the
        // order of their values.
        let used = |field: Field| {
            self.groups
                .iter()
                .find(|g| g.field == field && matches!(g.source, Source::Codes(_)))
                .map(Dense::totals)
        };
        let (src, dst) = (used(Field::SrcAddr), used(Field::DstAddr));
        let seen = |slots: &Option<Cow<'_, [Totals]>>, code: usize| {
            slots.as_ref().is_some_and(|s| s[code].records > 0)
        };
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        let values = index.addr_values();
        for &code in index.addr_order() {
            let code = code as usize;
            if seen(&src, code) || seen(&dst, code) {
                match values[code] {
                    Some(IpAddr::V4(a)) => v4.push(u32::from(a)),
                    Some(IpAddr::V6(a)) => v6.push(u128::from(a)),
                    None => {}
                }
            }
        }
        summary.addresses = AddrSet::from_words(v4, v6);

        let histogram = if self.minutes > 0 || self.start.is_none() {
            let mut histogram = Histogram::new(BASE_WIDTH);
            let bucket = |slots: &[Totals]| Bucket {
                accept: slots[0],
                reject: slots[1],
                none: slots[2],
            };
            let mut minutes = self.histogram.chunks(PER_MINUTE);
            for (minute, slots) in (self.first_minute..).zip(minutes.by_ref().take(self.minutes)) {
                let bucket = bucket(slots);
                if bucket.total().records > 0 {
                    histogram.buckets.insert(minute * BASE_WIDTH, bucket);
                }
            }
            if let Some(slots) = minutes.next() {
                histogram.no_time = bucket(slots).total();
            }
            histogram
        } else {
            Histogram::of(table, selection, BASE_WIDTH)
        };

        Overview {
            summary,
            histogram,
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlog::{decode_all, DecodeOptions};

    /// Records in time order (long runs of one minute, as real logs have), with missing
    /// values here and there; `huge` makes some byte counts large enough that sums saturate.
    fn table(rows: u64, huge: bool) -> FlowTable {
        let mut text = String::from(
            "version interface-id srcaddr dstaddr dstport protocol packets bytes start end action log-status\n",
        );
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for row in 0..rows {
            let start = 1_700_000_000 + row / 7;
            let field = |v: String, r: u64| if r == 0 { "-".to_string() } else { v };
            let bytes = if huge && next(5) == 0 {
                u64::MAX / 3
            } else {
                next(5000)
            };
            text += &format!(
                "2 {} {} {} {} {} {} {} {} {} {} {}\n",
                field(format!("eni-{}", next(5)), next(40)),
                field(format!("10.0.{}.{}", next(3), next(200)), next(40)),
                field(format!("2001:db8::{:x}", next(90)), next(40)),
                field(next(1000).to_string(), next(40)),
                [6, 17, 1][next(3) as usize],
                field(next(9).to_string(), next(40)),
                field(bytes.to_string(), next(40)),
                field(start.to_string(), next(60)),
                field((start + 30).to_string(), next(60)),
                field(["ACCEPT", "REJECT"][next(2) as usize].to_string(), next(20)),
                ["OK", "NODATA", "SKIPDATA"][next(3) as usize],
            );
        }
        decode_all("t", text.as_bytes(), DecodeOptions::default()).table
    }

    #[test]
    fn equals_its_parts_with_runs_and_saturation() {
        for huge in [false, true] {
            let table = table(5000, huge);
            assert_eq!(table.len(), 5000);
            let index = TableIndex::build(&table);
            assert_eq!(index.sums_fit(), !huge);
            for filter in ["", "log-status = OK", "action = REJECT", "not dstport < 10"] {
                let selection = Filter::parse(filter).unwrap().select(&table);
                let overview = Overview::of_selection(&table, &index, &selection);
                assert_eq!(overview.summary, Summary::of_selection(&table, &selection));
                assert_eq!(
                    overview.histogram,
                    Histogram::of(&table, &selection, BASE_WIDTH)
                );
                for (groups, field) in overview.groups.iter().zip(OVERVIEW_GROUPS) {
                    let by = GroupBy::Field(FieldRef::Known(field));
                    assert_eq!(groups, &Groups::of(&table, &selection, &by), "{field:?}");
                }
            }
        }
    }
}
