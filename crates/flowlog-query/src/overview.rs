//! The overview: everything the page shows at once for one filter, in one pass.
//!
//! Summary, time histogram and the top lists people look at first (sources, destinations,
//! pairs of them, destination ports, protocols, interfaces). It is the unit the benchmark
//! times and the page asks its worker for; like its parts it merges across files, and a
//! test checks that it equals its parts computed one by one.
//!
//! All of it comes from one pass over the rows, a chunk at a time (see `scan`). A chunk
//! starts by reading one word of every cache line it will need, so that its misses are in
//! flight together. Each row then gets its increment: its `bytes`, and its record and
//! `packets` packed into one word (see `packed`), or nothing at all when a chunk that is
//! read whole holds it but the filter does not keep it. Each answer is a tight loop that
//! adds increments to the slots of a dense array, reading the keys straight from the
//! column at its own width when the chunk is read whole. Slots are per value for ports and
//! protocols, per dictionary code for interfaces, per pair code of the table for pairs of
//! addresses, and per minute and action for the histogram. Sources and destinations are
//! the pairs' sums added to each pair's source and destination after the pass; an address
//! column that is not one side of pairs counts per address code (rows with rare codes in
//! a loop of their own).
//!
//! The index also knows each chunk's range of `start` and its latest `end`. A chunk whose
//! rows all start in one minute (most of them, since logs come in time order) goes to the
//! histogram as two sums, `REJECT` and the rest, without reading `start`; `start` is read
//! only in the chunks that span minutes or could hold the earliest start, and `end` only
//! in the chunks, from the last one back, that could hold the latest end.
//!
//! A missing key is stored as 0, so its row is first counted in slot 0 and then moved to
//! the slot for missing values; the moves are few and exact, since plain adds wrap and
//! the sums are known to fit. A table whose sums could overflow (which takes exabytes) is
//! answered by the parts one by one, with saturating sums. Distinct interfaces and
//! addresses are the slots that were used; records by action are the histogram's slots
//! added up. The groupings of addresses and ports are handed over still by code (see
//! [`Groups`]), so that a top list makes keys for its own rows only.

use crate::filter::Filter;
use crate::group::{CodeKeys, Coded, Groups};
use crate::histogram::{dense_buckets, Bucket, Histogram, BASE_WIDTH};
use crate::index::TableIndex;
use crate::key::{GroupBy, Key};
use crate::packed::{plus, put, take, Lanes, Slot};
use crate::scan::{chunk_at, for_each_chunk, Chunk, ROWS};
use crate::selection::Selection;
use crate::summary::{AddrSet, Summary};
use flowlog::column::{AddrCodes, AddrPairs, IntColumn, IntWords};
use flowlog::field::{ACTIONS, LOG_STATUSES};
use flowlog::{Field, FieldKind, FieldRef, FlowTable};
use std::sync::Arc;

/// The group-bys of the overview's top lists.
pub const OVERVIEW_GROUPS: [Field; 5] = [
    Field::SrcAddr,
    Field::DstAddr,
    Field::DstPort,
    Field::Protocol,
    Field::InterfaceId,
];

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
    /// Groups by pair of source and destination address.
    pub pairs: Groups,
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
        match index.lanes() {
            Some(shift) => Pass::new(table, index, Lanes(shift))
                .run(selection)
                .finish(table, index, selection),
            None => Overview::by_parts(table, selection),
        }
    }

    /// The overview computed part by part, each with saturating sums.
    fn by_parts(table: &FlowTable, selection: &Selection) -> Overview {
        let by = |field: Field| GroupBy::Field(FieldRef::Known(field));
        Overview {
            summary: Summary::of_selection(table, selection),
            histogram: Histogram::of(table, selection, BASE_WIDTH),
            groups: OVERVIEW_GROUPS
                .iter()
                .map(|f| Groups::of(table, selection, &by(*f)))
                .collect(),
            pairs: Groups::of(table, selection, &GroupBy::Pair),
        }
    }

    /// Adds another part's overview.
    pub fn merge(&mut self, other: &Overview) {
        self.summary.merge(&other.summary);
        self.histogram.merge(&other.histogram);
        for (a, b) in self.groups.iter_mut().zip(&other.groups) {
            a.merge(b);
        }
        self.pairs.merge(&other.pairs);
    }
}

