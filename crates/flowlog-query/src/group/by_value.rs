//! Groups merged from many parts by their values: the form [`Groups::merge`] gives the
//! groups of addresses, pairs of addresses and numbers.
//!
//! A folder of flow logs is hundreds of files, each with groups of its own, and its
//! overview merges them all. Merged as keys, every address pair became a boxed [`Key`],
//! hashed and compared through its box: for 200 files of 5,000 records, most of the
//! second and a half the merge took. Here an IPv4 address is its 32-bit word and a pair of
//! them one 64-bit word, kept in a map beside its totals, and numbers are slots by value;
//! keys are made only for the rows a top list shows, or when something asks for every
//! group keyed.

use super::{largest, CodeKeys, Coded, Groups};
use crate::key::Key;
use crate::packed::{Lanes, Slot};
use crate::totals::{Measure, Totals};
use crate::Top;
use rustc_hash::FxHashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

/// Totals by value, merged from parts.
#[derive(Clone, Debug)]
pub(super) struct ByValue {
    values: Values,
    /// How many groups count a record.
    len: usize,
    /// Every group keyed, made when first needed.
    keyed: OnceLock<Vec<(Key, Totals)>>,
}

/// The values grouped by, in the form that merges cheaply.
#[derive(Clone, Debug)]
enum Values {
    /// Numbers by value, a slot each; the last slot holds the missing value.
    Ints(Vec<Totals>),
    /// IPv4 addresses by their word; other addresses, and the missing one, apart.
    Addrs {
        v4: FxHashMap<u32, Totals>,
        rest: FxHashMap<Option<IpAddr>, Totals>,
    },
    /// Pairs of IPv4 addresses by their two words in one; other pairs apart.
    Pairs {
        v4: FxHashMap<u64, Totals>,
        rest: FxHashMap<(Option<IpAddr>, Option<IpAddr>), Totals>,
    },
}

/// One group's value, as [`Values`] holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    /// A slot of [`Values::Ints`].
    Int(usize),
    Addr(Option<IpAddr>),
    Pair(Option<IpAddr>, Option<IpAddr>),
}

impl ByValue {
    /// No groups yet, of the kind of `coded`'s.
    pub(super) fn like(coded: &Coded) -> ByValue {
        let values = match &coded.keys {
            CodeKeys::Ints { missing } => Values::Ints(vec![Totals::default(); missing + 1]),
            CodeKeys::Addrs(_) => Values::Addrs {
                v4: FxHashMap::default(),
                rest: FxHashMap::default(),
            },
            CodeKeys::Pairs { .. } => Values::Pairs {
                v4: FxHashMap::default(),
                rest: FxHashMap::default(),
            },
        };
        ByValue {
            values,
            len: 0,
            keyed: OnceLock::new(),
        }
    }

    /// How many groups there are.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Adds `groups`, in whatever form they are. Returns false, having changed nothing,
    /// when one of them is of another kind than these hold (a number past the slots, a
    /// key that is not an address): they are then merged as keys.
    pub(super) fn add(&mut self, groups: &Groups) -> bool {
        self.keyed = OnceLock::new();
        if let Some(coded) = &groups.coded {
            if !self.holds_codes_of(coded) {
                return false;
            }
            self.add_coded(coded);
        } else if let Some(merged) = &groups.merged {
            if !self.same_kind(&merged.values) {
                return false;
            }
            for (value, totals) in merged.entries() {
                self.put(value, &totals);
            }
        } else {
            let values: Option<Vec<Value>> = groups
                .groups
                .iter()
                .map(|(k, _)| self.value_of(k))
                .collect();
            let Some(values) = values else { return false };
            for (value, (_, totals)) in values.into_iter().zip(&groups.groups) {
                self.put(value, totals);
            }
        }
        true
    }

