//! Totals by group, and top-N lists with the remainder as "other".
//!
//! [`Groups`] keeps every group, keyed by value, so that groups from several files merge
//! exactly; [`Top`] is a view taken once all parts are merged. Within one table the work is
//! done on the cheapest key there is: a slot per value for ports, protocols, closed-list
//! words and address classes, a slot per dictionary entry for text, a hash on the 32-bit word
//! for IPv4 addresses. Keys become values only at the end, once per group.

use crate::class::AddrClass;
use crate::key::{GroupBy, Key};
use crate::packed::{plus, take, Lanes, Slot};
use crate::selection::Selection;
use crate::totals::{Counts, Measure, Totals};
use flowlog::column::{AddrColumn, AddrPairs, Addresses, IntColumn, TextColumn};
use flowlog::{Column, Field, FieldKind, FieldRef, FlowTable};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::Serialize;
use std::cmp::Ordering;
use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};

mod by_value;
use by_value::ByValue;

/// Totals for every group of one group-by. Mergeable.
///
/// The groups are a list with one entry per key, not a map: a grouping of a single table
/// produces each key once (from its slot), so building the list is a push per group, where
/// a map would cost a hash and a likely cache miss per group, which for a hundred thousand
/// addresses was a large share of the whole overview. Merging keeps an index of the list
/// by key (see `index`).
///
/// The overview's large groupings (addresses, ports) go one step further and hand over
/// their slots as they are, still by code (`Coded`): a top list then makes keys for
/// its ten rows only, instead of for a quarter of a million groups. The list of keyed
/// groups is made the first time something needs all of them.
#[derive(Clone, Debug)]
pub struct Groups {
    by: GroupBy,
    groups: Vec<(Key, Totals)>,
    /// The groups, when they are still by code; `groups` is then empty.
    coded: Option<Box<Coded>>,
    /// The groups, when parts were merged by value (see [`Groups::merge`]); `groups` is
    /// then empty and `coded` none.
    merged: Option<Box<ByValue>>,
    /// The position of each of `groups` by its key's hash, made by the first merge and kept
    /// for the next: parts are merged one after another (a file's at a time), and an index
    /// made again for every part cost the work of all the groups merged so far, so that
    /// merging twenty files' groups took seconds. Anything else that changes `groups`
    /// clears it; it then indexes nothing and is made again by the next merge.
    index: HashTable<usize>,
}

impl PartialEq for Groups {
    /// The same group-by and the same totals for the same keys, in any order.
    fn eq(&self, other: &Groups) -> bool {
        let (mine, theirs) = (self.keyed(), other.keyed());
        if self.by != other.by || mine.len() != theirs.len() {
            return false;
        }
        let theirs: FxHashMap<&Key, &Totals> = theirs.iter().map(|(k, t)| (k, t)).collect();
        mine.iter()
            .all(|(key, totals)| theirs.get(key) == Some(&totals))
    }
}

/// Groups of one table as a grouping counted them: the packed totals of code `i` in slot
/// `i` (see `packed`), and what each code stands for. A code whose slot counts no record
/// is not a group.
#[derive(Clone, Debug)]
pub(crate) struct Coded {
    slots: Vec<Slot>,
    /// The codes whose slots count a record, in order, when they were found without
    /// walking every slot (see [`Coded::with_used`]); `None` when every slot must be
    /// looked at.
    used: Option<Vec<u32>>,
    lanes: Lanes,
    keys: CodeKeys,
    /// How many slots count a record.
    len: usize,
    /// Every group keyed, made when first needed.
    keyed: OnceLock<Vec<(Key, Totals)>>,
}

/// What the codes of [`Coded`] groups stand for.
#[derive(Clone, Debug)]
pub(crate) enum CodeKeys {
    /// Addresses: the [`TableIndex`](crate::TableIndex)'s dictionary.
    Addrs(Arc<Addresses>),
    /// Numbers: a code is its value, except `missing`, which stands for a missing value.
    Ints {
        /// The code of the missing value.
        missing: usize,
    },
    /// Pairs of addresses: code `i` is the pair of the index's address codes `pairs[i]`,
    /// which stand for entries of `addrs`.
    Pairs {
        /// The [`TableIndex`](crate::TableIndex)'s dictionary.
        addrs: Arc<Addresses>,
        /// The table's pairs: the source's and the destination's code of each pair.
        pairs: Arc<AddrPairs>,
    },
}

