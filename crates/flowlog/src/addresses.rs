//! The address dictionary of a table: each address code's value, an IPv4 address in four
//! bytes.
//!
//! A file of internet traffic brings nearly two new addresses per record, so the
//! dictionary can hold as many entries as the table has rows. Kept as `Option<IpAddr>`, an
//! entry took 17 bytes and the dictionary half of such a table's memory; here an IPv4
//! entry takes its 32-bit word and one bit, and only IPv6 addresses and the missing value
//! take more, in a list of their own.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::column::Bitmap;

/// Each address code's value (`None` for missing), in code order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Addresses {
    /// Each code's IPv4 word, or, for a code marked in `not_v4`, its position in `others`.
    words: Vec<u32>,
    /// One bit per code, set when its value is not IPv4.
    not_v4: Bitmap,
    /// The values that are not IPv4: IPv6 addresses, and the missing value as `None`.
    others: Vec<Option<Ipv6Addr>>,
    /// The code of the missing value, if it has one.
    missing: Option<u32>,
}

impl Addresses {
    /// No addresses: the dictionary of a column that is still being decoded.
    pub const EMPTY: Addresses = Addresses {
        words: Vec::new(),
        not_v4: Bitmap::new(),
        others: Vec::new(),
        missing: None,
    };

    /// How many codes there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// How many codes hold an IPv4 address.
    pub fn v4_len(&self) -> usize {
        self.len() - self.others.len()
    }

    /// Whether there are no codes.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The value of `code`, which must be below [`Self::len`].
    #[inline]
    pub fn get(&self, code: usize) -> Option<IpAddr> {
        let word = self.words[code];
        if self.not_v4.get(code) {
            self.others[word as usize].map(IpAddr::V6)
        } else {
            Some(IpAddr::V4(Ipv4Addr::from(word)))
        }
    }

    /// The IPv4 address of `code` as its word, or `None` if its value is not IPv4; `code`
    /// must be below [`Self::len`]. Cheaper than [`Self::get`] where only IPv4 words are
    /// wanted.
    #[inline]
    pub fn v4_word(&self, code: usize) -> Option<u32> {
        let word = self.words[code];
        (!self.not_v4.get(code)).then_some(word)
    }

    /// The code whose value is missing (`None`), if there is one: a dictionary holds the
    /// missing value once at most.
    pub fn missing(&self) -> Option<u32> {
        self.missing
    }

    /// Every code's value, in code order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<IpAddr>> + '_ {
        (0..self.len()).map(|code| self.get(code))
    }

    /// Appends the value of the next code.
    pub(crate) fn push(&mut self, value: Option<IpAddr>) {
        match value {
            Some(IpAddr::V4(address)) => self.push_v4(u32::from(address)),
            Some(IpAddr::V6(address)) => self.push_other(Some(address)),
            None => self.push_other(None),
        }
    }

    /// Appends an IPv4 address as its word: the common case, in the decoder's hot loop.
    #[inline]
    pub(crate) fn push_v4(&mut self, word: u32) {
        self.words.push(word);
        self.not_v4.push(false);
    }

    fn push_other(&mut self, value: Option<Ipv6Addr>) {
        if value.is_none() {
            debug_assert!(self.missing.is_none(), "the missing value is entered once");
            self.missing = Some(self.words.len() as u32);
        }
        self.words.push(self.others.len() as u32);
        self.not_v4.push(true);
        self.others.push(value);
    }

    /// Makes room for `additional` more codes, so that a dictionary about to grow by many
    /// is not copied on the way.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.words.reserve(additional);
        self.not_v4.reserve(additional);
    }

    /// Makes room for `additional` more codes that are not IPv4, as well as for their
    /// codes (see [`Self::reserve`]).
    pub(crate) fn reserve_others(&mut self, additional: usize) {
        self.reserve(additional);
        self.others.reserve(additional);
    }

    /// The same values in a new order: entry `new` of the result is entry `order[new]`.
    pub(crate) fn reordered(self, order: &[u32]) -> Addresses {
        let mut reordered = Addresses {
            words: Vec::with_capacity(order.len()),
            not_v4: Bitmap::default(),
            others: Vec::new(),
            missing: None,
        };
        reordered.not_v4.reserve(order.len());
        for &old in order {
            reordered.words.push(self.words[old as usize]);
            reordered.not_v4.push(self.not_v4.get(old as usize));
        }
        reordered.missing = self
            .missing
            .and_then(|missing| order.iter().position(|&old| old == missing))
            .map(|new| new as u32);
        // The positions in `others` stay as they were, so the list moves over whole, less
        // the room reserved for values that were found again.
        reordered.others = self.others;
        reordered.others.shrink_to_fit();
        reordered
    }

    /// Bytes of heap memory held.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 4
            + self.not_v4.heap_bytes()
            + self.others.capacity() * std::mem::size_of::<Option<Ipv6Addr>>()
    }
}

impl FromIterator<Option<IpAddr>> for Addresses {
    fn from_iter<I: IntoIterator<Item = Option<IpAddr>>>(values: I) -> Addresses {
        let mut addresses = Addresses::default();
        for value in values {
            addresses.push(value);
        }
        addresses
    }
}

impl std::fmt::Debug for Addresses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest::proptest! {
        /// Any mix of IPv4, IPv6 and missing values reads back as pushed, and in any new
        /// order as reordered.
        #[test]
        fn values_read_back_pushed_and_reordered(
            mut values in proptest::collection::vec(
                proptest::option::of(proptest::prop_oneof![
                    any::<u32>().prop_map(|w| IpAddr::V4(Ipv4Addr::from(w))),
                    any::<u128>().prop_map(|w| IpAddr::V6(Ipv6Addr::from(w))),
                ]),
                0..200,
            ),
            seed in any::<u64>(),
        ) {
            // A dictionary enters the missing value once at most, wherever it comes.
            let mut missing_seen = false;
            values.retain(|v| v.is_some() || !std::mem::replace(&mut missing_seen, true));
            let addresses: Addresses = values.iter().copied().collect();
            proptest::prop_assert_eq!(addresses.len(), values.len());
            proptest::prop_assert_eq!(addresses.iter().collect::<Vec<_>>(), values.clone());
            let v4 = values.iter().filter(|v| matches!(v, Some(IpAddr::V4(_)))).count();
            proptest::prop_assert_eq!(addresses.v4_len(), v4);
            proptest::prop_assert_eq!(
                addresses.missing().map(|code| code as usize),
                values.iter().position(Option::is_none)
            );
            // A permutation from the seed: each code sorted by a hash of it.
            let mut order: Vec<u32> = (0..values.len() as u32).collect();
            order.sort_by_key(|&code| (u64::from(code) ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let reordered = addresses.clone().reordered(&order);
            for (new, &old) in order.iter().enumerate() {
                proptest::prop_assert_eq!(reordered.get(new), values[old as usize]);
            }
            proptest::prop_assert_eq!(
                reordered.missing().map(|code| reordered.get(code as usize)),
                values.iter().any(Option::is_none).then_some(None)
            );
        }
    }

    #[test]
    fn an_ipv4_word_is_pushed_as_its_address() {
        let mut addresses = Addresses::default();
        addresses.push_v4(0x0A00_0001);
        addresses.push(None);
        addresses.push(Some("::1".parse().unwrap()));
        assert_eq!(addresses.get(0), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(addresses.get(1), None);
        assert_eq!(addresses.get(2), Some("::1".parse().unwrap()));
    }
}