    /// Adds `coded`'s groups, whose codes stand for values of the kind these hold.
    ///
    /// Numbers go to their slots, and IPv4 addresses and pairs of them by their words
    /// straight from the dictionary, without making an `IpAddr` of each: a folder's
    /// overview merges a million such groups. Other addresses go by value.
    fn add_coded(&mut self, coded: &Coded) {
        let lanes = coded.lanes;
        let mut others = Vec::new();
        match (&mut self.values, &coded.keys) {
            (Values::Addrs { v4, .. }, CodeKeys::Addrs(addrs)) => {
                for (code, slot) in coded.used() {
                    match addrs.v4_word(code) {
                        Some(word) => {
                            add_to(v4.entry(word).or_default(), lanes, slot, &mut self.len)
                        }
                        None => others.push((code, slot)),
                    }
                }
            }
            (Values::Pairs { v4, .. }, CodeKeys::Pairs { addrs, pairs }) => {
                for (code, slot) in coded.used() {
                    let [src, dst] = pairs.pairs()[code];
                    match (addrs.v4_word(src as usize), addrs.v4_word(dst as usize)) {
                        (Some(a), Some(b)) => add_to(
                            v4.entry(pair_word(a, b)).or_default(),
                            lanes,
                            slot,
                            &mut self.len,
                        ),
                        _ => others.push((code, slot)),
                    }
                }
            }
            (Values::Ints(sums), CodeKeys::Ints { .. }) => {
                for (code, slot) in coded.used() {
                    add_to(&mut sums[code], lanes, slot, &mut self.len);
                }
            }
            _ => unreachable!("the kind of codes is checked before they are added"),
        }
        for (code, slot) in others {
            self.put(coded.value(code), &lanes.totals(slot));
        }
    }

    /// Whether `coded`'s codes stand for values of the kind these hold.
    fn holds_codes_of(&self, coded: &Coded) -> bool {
        match (&self.values, &coded.keys) {
            (Values::Ints(slots), CodeKeys::Ints { missing }) => slots.len() == missing + 1,
            (Values::Addrs { .. }, CodeKeys::Addrs(_))
            | (Values::Pairs { .. }, CodeKeys::Pairs { .. }) => true,
            _ => false,
        }
    }

    /// Whether `other` holds values of the same kind as these, numbers in as many slots.
    fn same_kind(&self, other: &Values) -> bool {
        match (&self.values, other) {
            (Values::Ints(a), Values::Ints(b)) => a.len() == b.len(),
            (Values::Addrs { .. }, Values::Addrs { .. })
            | (Values::Pairs { .. }, Values::Pairs { .. }) => true,
            _ => false,
        }
    }

    /// The value of `key` as these hold it, if it is of their kind.
    fn value_of(&self, key: &Key) -> Option<Value> {
        let addr = |key: &Key| match key {
            Key::Addr(a) => Some(Some(*a)),
            Key::Null => Some(None),
            _ => None,
        };
        match (&self.values, key) {
            (Values::Ints(slots), Key::Int(v)) => {
                let slot = usize::try_from(*v).ok()?;
                (slot + 1 < slots.len()).then_some(Value::Int(slot))
            }
            (Values::Ints(slots), Key::Null) => Some(Value::Int(slots.len() - 1)),
            (Values::Addrs { .. }, key) => addr(key).map(Value::Addr),
            (Values::Pairs { .. }, Key::Pair(pair)) => {
                Some(Value::Pair(addr(&pair.0)?, addr(&pair.1)?))
            }
            _ => None,
        }
    }

    /// Adds one group's totals to its value's.
    fn put(&mut self, value: Value, totals: &Totals) {
        if totals.records == 0 {
            return;
        }
        let sum = match (&mut self.values, value) {
            (Values::Ints(slots), Value::Int(slot)) => &mut slots[slot],
            (Values::Addrs { v4, .. }, Value::Addr(Some(IpAddr::V4(a)))) => {
                v4.entry(u32::from(a)).or_default()
            }
            (Values::Addrs { rest, .. }, Value::Addr(a)) => rest.entry(a).or_default(),
            (Values::Pairs { v4, .. }, Value::Pair(Some(IpAddr::V4(a)), Some(IpAddr::V4(b)))) => {
                v4.entry(pair_word(u32::from(a), u32::from(b))).or_default()
            }
            (Values::Pairs { rest, .. }, Value::Pair(a, b)) => rest.entry((a, b)).or_default(),
            _ => unreachable!("a value is checked against the kind before it is put"),
        };
        if sum.records == 0 {
            self.len += 1;
        }
        sum.merge(totals);
    }