/// Top lists up to this long are taken from [`Coded`] groups directly; longer ones key
/// every group first.
const DIRECT_TOP: usize = 64;

impl Coded {
    /// Groups from `slots` (packed by `lanes`), whose codes stand for `keys`.
    pub(crate) fn new(slots: Vec<Slot>, lanes: Lanes, keys: CodeKeys) -> Coded {
        let len = slots.iter().filter(|s| lanes.records(**s) > 0).count();
        Coded {
            slots,
            used: None,
            lanes,
            keys,
            len,
            keyed: OnceLock::new(),
        }
    }

    /// As [`Coded::new`], where the codes that may count a record are known to be among
    /// `candidates` (in order, without repeats): the groups of a small file's ports, say,
    /// a few hundred codes among 65,537 slots, which a folder of hundreds of files would
    /// otherwise walk whole for every one of them, every time it is merged or listed.
    pub(crate) fn with_used(
        slots: Vec<Slot>,
        lanes: Lanes,
        keys: CodeKeys,
        mut candidates: Vec<u32>,
    ) -> Coded {
        candidates.retain(|&code| lanes.records(slots[code as usize]) > 0);
        Coded {
            len: candidates.len(),
            slots,
            used: Some(candidates),
            lanes,
            keys,
            keyed: OnceLock::new(),
        }
    }

    fn key(&self, code: usize) -> Key {
        match &self.keys {
            CodeKeys::Addrs(values) => Key::addr(values.get(code)),
            CodeKeys::Ints { missing } if code == *missing => Key::Null,
            CodeKeys::Ints { .. } => Key::Int(code as u64),
            CodeKeys::Pairs { addrs, pairs } => {
                let [src, dst] = pairs.pairs()[code];
                Key::Pair(Box::new((
                    Key::addr(addrs.get(src as usize)),
                    Key::addr(addrs.get(dst as usize)),
                )))
            }
        }
    }

    /// The codes that count a record, with their slots.
    fn used(&self) -> impl Iterator<Item = (usize, Slot)> + '_ {
        let lanes = self.lanes;
        let listed =
            (self.used.iter().flatten()).map(|&code| (code as usize, self.slots[code as usize]));
        let walked = (self.used.is_none().then_some(&self.slots).into_iter())
            .flat_map(|slots| slots.iter().enumerate())
            .filter(move |(_, s)| lanes.records(**s) > 0)
            .map(|(code, s)| (code, *s));
        listed.chain(walked)
    }

    /// Every group, keyed.
    fn keyed(&self) -> &[(Key, Totals)] {
        self.keyed.get_or_init(|| {
            let mut groups = Vec::with_capacity(self.len);
            groups.extend(
                self.used()
                    .map(|(code, slot)| (self.key(code), self.lanes.totals(slot))),
            );
            groups
        })
    }

    /// As [`Groups::top`], in one walk along the slots that keeps the `n` largest so far:
    /// most slots are smaller than the n-th and cost one comparison, and keys are made
    /// only to break ties and for the rows returned.
    fn top(&self, by: &GroupBy, n: usize, measure: Measure) -> Top {
        let lanes = self.lanes;
        let mut all = [0u64; 2];
        let used = self.used().inspect(|(_, slot)| all = plus(all, *slot));
        let best = largest(
            used,
            n,
            |(_, slot)| lanes.get(*slot, measure),
            |(code, _)| self.key(*code),
        );
        let mut other = all;
        for (_, _, (code, _)) in &best {
            take(&mut other, self.slots[*code]);
        }
        Top {
            by: by.name(),
            measure,
            rows: best
                .into_iter()
                .map(|(_, key, (code, _))| {
                    let t = lanes.totals(self.slots[code]);
                    TopRow {
                        key,
                        records: t.records,
                        bytes: t.bytes,
                        packets: t.packets,
                    }
                })
                .collect(),
            other: lanes.totals(other),
            groups: self.len,
        }
    }
}