/// Where a grouping finds each row's slot.
enum Source<'a> {
    /// Raw words of an integer column or of a text column's codes; missing rows (if the
    /// column marks any) belong in the slot given.
    Int(&'a IntColumn, usize),
    /// Address codes, one per row.
    Codes(&'a [u32]),
    /// One side of the table's pairs of addresses (0 the source, 1 the destination):
    /// nothing is added per row, since the slots of the pairs, added up by each pair's
    /// address, give the same sums after the pass.
    Pair(usize),
    /// The table lacks the column: every row is missing, in slot 0.
    Absent,
}

/// Groupings with at most this many slots keep four copies of them, row `i` adding to copy
/// `i % 4`: a few values (TCP, one busy interface) take most rows, and four copies let four
/// rows be added at once instead of each waiting for the previous one's store.
const SMALL: usize = 1024;

/// One grouping being counted: its source and its slots.
struct Dense<'a> {
    field: Field,
    source: Source<'a>,
    /// Slots per copy.
    size: usize,
    copies: usize,
    /// Keys from which rows are put aside, and added in a loop of their own.
    hot: Option<usize>,
    slots: Vec<Slot>,
}

impl<'a> Dense<'a> {
    fn new(table: &'a FlowTable, index: &'a TableIndex, field: Field) -> Dense<'a> {
        let (source, size) = if let Some(column) = table.addr(field) {
            let source = match column.codes() {
                AddrCodes::Direct(codes) => Source::Codes(codes),
                AddrCodes::Paired { side, .. } => Source::Pair(side),
            };
            (source, index.addr_values().len() + 1)
        } else if let Some(text) = table.text(field) {
            // Entry 0 of a dictionary is the missing value.
            (Source::Int(text.codes(), 0), text.dictionary().len())
        } else if let Some(column) = table.int(field) {
            let size = small_size(field.kind()).expect("overview groups have small ranges");
            (Source::Int(column, size), size + 1)
        } else {
            (Source::Absent, 1)
        };
        // Address codes put rows with rare codes aside (see `add_split`).
        let (copies, hot) = match source {
            Source::Codes(_) => (1, Some(HOT_CODES)),
            Source::Pair(_) => (1, None),
            _ if size > SMALL => (1, None),
            _ => (4, None),
        };
        Dense {
            field,
            source,
            size,
            copies,
            hot,
            slots: vec![[0; 2]; size * copies],
        }
    }

    /// Adds the chunk's rows, whose increments are `incs` (and their sum `total`). Called
    /// once per chunk, so it costs nothing to keep out of line, where a profile shows its
    /// time apart from the rest of the pass; the same goes for the other parts so marked.
    #[inline(never)]
    fn add(
        &mut self,
        chunk: &Chunk,
        buffer: &mut [u64; ROWS],
        cold: &mut [u16; ROWS],
        incs: &[Slot],
        total: Slot,
    ) {
        let layout = Layout {
            size: self.size,
            copies: self.copies,
            hot: self.hot,
        };
        let slots = &mut self.slots[..];
        match self.source {
            Source::Int(column, missing) => {
                if chunk.every() {
                    match column.words() {
                        // Every row of the chunk goes to one slot: the chunk's sum does.
                        IntWords::Same { value, .. } => put(&mut slots[value as usize], total),
                        IntWords::U8(w) => layout.add(slots, chunk.rows(w), incs, cold),
                        IntWords::U16(w) => layout.add(slots, chunk.rows(w), incs, cold),
                        IntWords::U32(w) => layout.add(slots, chunk.rows(w), incs, cold),
                        IntWords::U64(w) => layout.add(slots, chunk.rows(w), incs, cold),
                    }
                } else {
                    layout.add(slots, chunk.load(column, buffer), incs, cold);
                }
                // Missing rows hold 0, so they went to slot 0 (of some copy; the copies
                // are added up in the end, so taking them from the first one is as good).
                if let (Some(marks), true) = (column.missing_bitmap(), missing != 0) {
                    chunk.for_each_marked(marks, |j, _| {
                        take(&mut slots[0], incs[j]);
                        put(&mut slots[missing], incs[j]);
                    });
                }
            }
            Source::Codes(codes) => {
                if chunk.every() {
                    layout.add(slots, chunk.rows(codes), incs, cold);
                } else {
                    layout.add(slots, chunk.load_u32(codes, buffer), incs, cold);
                }
            }
            Source::Pair(_) => {}
            Source::Absent => put(&mut slots[0], total),
        }
    }

    /// Each slot's sums over its copies.
    fn merged(mut self) -> (Field, Source<'a>, Vec<Slot>) {
        let size = self.size;
        for c in 1..self.copies {
            let (first, copy) = self.slots.split_at_mut(c * size);
            for (s, &t) in first[..size].iter_mut().zip(&copy[..size]) {
                put(s, t);
            }
        }
        self.slots.truncate(size);
        (self.field, self.source, self.slots)
    }

    /// The groups, keyed by value, or still by code where keys are easy to make later (see
    /// [`Coded`]).
    fn groups(
        self,
        table: &FlowTable,
        index: &TableIndex,
        selection: &Selection,
        lanes: Lanes,
    ) -> Groups {
        let coded = self.copies == 1;
        let (field, source, slots) = self.merged();
        let by = GroupBy::Field(FieldRef::Known(field));
        let kind = field.kind();
        match source {
            Source::Codes(_) | Source::Pair(_) => {
                let keys = CodeKeys::Addrs(index.addr_values().clone());
                return Groups::coded(by, Coded::new(slots, lanes, keys));
            }
            Source::Int(column, missing)
                if coded && table.text(field).is_none() && !matches!(kind, FieldKind::Enum(_)) =>
            {
                let keys = CodeKeys::Ints { missing };
                // Far fewer rows than slots (a small file's ports): the codes used are
                // found from the rows rather than by walking every slot.
                let coded = if selection.count().saturating_mul(FEW_ROWS_PER_SLOT) < slots.len() {
                    let candidates = codes_of_rows(column, missing, selection, slots.len());
                    Coded::with_used(slots, lanes, keys, candidates)
                } else {
                    Coded::new(slots, lanes, keys)
                };
                return Groups::coded(by, coded);
            }
            _ => {}
        }
        let mut groups = Groups::new(by);
        // Keys are made for used slots only.
        let used = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| lanes.records(**s) > 0)
            .map(|(i, s)| (i, lanes.totals(*s)));
        match (source, table.text(field)) {
            (Source::Int(..), Some(text)) => {
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
            (Source::Int(_, missing), None) => {
                groups.absorb(used.map(|(i, t)| {
                    let key = match kind {
                        _ if i == missing => Key::Null,
                        FieldKind::Enum(words) => Key::Text(words[i].into()),
                        _ => Key::Int(i as u64),
                    };
                    (key, t)
                }));
            }
            _ => groups.absorb(used.map(|(_, t)| (Key::Null, t))),
        }
        groups
    }
}