    /// Every group with its totals, in no particular order.
    fn entries(&self) -> Box<dyn Iterator<Item = (Value, Totals)> + '_> {
        let v4 = |w: u32| Some(IpAddr::V4(Ipv4Addr::from(w)));
        match &self.values {
            Values::Ints(slots) => Box::new(
                (slots.iter().enumerate())
                    .filter(|(_, t)| t.records > 0)
                    .map(|(slot, t)| (Value::Int(slot), *t)),
            ),
            Values::Addrs { v4: words, rest } => Box::new(
                (words.iter().map(move |(w, t)| (Value::Addr(v4(*w)), *t)))
                    .chain(rest.iter().map(|(a, t)| (Value::Addr(*a), *t))),
            ),
            Values::Pairs { v4: words, rest } => Box::new(
                (words.iter())
                    .map(move |(w, t)| (Value::Pair(v4((w >> 32) as u32), v4(*w as u32)), *t))
                    .chain(rest.iter().map(|((a, b), t)| (Value::Pair(*a, *b), *t))),
            ),
        }
    }

    /// The key that names `value`'s group.
    fn key(&self, value: Value) -> Key {
        match (value, &self.values) {
            (Value::Int(slot), Values::Ints(slots)) if slot + 1 == slots.len() => Key::Null,
            (Value::Int(slot), _) => Key::Int(slot as u64),
            (Value::Addr(a), _) => Key::addr(a),
            (Value::Pair(a, b), _) => Key::Pair(Box::new((Key::addr(a), Key::addr(b)))),
        }
    }

    /// Every group, keyed.
    pub(super) fn keyed(&self) -> &[(Key, Totals)] {
        self.keyed.get_or_init(|| {
            let mut groups = Vec::with_capacity(self.len);
            groups.extend(self.entries().map(|(v, t)| (self.key(v), t)));
            groups
        })
    }

    /// The groups keyed, taken out.
    pub(super) fn into_keyed(self) -> Vec<(Key, Totals)> {
        self.keyed();
        self.keyed.into_inner().unwrap_or_default()
    }

    /// As [`Groups::top`], keys made only to break ties and for the rows returned.
    pub(super) fn top(&self, by: String, n: usize, measure: Measure) -> Top {
        let mut all = Totals::default();
        let entries = self.entries().inspect(|(_, t)| all.merge(t));
        let best = largest(entries, n, |(_, t)| t.get(measure), |(v, _)| self.key(*v));
        // The rest is what all add up to less the rows, unless a sum saturated, which
        // the difference would not undo: then the rest is added up again.
        let mut other = all;
        if all.bytes == u64::MAX || all.packets == u64::MAX {
            other = Totals::default();
            let listed = |v: &Value| best.iter().any(|(_, _, (b, _))| b == v);
            for (_, t) in self.entries().filter(|(v, _)| !listed(v)) {
                other.merge(&t);
            }
        } else {
            for (_, _, (_, t)) in &best {
                other.records -= t.records;
                other.bytes -= t.bytes;
                other.packets -= t.packets;
            }
        }
        Top {
            by,
            measure,
            rows: best
                .into_iter()
                .map(|(_, key, (_, t))| super::TopRow {
                    key,
                    records: t.records,
                    bytes: t.bytes,
                    packets: t.packets,
                })
                .collect(),
            other,
            groups: self.len,
        }
    }
}

/// A pair of IPv4 addresses as one word: the source's word above the destination's.
fn pair_word(src: u32, dst: u32) -> u64 {
    u64::from(src) << 32 | u64::from(dst)
}

/// Adds a slot's totals (packed by `lanes`) to `sum`, counting a group that had none.
#[inline]
fn add_to(sum: &mut Totals, lanes: Lanes, slot: Slot, len: &mut usize) {
    if sum.records == 0 {
        *len += 1;
    }
    sum.merge(&lanes.totals(slot));
}

impl Coded {
    /// The value that `code` stands for, as [`ByValue`] holds it.
    fn value(&self, code: usize) -> Value {
        match &self.keys {
            CodeKeys::Ints { .. } => Value::Int(code),
            CodeKeys::Addrs(values) => Value::Addr(values.get(code)),
            CodeKeys::Pairs { addrs, pairs } => {
                let [src, dst] = pairs.pairs()[code];
                Value::Pair(addrs.get(src as usize), addrs.get(dst as usize))
            }
        }
    }
}