impl Eq for Groups {}

/// The `n` largest of `entries` by `value`, each with its key, in the order of a top list:
/// larger values first, ties by key. One walk that keeps the `n` largest so far: most
/// entries are smaller than the n-th and cost one comparison, and keys are made only for
/// entries that may be kept.
fn largest<E>(
    entries: impl Iterator<Item = E>,
    n: usize,
    value: impl Fn(&E) -> u64,
    key: impl Fn(&E) -> Key,
) -> Vec<(u64, Key, E)> {
    let mut best: Vec<(u64, Key, E)> = Vec::with_capacity(n + 1);
    for entry in entries {
        let v = value(&entry);
        if n == 0 || (best.len() == n && v < best[n - 1].0) {
            continue;
        }
        let k = key(&entry);
        let at = best.partition_point(|b| b.0 > v || (b.0 == v && b.1 < k));
        if at < n {
            best.insert(at, (v, k, entry));
            best.truncate(n);
        }
    }
    best
}

/// One row of a top list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopRow {
    /// The group's value, printed as `flowlens records` prints the field.
    pub key: Key,
    /// Records of the group.
    pub records: u64,
    /// Sum of `bytes` in the group.
    pub bytes: u64,
    /// Sum of `packets` in the group.
    pub packets: u64,
}

/// The largest groups by one measure, and everything else added up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Top {
    /// What was grouped by.
    pub by: String,
    /// What the rows are ordered by.
    pub measure: Measure,
    /// The rows, largest first; ties by key ascending (numbers numerically, text by code
    /// point, `null` last).
    pub rows: Vec<TopRow>,
    /// Totals of the groups not listed.
    pub other: Totals,
    /// How many groups there are in all.
    pub groups: usize,
}

impl Groups {
    /// No groups yet.
    pub fn new(by: GroupBy) -> Groups {
        Groups {
            by,
            groups: Vec::new(),
            coded: None,
            merged: None,
            index: HashTable::new(),
        }
    }

    /// Groups still by code.
    pub(crate) fn coded(by: GroupBy, coded: Coded) -> Groups {
        Groups {
            by,
            groups: Vec::new(),
            coded: Some(Box::new(coded)),
            merged: None,
            index: HashTable::new(),
        }
    }

    /// Every group, keyed.
    fn keyed(&self) -> &[(Key, Totals)] {
        match (&self.coded, &self.merged) {
            (Some(coded), _) => coded.keyed(),
            (None, Some(merged)) => merged.keyed(),
            (None, None) => &self.groups,
        }
    }

    /// Makes the list of keyed groups the groups' only form, for changing it.
    fn make_keyed(&mut self) {
        if let Some(coded) = self.coded.take() {
            coded.keyed();
            let Coded { keyed, .. } = *coded;
            self.groups = keyed.into_inner().unwrap_or_default();
            self.index.clear();
        }
        if let Some(merged) = self.merged.take() {
            self.groups = merged.into_keyed();
            self.index.clear();
        }
    }