/// A grouping whose rows are fewer than its slots over this finds the codes its rows used
/// from the rows (see [`codes_of_rows`]): walking the rows then costs less than walking
/// the slots.
const FEW_ROWS_PER_SLOT: usize = 8;

/// The codes the `selection`'s rows of `column` add to, in order and without repeats, as
/// [`Dense::add`] adds them: a missing value to `missing`, and, since missing rows hold 0,
/// code 0 as well. The codes are below `size`.
fn codes_of_rows(
    column: &IntColumn,
    missing: usize,
    selection: &Selection,
    size: usize,
) -> Vec<u32> {
    let mut seen = vec![0u64; size.div_ceil(64)];
    let mut mark = |code: usize| seen[code / 64] |= 1 << (code % 64);
    mark(0);
    mark(missing);
    match column.words() {
        IntWords::Same { value, .. } => mark(value as usize),
        IntWords::U8(w) => selection.for_each(|row| mark(usize::from(w[row]))),
        IntWords::U16(w) => selection.for_each(|row| mark(usize::from(w[row]))),
        IntWords::U32(w) => selection.for_each(|row| mark(w[row] as usize)),
        IntWords::U64(w) => selection.for_each(|row| mark(w[row] as usize)),
    }
    let mut codes = Vec::new();
    for (at, &word) in seen.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            codes.push((at * 64) as u32 + bits.trailing_zeros());
            bits &= bits - 1;
        }
    }
    codes
}

/// Slots for every value of a field with a small range, as [`Groups`] uses.
fn small_size(kind: FieldKind) -> Option<usize> {
    match kind {
        FieldKind::Int { max } if max <= u64::from(u16::MAX) => Some(max as usize + 1),
        FieldKind::Enum(words) => Some(words.len()),
        _ => None,
    }
}

/// How a grouping's slots are laid out.
#[derive(Clone, Copy)]
struct Layout {
    /// Slots per copy.
    size: usize,
    /// Copies of the slots: one, or four (see [`SMALL`]).
    copies: usize,
    /// Keys from which rows are put aside (see [`add_split`]).
    hot: Option<usize>,
}

impl Layout {
    /// Adds each row's increment to the slot its key names.
    #[inline(always)]
    fn add<K: Copy + Into<u64>>(
        self,
        slots: &mut [Slot],
        keys: &[K],
        incs: &[Slot],
        cold: &mut [u16; ROWS],
    ) {
        match self.hot {
            Some(hot) => add_split(slots, hot, keys, incs, cold),
            None if self.copies == 4 => add4(slots, self.size, keys, incs),
            None => add(slots, keys, incs),
        }
    }
}

/// Adds each row's increment to the slot its key names.
#[inline(always)]
fn add<K: Copy + Into<u64>>(slots: &mut [Slot], keys: &[K], incs: &[Slot]) {
    for (&key, &inc) in keys.iter().zip(incs) {
        put(&mut slots[key.into() as usize], inc);
    }
}

/// Address codes below this are the addresses most rows carry, whose slots stay in the
/// cache.
const HOT_CODES: usize = 16384;

