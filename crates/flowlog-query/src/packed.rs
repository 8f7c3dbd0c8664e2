//! Totals packed into two words, for the overview's slots.
//!
//! A group's totals are three sums (records, `bytes`, `packets`); counting them in three
//! words costs three adds per row and group, and a third more memory for slot arrays that
//! are already larger than the cache. When the [`TableIndex`](crate::TableIndex) knows that
//! the sum of `packets` over the whole table leaves room above it for a count of every
//! row, records and packets share one word: a row adds `1 << shift | packets` to it and
//! its `bytes` to the other, and no sum over any rows can carry from one part into the
//! other. Plain adds then wrap instead of saturating, which also makes taking a row back
//! out exact.

use crate::totals::{Measure, Totals};

/// The totals of a group or of one row: the sum of `bytes`, then records and the sum of
/// `packets` in one word (see [`Lanes`]).
pub(crate) type Slot = [u64; 2];

/// Adds `inc` to `slot`.
#[inline(always)]
pub(crate) fn put(slot: &mut Slot, inc: Slot) {
    slot[0] = slot[0].wrapping_add(inc[0]);
    slot[1] = slot[1].wrapping_add(inc[1]);
}

/// Takes `inc` from `slot`: the exact undoing of [`put`], since plain adds wrap.
#[inline(always)]
pub(crate) fn take(slot: &mut Slot, inc: Slot) {
    slot[0] = slot[0].wrapping_sub(inc[0]);
    slot[1] = slot[1].wrapping_sub(inc[1]);
}

/// The sum of two slots.
#[inline(always)]
pub(crate) fn plus(a: Slot, b: Slot) -> Slot {
    [a[0].wrapping_add(b[0]), a[1].wrapping_add(b[1])]
}

/// How a [`Slot`]'s second word holds records and packets: records shifted left by the
/// number held, packets below.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lanes(pub(crate) u32);

impl Lanes {
    /// What one record adds to the second word.
    #[inline(always)]
    pub(crate) fn record(self) -> u64 {
        1 << self.0
    }

    /// 1 for a row's increment when the row is kept, 0 when it is not (its increment is
    /// then nothing at all).
    #[inline(always)]
    pub(crate) fn kept(self, inc: Slot) -> u64 {
        inc[1] >> self.0
    }

    /// The records a slot counts.
    #[inline(always)]
    pub(crate) fn records(self, slot: Slot) -> u64 {
        slot[1] >> self.0
    }

    /// One measure of a slot.
    #[inline(always)]
    pub(crate) fn get(self, slot: Slot, measure: Measure) -> u64 {
        match measure {
            Measure::Records => slot[1] >> self.0,
            Measure::Bytes => slot[0],
            Measure::Packets => slot[1] & (self.record() - 1),
        }
    }

    /// A slot's totals.
    pub(crate) fn totals(self, slot: Slot) -> Totals {
        Totals {
            records: slot[1] >> self.0,
            bytes: slot[0],
            packets: slot[1] & (self.record() - 1),
        }
    }
}