    /// Totals by group over the selected rows of `table`.
    pub fn of(table: &FlowTable, selection: &Selection, by: &GroupBy) -> Groups {
        let counts = Counts::of(table);
        let mut groups = Groups::new(by.clone());
        match by {
            GroupBy::Pair => pairs(table, selection, counts, &mut groups),
            GroupBy::Class(field) => {
                let mut slots = vec![Totals::default(); AddrClass::ALL.len() + 1];
                if let Some(column) = table.addr(*field) {
                    selection.for_each(|row| {
                        let slot = match column.v4(row) {
                            Some(word) => AddrClass::of_v4(word) as usize,
                            None => column
                                .get(row)
                                .map_or(AddrClass::ALL.len(), |a| AddrClass::of(a) as usize),
                        };
                        counts.add(&mut slots[slot], row);
                    });
                } else {
                    selection.for_each(|row| counts.add(&mut slots[AddrClass::ALL.len()], row));
                }
                let keys = AddrClass::ALL.iter().map(|c| GroupBy::class_key(*c));
                groups.absorb(keys.chain([Key::Null]).zip(slots));
            }
            GroupBy::Field(FieldRef::Other(name)) => {
                match table.other_columns().find(|(n, _)| *n == &**name) {
                    Some((_, column)) => texts(column, selection, counts, &mut groups),
                    None => groups.absorb([(Key::Null, all(selection, counts))]),
                }
            }
            GroupBy::Field(FieldRef::Known(field)) => match table.column(*field) {
                None => groups.absorb([(Key::Null, all(selection, counts))]),
                Some(Column::Text(column)) => texts(column, selection, counts, &mut groups),
                Some(Column::Int(column)) => {
                    ints(column, field.kind(), selection, counts, &mut groups)
                }
                Some(Column::Addr(column)) => addrs(column, selection, counts, &mut groups),
            },
        }
        groups
    }

    /// Adds groups whose keys are distinct from each other and from every group already
    /// here, skipping empty ones so that a group exists only if a record is in it.
    pub(crate) fn absorb(&mut self, groups: impl IntoIterator<Item = (Key, Totals)>) {
        self.make_keyed();
        self.index.clear();
        let before = self.groups.len();
        self.groups
            .extend(groups.into_iter().filter(|(_, t)| t.records > 0));
        debug_assert!(
            {
                let keys: rustc_hash::FxHashSet<&Key> =
                    self.groups.iter().map(|(k, _)| k).collect();
                keys.len() == self.groups.len()
            },
            "absorbed keys must be distinct ({before} before)"
        );
    }

    /// Adds another part's groups (from another file, say) to these. The cost is that of
    /// the other part's groups, however many parts were merged here before.
    ///
    /// Addresses, pairs of addresses and numbers merge by value (`ByValue`) as soon as
    /// either side is still by code, the form an overview's parts come in; anything else
    /// merges by key.
    pub fn merge(&mut self, other: &Groups) {
        debug_assert_eq!(self.by, other.by, "merging groups of different group-bys");
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            self.groups.clone_from(&other.groups);
            self.coded.clone_from(&other.coded);
            self.merged.clone_from(&other.merged);
            self.index.clear();
            return;
        }
        if self.merge_by_value(other) {
            return;
        }
        self.make_keyed();
        let hasher = FxBuildHasher;
        let Groups { groups, index, .. } = self;
        let rehash = |groups: &[(Key, Totals)], at: usize| hasher.hash_one(&groups[at].0);
        if index.len() != groups.len() {
            index.clear();
            for at in 0..groups.len() {
                index.insert_unique(rehash(groups, at), at, |&i| rehash(groups, i));
            }
        }
        for (key, totals) in other.keyed() {
            let hash = hasher.hash_one(key);
            match index.find(hash, |&i| groups[i].0 == *key) {
                Some(&i) => groups[i].1.merge(totals),
                None => {
                    index.insert_unique(hash, groups.len(), |&i| rehash(groups, i));
                    groups.push((key.clone(), *totals));
                }
            }
        }
    }

    /// Merges `other` by value, these too if they are not yet. False when either side's
    /// groups are of a kind `ByValue` does not hold: `other` is then not merged, and these
    /// hold the same groups as before, perhaps by value.
    fn merge_by_value(&mut self, other: &Groups) -> bool {
        if self.merged.is_none() {
            let Some(model) = self.coded.as_deref().or(other.coded.as_deref()) else {
                return false;
            };
            let mut merged = ByValue::like(model);
            if !merged.add(self) {
                return false;
            }
            self.groups = Vec::new();
            self.coded = None;
            self.index.clear();
            self.merged = Some(Box::new(merged));
        }
        let merged = self.merged.as_deref_mut().expect("made above");
        merged.add(other)
    }

    /// What was grouped by.
    pub fn by(&self) -> &GroupBy {
        &self.by
    }

    /// How many groups there are.
    pub fn len(&self) -> usize {
        match (&self.coded, &self.merged) {
            (Some(coded), _) => coded.len,
            (None, Some(merged)) => merged.len(),
            (None, None) => self.groups.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The totals of one group. A search through every group: for a few keys, not a loop.
    pub fn get(&self, key: &Key) -> Option<&Totals> {
        self.keyed().iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }

    /// Every group, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Totals)> {
        self.keyed().iter().map(|(k, t)| (k, t))
    }

    /// The `n` largest groups by `measure` and the rest as "other".
    pub fn top(&self, n: usize, measure: Measure) -> Top {
        if n <= DIRECT_TOP {
            if let Some(coded) = &self.coded {
                return coded.top(&self.by, n, measure);
            }
            if let Some(merged) = &self.merged {
                return merged.top(self.by.name(), n, measure);
            }
        }
        let groups = self.keyed();
        let mut all: Vec<(&Key, &Totals)> = groups.iter().map(|(k, t)| (k, t)).collect();
        let order = |a: &(&Key, &Totals), b: &(&Key, &Totals)| -> Ordering {
            b.1.get(measure)
                .cmp(&a.1.get(measure))
                .then_with(|| a.0.cmp(b.0))
        };
        // Only the first n need sorting: partition around the n-th first.
        if n > 0 && n < all.len() {
            all.select_nth_unstable_by(n - 1, order);
        }
        let cut = n.min(all.len());
        all[..cut].sort_unstable_by(order);
        let mut other = Totals::default();
        for (_, totals) in &all[cut..] {
            other.merge(totals);
        }
        Top {
            by: self.by.name(),
            measure,
            rows: all[..cut]
                .iter()
                .map(|(key, t)| TopRow {
                    key: (*key).clone(),
                    records: t.records,
                    bytes: t.bytes,
                    packets: t.packets,
                })
                .collect(),
            other,
            groups: groups.len(),
        }
    }
}