/// As [`add`], for address codes: slots of rare addresses are mostly not in the cache,
/// and a loop that meets one among thirty others waits for it before going on. So rows
/// with a code of `hot` or more are put aside and added in a second loop that holds
/// nothing else, where the misses overlap.
#[inline(always)]
fn add_split<K: Copy + Into<u64>>(
    slots: &mut [Slot],
    hot: usize,
    keys: &[K],
    incs: &[Slot],
    cold: &mut [u16; ROWS],
) {
    let len = slots.len();
    let hot_slots = &mut slots[..hot.min(len)];
    let mut n = 0;
    for (j, (&key, &inc)) in keys.iter().zip(incs).enumerate() {
        // The bounds check of the hot slots is the test for a rare key.
        match hot_slots.get_mut(key.into() as usize) {
            Some(slot) => put(slot, inc),
            None => {
                cold[n % ROWS] = j as u16;
                n += 1;
            }
        }
    }
    for &j in &cold[..n] {
        let j = usize::from(j);
        put(&mut slots[keys[j].into() as usize], incs[j]);
    }
}

/// As [`add`], into four copies of `size` slots, row `i` into copy `i % 4`.
#[inline(always)]
fn add4<K: Copy + Into<u64>>(slots: &mut [Slot], size: usize, keys: &[K], incs: &[Slot]) {
    let (s0, rest) = slots.split_at_mut(size);
    let (s1, rest) = rest.split_at_mut(size);
    let (s2, s3) = rest.split_at_mut(size);
    for (k, i) in keys.chunks_exact(4).zip(incs.chunks_exact(4)) {
        put(&mut s0[k[0].into() as usize], i[0]);
        put(&mut s1[k[1].into() as usize], i[1]);
        put(&mut s2[k[2].into() as usize], i[2]);
        put(&mut s3[k[3].into() as usize], i[3]);
    }
    let done = keys.len() / 4 * 4;
    add(s0, &keys[done..], &incs[done..]);
}

/// The sum of the increments of rows whose action code is 1 (`REJECT`), and in 12-bit
/// lanes of one word, how many kept rows have each log-status code: adding to a lane has
/// no store to wait for, and a chunk's 1,024 rows cannot fill one.
#[inline(always)]
fn rejects_statuses<A: Copy + Into<u64>, S: Copy + Into<u64>>(
    actions: &[A],
    statuses: &[S],
    incs: &[Slot],
    lanes: Lanes,
) -> (Slot, u64) {
    let (mut bytes, mut rest, mut counts) = (0u64, 0u64, 0u64);
    for ((&a, &s), &inc) in actions.iter().zip(statuses).zip(incs) {
        let reject = 0u64.wrapping_sub(u64::from(a.into() == 1));
        bytes = bytes.wrapping_add(inc[0] & reject);
        rest = rest.wrapping_add(inc[1] & reject);
        counts += lanes.kept(inc) << (12 * s.into());
    }
    ([bytes, rest], counts)
}

/// Histogram slots per minute: `ACCEPT`, `REJECT`, no action.
const PER_MINUTE: usize = 3;

/// The buffers a chunk is read into.
struct Buffers {
    /// Each row's increment.
    incs: [Slot; ROWS],
    /// Keys of a grouping, codes of `log-status`, `end`.
    keys: [u64; ROWS],
    starts: [u64; ROWS],
    actions: [u64; ROWS],
    /// Positions of rows put aside by [`add_split`].
    cold: [u16; ROWS],
}

/// Everything the pass counts.
struct Pass<'a> {
    index: &'a TableIndex,
    lanes: Lanes,
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
    histogram: Vec<Slot>,
    /// Records by log-status code.
    by_status: [u64; 4],
    records: u64,
    total: Slot,
    first_start: u64,
    last_end: Option<u64>,
    groups: Vec<Dense<'a>>,
    /// The table's pairs of addresses and a slot per pair, when it has both addresses.
    pairs: Option<(&'a Arc<AddrPairs>, Vec<Slot>)>,
}