/// Every selected row in one total.
fn all(selection: &Selection, counts: Counts) -> Totals {
    let mut totals = Totals::default();
    selection.for_each(|row| counts.add(&mut totals, row));
    totals
}

/// Totals in `size` slots, the slot of each row given by `slot`.
#[inline]
fn dense(
    selection: &Selection,
    counts: Counts,
    size: usize,
    slot: impl Fn(usize) -> usize,
) -> Vec<Totals> {
    let mut slots = vec![Totals::default(); size];
    selection.for_each(|row| counts.add(&mut slots[slot(row)], row));
    slots
}

/// Groups by a text column: one slot per dictionary entry, entry 0 (missing) keyed `null`.
fn texts(column: &TextColumn, selection: &Selection, counts: Counts, groups: &mut Groups) {
    let keys = column.dictionary().iter().enumerate().map(|(i, v)| {
        if i == 0 {
            Key::Null
        } else {
            Key::Text(v.clone())
        }
    });
    let slots = dense(selection, counts, column.dictionary().len(), |row| {
        column.code(row) as usize
    });
    groups.absorb(keys.zip(slots));
}

fn ints(
    column: &IntColumn,
    kind: FieldKind,
    selection: &Selection,
    counts: Counts,
    groups: &mut Groups,
) {
    let words = match kind {
        FieldKind::Enum(words) => Some(words),
        _ => None,
    };
    let key = |value: u64| match words {
        Some(words) => Key::Text(words[value as usize].into()),
        None => Key::Int(value),
    };
    let small = match kind {
        FieldKind::Int { max } if max <= u64::from(u16::MAX) => Some(max as usize + 1),
        FieldKind::Enum(words) => Some(words.len()),
        _ => None,
    };
    match small {
        // One slot per possible value, and a last one for missing.
        Some(size) => {
            let slots = if column.has_missing() {
                dense(selection, counts, size + 1, |row| {
                    column.get(row).map_or(size, |v| v as usize)
                })
            } else {
                dense(selection, counts, size + 1, |row| column.raw(row) as usize)
            };
            let keys = (0..size as u64).map(key).chain([Key::Null]);
            groups.absorb(keys.zip(slots));
        }
        None => {
            let mut map: FxHashMap<Option<u64>, Totals> = FxHashMap::default();
            selection.for_each(|row| counts.add(map.entry(column.get(row)).or_default(), row));
            groups.absorb(map.into_iter().map(|(v, t)| (v.map_or(Key::Null, key), t)));
        }
    }
}