impl<'a> Pass<'a> {
    fn new(table: &'a FlowTable, index: &'a TableIndex, lanes: Lanes) -> Pass<'a> {
        // A missing `start` is read as u64::MAX, so the array must not reach its minute
        // (no time of a decoded table comes near it). Too wide a range of times for the
        // rows is counted the slower way, in a map (see `dense_buckets`).
        let (first_minute, minutes) = match index.start_range() {
            Some((lo, hi))
                if dense_buckets(hi / BASE_WIDTH - lo / BASE_WIDTH + 1, table.len())
                    && hi / BASE_WIDTH < u64::MAX / BASE_WIDTH =>
            {
                (
                    lo / BASE_WIDTH,
                    (hi / BASE_WIDTH - lo / BASE_WIDTH + 1) as usize,
                )
            }
            _ => (0, 0),
        };
        Pass {
            index,
            lanes,
            bytes: table.int(Field::Bytes),
            packets: table.int(Field::Packets),
            start: table.int(Field::Start),
            end: table.int(Field::End),
            action: table.int(Field::Action),
            status: table.int(Field::LogStatus),
            first_minute,
            minutes,
            histogram: vec![[0; 2]; (minutes + 1) * PER_MINUTE],
            by_status: [0; 4],
            records: 0,
            total: [0; 2],
            first_start: u64::MAX,
            last_end: None,
            groups: OVERVIEW_GROUPS
                .iter()
                .map(|f| Dense::new(table, index, *f))
                .collect(),
            pairs: table
                .pairs()
                .map(|pairs| (pairs, vec![[0; 2]; pairs.pairs().len()])),
        }
    }

    fn run(mut self, selection: &Selection) -> Pass<'a> {
        let mut buffers = Box::new(Buffers {
            incs: [[0; 2]; ROWS],
            keys: [0; ROWS],
            starts: [0; ROWS],
            actions: [0; ROWS],
            cold: [0; ROWS],
        });
        for_each_chunk(selection, |chunk| self.chunk(chunk, &mut buffers));
        self.last_end = self.last_end(selection, &mut buffers.keys);
        self
    }

    /// Reads one word of every cache line of the chunk in each column the pass reads for
    /// every chunk. Each of the loops that follow reads one or two columns, and would
    /// wait at the start of each for its first lines to come from memory, a few at a
    /// time; here all the misses of a chunk are in flight together.
    #[inline(never)]
    fn warm(&self, chunk: &Chunk) {
        let mut x = 0;
        for column in [self.bytes, self.packets, self.action, self.status] {
            x ^= column.map_or(0, |c| chunk.warm_column(c));
        }
        for group in &self.groups {
            x ^= match group.source {
                Source::Int(column, _) => chunk.warm_column(column),
                Source::Codes(codes) => chunk.warm(codes),
                Source::Pair(_) | Source::Absent => 0,
            };
        }
        if let Some((pairs, _)) = &self.pairs {
            x ^= chunk.warm(pairs.codes());
        }
        std::hint::black_box(x);
    }

    /// Counts one chunk. Out of line and called once per chunk, so that a WebAssembly
    /// engine that starts every function in quick code, and swaps in optimised code for
    /// the next call of a function that ran long, uses optimised code after a few chunks of
    /// the first pass rather than from the second pass on; and both ways of reading a chunk
    /// (whole, or gathered) are then optimised by a pass that used only one of them.
    #[inline(never)]
    fn chunk(&mut self, chunk: &Chunk, buffers: &mut Buffers) {
        self.warm(chunk);
        let Buffers {
            incs,
            keys,
            starts,
            actions,
            cold,
        } = buffers;
        let width = chunk.width();
        let lanes = self.lanes;
        self.records += chunk.selected() as u64;

        // Each row's increment. A missing count is stored as 0, which is what it adds.
        let incs = &mut incs[..width];
        match self.bytes {
            Some(bytes) => chunk.load_into(bytes, incs, |inc, b| inc[0] = b),
            None => incs.iter_mut().for_each(|inc| inc[0] = 0),
        }
        let record = lanes.record();
        match self.packets {
            Some(packets) => chunk.load_into(packets, incs, |inc, p| inc[1] = record | p),
            None => incs.iter_mut().for_each(|inc| inc[1] = record),
        }
        chunk.for_each_unselected(|j| incs[j] = [0; 2]);
        let incs = &*incs;
        let total = incs.iter().fold([0; 2], |t, &inc| plus(t, inc));
        put(&mut self.total, total);

        // Sources and destinations that are sides of pairs add nothing here (see
        // `finish`).
        for group in &mut self.groups {
            group.add(chunk, keys, cold, incs, total);
        }
        if let Some((pairs, slots)) = &mut self.pairs {
            if chunk.every() {
                add(slots, chunk.rows(pairs.codes()), incs);
            } else {
                add(slots, chunk.load_u32(pairs.codes(), keys), incs);
            }
        }

        let reject = self.rejects_and_statuses(chunk, incs, keys, actions);
        let times = self.index.chunk_times(chunk.index());
        match self.chunk_minute(times.starts) {
            Some(minute) => self.one_minute(chunk, minute, incs, total, reject),
            None => {
                let (starts, actions) = self.starts_and_actions(chunk, starts, actions);
                self.histogram(starts, actions, incs);
            }
        }

        // Only a chunk that starts before the earliest start so far can change it.
        if let (Some(start), Some((first, _))) = (self.start, times.starts) {
            if first < self.first_start {
                let starts = chunk.load(start, starts);
                chunk.mark(start.missing_bitmap(), starts, u64::MAX);
                // Missing starts read as u64::MAX, and so are rows not kept: neither
                // lowers the minimum.
                let first = starts.iter().zip(incs).fold(u64::MAX, |first, (&s, &inc)| {
                    first.min(s | (lanes.kept(inc).wrapping_sub(1)))
                });
                self.first_start = self.first_start.min(first);
            }
        }
    }

    /// The sum of the increments of rows whose action is `REJECT`, and the counts by
    /// log-status, in one loop over both columns.
    #[inline]
    fn rejects_and_statuses(
        &mut self,
        chunk: &Chunk,
        incs: &[Slot],
        keys: &mut [u64; ROWS],
        actions: &mut [u64; ROWS],
    ) -> Slot {
        let lanes = self.lanes;
        let width = chunk.width();
        let (reject, counts) = match (self.action.map(IntColumn::words), self.status) {
            (Some(IntWords::U8(a)), Some(s)) if chunk.every() => match s.words() {
                IntWords::U8(s) => rejects_statuses(chunk.rows(a), chunk.rows(s), incs, lanes),
                _ => rejects_statuses(chunk.rows(a), chunk.load(s, keys), incs, lanes),
            },
            _ => {
                // An absent column reads as 0: no row is a `REJECT`, and the counts of an
                // absent log-status are not used.
                let codes: &[u64] = match self.action {
                    Some(action) => chunk.load(action, actions),
                    None => {
                        actions[..width].fill(0);
                        &actions[..width]
                    }
                };
                let statuses: &[u64] = match self.status {
                    Some(status) => chunk.load(status, keys),
                    None => {
                        keys[..width].fill(0);
                        &keys[..width]
                    }
                };
                rejects_statuses(codes, statuses, incs, lanes)
            }
        };
        if let Some(status) = self.status {
            for (k, total) in self.by_status.iter_mut().enumerate() {
                *total += counts >> (12 * k) & 0xfff;
            }
            // A missing log-status reads as 0, and was counted as the first word.
            if let Some(marks) = status.missing_bitmap() {
                self.by_status[0] -= chunk.selected_marked(marks) as u64;
            }
        }
        reject
    }

    /// The histogram's minute for every row of a chunk whose starts span `starts`, when
    /// one minute holds them all (the last "minute", for rows without a time, when no row
    /// has one or the histogram has no array).
    #[inline]
    fn chunk_minute(&self, starts: Option<(u64, u64)>) -> Option<usize> {
        let no_time = self.minutes;
        match starts {
            _ if self.minutes == 0 => Some(no_time),
            None => Some(no_time),
            Some((first, last)) if first / BASE_WIDTH == last / BASE_WIDTH => {
                Some((first / BASE_WIDTH - self.first_minute) as usize)
            }
            Some(_) => None,
        }
    }

    /// Adds a chunk whose rows with a time all start in `minute` to the histogram: the
    /// `REJECT` rows and the rest, then moves the few rows without an action or a time to
    /// where they belong.
    #[inline]
    fn one_minute(
        &mut self,
        chunk: &Chunk,
        minute: usize,
        incs: &[Slot],
        total: Slot,
        reject: Slot,
    ) {
        let no_time = self.minutes;
        let at = |minute: usize, action: usize| minute * PER_MINUTE + action;
        let histogram = &mut self.histogram;
        let mut rest = total;
        take(&mut rest, reject);
        if self.action.is_none() {
            put(&mut histogram[at(minute, 2)], rest);
        } else {
            put(&mut histogram[at(minute, 0)], rest);
            put(&mut histogram[at(minute, 1)], reject);
        }
        // A missing action reads as 0, `ACCEPT`.
        let action = self.action;
        let missing_action = action.and_then(IntColumn::missing_bitmap);
        if let Some(marks) = missing_action {
            chunk.for_each_marked(marks, |j, _| {
                take(&mut histogram[at(minute, 0)], incs[j]);
                put(&mut histogram[at(minute, 2)], incs[j]);
            });
        }
        let missing_start = self.start.and_then(IntColumn::missing_bitmap);
        if let (Some(marks), true) = (missing_start, minute != no_time) {
            let base = chunk.base();
            chunk.for_each_marked(marks, |j, offset| {
                let row = base + offset;
                let slot = match action.map(|a| a.get(row)) {
                    Some(Some(1)) => 1,
                    Some(Some(_)) => 0,
                    _ => 2,
                };
                take(&mut histogram[at(minute, slot)], incs[j]);
                put(&mut histogram[at(no_time, slot)], incs[j]);
            });
        }
    }

    /// The starts and action codes of a chunk's rows, a missing start read as u64::MAX and
    /// a missing or absent action as 2.
    fn starts_and_actions<'b>(
        &self,
        chunk: &Chunk,
        starts: &'b mut [u64; ROWS],
        actions: &'b mut [u64; ROWS],
    ) -> (&'b [u64], &'b [u64]) {
        let width = chunk.width();
        let actions: &[u64] = match self.action {
            Some(action) => {
                let codes = chunk.load(action, actions);
                chunk.mark(action.missing_bitmap(), codes, 2);
                codes
            }
            None => {
                actions[..width].fill(2);
                &actions[..width]
            }
        };
        let starts: &[u64] = match self.start {
            Some(start) => {
                let starts = chunk.load(start, starts);
                chunk.mark(start.missing_bitmap(), starts, u64::MAX);
                starts
            }
            None => {
                starts[..width].fill(u64::MAX);
                &starts[..width]
            }
        };
        (starts, actions)
    }

    /// Adds rows to the histogram. Records come in time order, so a chunk holds long runs
    /// of one minute: each run is added up per action in registers and stored once.
    #[inline(never)]
    fn histogram(&mut self, starts: &[u64], actions: &[u64], incs: &[Slot]) {
        let mut i = 0;
        while i < starts.len() {
            let start = starts[i];
            let from = start - start % BASE_WIDTH;
            let run = starts[i..]
                .iter()
                .take_while(|&&s| s.wrapping_sub(from) < BASE_WIDTH)
                .count();
            let end = i + run;
            let (mut all, mut reject, mut none) = ([0u64; 2], [0u64; 2], [0u64; 2]);
            for (&a, &inc) in actions[i..end].iter().zip(&incs[i..end]) {
                let r = 0u64.wrapping_sub(u64::from(a == 1));
                let n = 0u64.wrapping_sub(u64::from(a == 2));
                all = plus(all, inc);
                reject = plus(reject, [inc[0] & r, inc[1] & r]);
                none = plus(none, [inc[0] & n, inc[1] & n]);
            }
            let mut accept = all;
            take(&mut accept, reject);
            take(&mut accept, none);
            // Rows without a time (u64::MAX) fall outside the array, in the last "minute".
            let minute = (start / BASE_WIDTH).wrapping_sub(self.first_minute);
            let minute = if minute < self.minutes as u64 {
                minute as usize
            } else {
                self.minutes
            };
            let slots = &mut self.histogram[minute * PER_MINUTE..][..PER_MINUTE];
            put(&mut slots[0], accept);
            put(&mut slots[1], reject);
            put(&mut slots[2], none);
            i = end;
        }
    }

    /// The latest `end` of the selected rows. Chunks are visited from the last one back,
    /// and only while the index says that a chunk so far back could hold a later end than
    /// the latest found: with records in time order, that is a chunk or two.
    fn last_end(&self, selection: &Selection, buffer: &mut [u64; ROWS]) -> Option<u64> {
        let end = self.end?;
        let mut last: Option<u64> = None;
        for c in (0..selection.table_rows().div_ceil(ROWS)).rev() {
            let (before, here) = (
                self.index.last_end_by(c),
                self.index.chunk_times(c).last_end,
            );
            let (Some(before), Some(here)) = (before, here) else {
                if before.is_none() {
                    break;
                }
                continue;
            };
            if last.is_some_and(|last| before <= last) {
                break;
            }
            if last.is_some_and(|last| here <= last) {
                continue;
            }
            let Some(chunk) = chunk_at(selection, c) else {
                continue;
            };
            let present = end
                .missing_bitmap()
                .map_or(chunk.selected(), |m| chunk.selected_unmarked(m));
            if present > 0 {
                // Missing ends read as 0, and rows not kept are made 0: neither raises the
                // maximum.
                let ends = chunk.load(end, buffer);
                chunk.for_each_unselected(|j| ends[j] = 0);
                last = last.max(ends.iter().copied().max());
            }
        }
        last
    }

    fn finish(mut self, table: &FlowTable, index: &TableIndex, selection: &Selection) -> Overview {
        let lanes = self.lanes;
        // Sources and destinations kept as the sides of pairs are the pairs' sums, each
        // added to its address.
        if let Some((pairs, slots)) = &self.pairs {
            for group in &mut self.groups {
                if let Source::Pair(side) = group.source {
                    for (pair, &slot) in pairs.pairs().iter().zip(slots) {
                        if slot != [0; 2] {
                            put(&mut group.slots[pair[side] as usize], slot);
                        }
                    }
                }
            }
        }
        let mut by_action = [0u64; 3];
        for slots in self.histogram.chunks(PER_MINUTE) {
            for (n, &slot) in by_action.iter_mut().zip(slots) {
                *n += lanes.records(slot);
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
        let total = lanes.totals(self.total);
        let mut summary = Summary {
            records: self.records,
            bytes: total.bytes,
            packets: total.packets,
            first_start: (self.first_start != u64::MAX).then_some(self.first_start),
            last_end: self.last_end,
            by_action: words(ACTIONS, &by_action),
            by_log_status: words(LOG_STATUSES, &self.by_status),
            ..Summary::default()
        };
        // The distinct addresses are the codes either address grouping used: a bitmap of
        // the codes, listed in the order of their values only if the set is merged.
        let codes = index.addr_values().len();
        let mut used = vec![0u64; codes.div_ceil(64)];
        for group in &self.groups {
            if let Source::Codes(_) | Source::Pair(_) = group.source {
                for (word, slots) in used.iter_mut().zip(group.slots[..codes].chunks(64)) {
                    *word |= slots.iter().enumerate().fold(0u64, |bits, (i, s)| {
                        bits | u64::from(lanes.records(*s) > 0) << i
                    });
                }
            }
        }
        summary.addresses = AddrSet::of_codes(used, index.value_order().clone());

        let groups: Vec<Groups> = (self.groups.into_iter())
            .map(|g| g.groups(table, index, selection, lanes))
            .collect();
        let pairs = match self.pairs {
            Some((pairs, slots)) => {
                let keys = CodeKeys::Pairs {
                    addrs: index.addr_values().clone(),
                    pairs: pairs.clone(),
                };
                Groups::coded(GroupBy::Pair, Coded::new(slots, lanes, keys))
            }
            None => Groups::of(table, selection, &GroupBy::Pair),
        };
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

        let histogram = if self.minutes > 0 || self.start.is_none() {
            let mut histogram = Histogram::new(BASE_WIDTH);
            let bucket = |slots: &[Slot]| Bucket {
                accept: lanes.totals(slots[0]),
                reject: lanes.totals(slots[1]),
                none: lanes.totals(slots[2]),
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
            pairs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totals::Measure;
    use flowlog::{decode_all, DecodeOptions};

    /// Records in time order (long runs of one minute, as real logs have), with missing
    /// values here and there; `huge` makes some byte counts large enough that sums saturate,
    /// and `wide` draws sources and ports from tens of thousands of values, half the rows
    /// from a few of them, so that rare keys are put aside (see `add_split`).
    fn table(rows: u64, huge: bool, wide: bool) -> FlowTable {
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
            let (source, port) = if wide && next(2) == 0 {
                let source = format!("10.{}.{}.{}", next(4), next(100), next(200));
                (source, next(65536))
            } else {
                (format!("10.0.{}.{}", next(3), next(200)), next(1000))
            };
            let bytes = if huge && next(5) == 0 {
                u64::MAX / 3
            } else {
                next(5000)
            };
            text += &format!(
                "2 {} {} {} {} {} {} {} {} {} {} {}\n",
                field(format!("eni-{}", next(5)), next(40)),
                field(source, next(40)),
                field(format!("2001:db8::{:x}", next(90)), next(40)),
                field(port.to_string(), next(40)),
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

    /// Checks the overview of `table` against its parts for a few filters.
    fn check(table: &FlowTable, index: &TableIndex) {
        let filters = [
            "",
            "log-status = OK",
            "action = REJECT",
            "not dstport < 10",
            "srcaddr in 10.0.0.0/16",
        ];
        for filter in filters {
            let selection = Filter::parse(filter).unwrap().select(table);
            let overview = Overview::of_selection(table, index, &selection);
            assert_eq!(overview.summary, Summary::of_selection(table, &selection));
            assert_eq!(
                overview.histogram,
                Histogram::of(table, &selection, BASE_WIDTH)
            );
            for (groups, field) in overview.groups.iter().zip(OVERVIEW_GROUPS) {
                let by = GroupBy::Field(FieldRef::Known(field));
                let expected = Groups::of(table, &selection, &by);
                for measure in [Measure::Records, Measure::Bytes, Measure::Packets] {
                    assert_eq!(groups.top(10, measure), expected.top(10, measure));
                }
                assert_eq!(groups, &expected, "{field:?}");
            }
            let expected = Groups::of(table, &selection, &GroupBy::Pair);
            for measure in [Measure::Records, Measure::Bytes, Measure::Packets] {
                assert_eq!(overview.pairs.top(10, measure), expected.top(10, measure));
            }
            assert_eq!(overview.pairs, expected, "pairs of {filter:?}");
        }
    }

    #[test]
    fn equals_its_parts_with_runs_and_saturation() {
        for huge in [false, true] {
            let table = table(5000, huge, false);
            assert_eq!(table.len(), 5000);
            let index = TableIndex::build(&table);
            assert_eq!(index.lanes().is_some(), !huge);
            check(&table, &index);
        }
    }

    #[test]
    fn equals_its_parts_with_rare_keys() {
        let table = table(50_000, false, true);
        let index = TableIndex::build(&table);
        assert!(index.addresses() > HOT_CODES + 5000);
        check(&table, &index);
    }
}