fn addrs(column: &AddrColumn, selection: &Selection, counts: Counts, groups: &mut Groups) {
    let mut v4 = AddrTotals::default();
    selection.for_each(|row| v4.add(column, row, counts));
    v4.into_groups(groups);
}

/// Totals by address: IPv4 words in a hash map of small entries pointing into a vector
/// (so that the map stays small enough for the cache), everything else aside.
#[derive(Default)]
struct AddrTotals {
    index: FxHashMap<u32, u32>,
    totals: Vec<(u32, Totals)>,
    rest: FxHashMap<Option<IpAddr>, Totals>,
}

impl AddrTotals {
    #[inline(always)]
    fn add(&mut self, column: &AddrColumn, row: usize, counts: Counts) {
        match column.v4(row) {
            Some(word) => {
                let next = self.totals.len() as u32;
                let i = *self.index.entry(word).or_insert(next);
                if i == next {
                    self.totals.push((word, Totals::default()));
                }
                counts.add(&mut self.totals[i as usize].1, row);
            }
            None => counts.add(self.rest.entry(column.get(row)).or_default(), row),
        }
    }

    fn into_groups(self, groups: &mut Groups) {
        let v4 = self
            .totals
            .into_iter()
            .map(|(w, t)| (Key::Addr(IpAddr::V4(Ipv4Addr::from(w))), t));
        let rest = self.rest.into_iter().map(|(a, t)| (Key::addr(a), t));
        // An IPv4 word and the other addresses never make the same key.
        groups.absorb(v4.chain(rest));
    }
}

fn pairs(table: &FlowTable, selection: &Selection, counts: Counts, groups: &mut Groups) {
    let pair =
        |a: Option<IpAddr>, b: Option<IpAddr>| Key::Pair(Box::new((Key::addr(a), Key::addr(b))));
    let (Some(src), Some(dst)) = (table.addr(Field::SrcAddr), table.addr(Field::DstAddr)) else {
        let get = |f: Field, row: usize| table.addr(f).and_then(|c| c.get(row));
        let mut map: FxHashMap<(Option<IpAddr>, Option<IpAddr>), Totals> = FxHashMap::default();
        selection.for_each(|row| {
            let key = (get(Field::SrcAddr, row), get(Field::DstAddr, row));
            counts.add(map.entry(key).or_default(), row);
        });
        groups.absorb(map.into_iter().map(|((a, b), t)| (pair(a, b), t)));
        return;
    };
    let mut v4: FxHashMap<u64, Totals> = FxHashMap::default();
    let mut rest: FxHashMap<(Option<IpAddr>, Option<IpAddr>), Totals> = FxHashMap::default();
    selection.for_each(|row| match (src.v4(row), dst.v4(row)) {
        (Some(a), Some(b)) => counts.add(
            v4.entry(u64::from(a) << 32 | u64::from(b)).or_default(),
            row,
        ),
        _ => counts.add(rest.entry((src.get(row), dst.get(row))).or_default(), row),
    });
    let v4 = v4.into_iter().map(|(w, t)| {
        let a = IpAddr::V4(Ipv4Addr::from((w >> 32) as u32));
        let b = IpAddr::V4(Ipv4Addr::from(w as u32));
        ((Some(a), Some(b)), t)
    });
    // Pairs of two IPv4 words and the rest never make the same key.
    groups.absorb(v4.chain(rest).map(|((a, b), t)| (pair(a, b), t)));
}
