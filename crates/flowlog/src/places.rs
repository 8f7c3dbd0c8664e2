//! Where each value of a long list first occurs, found by sorting rather than by a lookup
//! table.
//!
//! Coding the addresses of a file of internet traffic, or pairing its rows' addresses,
//! gives a new code to nearly every value: a lookup table then grows to millions of
//! entries, far larger than any cache, and every probe waits on memory. Sorting the places
//! by a key of their value brings the places of one value together in a few passes that
//! read and write memory in order; the first place of each value is then the only one that
//! needs a code of its own, and the places that follow it take the same code, given out in
//! the order of the places.

/// How many bits of a key choose its bucket in [`grouped_by_key`]: 256 buckets.
const BUCKET_BITS: u32 = 8;

/// The places `keyed` gives (each with its key), grouped by key, the places of one key
/// together and in the order `keyed` gives them: each as the key above the place, in one
/// `u64`. The groups are in no particular order.
///
/// `keyed` is called twice and must give the same items both times. A stable radix sort
/// needs a buffer as large as what it sorts, so the places are first spread over buckets by
/// a hash of their key, in order, and each bucket is sorted by itself: the buffer is a
/// bucket's, and sorting takes 8 bytes per place, not 16. A key's places all fall in one
/// bucket, whatever its neighbours.
pub(crate) fn grouped_by_key<I>(keyed: impl Fn() -> I) -> Vec<u64>
where
    I: Iterator<Item = (u32, u32)>,
{
    let bucket_of = |key: u32| (key.wrapping_mul(0x9E37_79B1) >> (32 - BUCKET_BITS)) as usize;
    let mut bucket_starts = [0usize; (1 << BUCKET_BITS) + 1];
    for (key, _) in keyed() {
        bucket_starts[bucket_of(key) + 1] += 1;
    }
    for bucket in 1..bucket_starts.len() {
        bucket_starts[bucket] += bucket_starts[bucket - 1];
    }
    let mut places = vec![0u64; bucket_starts[1 << BUCKET_BITS]];
    let mut next_place = bucket_starts;
    for (key, place) in keyed() {
        let next = &mut next_place[bucket_of(key)];
        places[*next] = u64::from(key) << 32 | u64::from(place);
        *next += 1;
    }
    for bucket in bucket_starts.windows(2) {
        radsort::sort_by_key(&mut places[bucket[0]..bucket[1]], |&place| {
            (place >> 32) as u32
        });
    }
    places
}

/// The sorting key of a wide value (an IPv6 address, or a pair of 32-bit numbers): 32 bits
/// of a hash of it. Two values may share one, and [`first_places`] tells them apart.
///
/// Worked out in 64-bit arithmetic on every target: the Fx hash of the lookup tables is as
/// wide as a pointer, and in WebAssembly its upper 32 bits are all zero.
pub(crate) fn sort_key(value: u128) -> u32 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let folded = ((value >> 64) as u64).wrapping_mul(K) ^ value as u64;
    (folded.wrapping_mul(K) >> 32) as u32
}

/// For each of the `len` values that `value` gives by place, the place of the first value
/// equal to it (its own place if it is the first), and how many distinct values there are.
///
/// The places are grouped by `key` of their value; places of one key whose values differ
/// (which a hash gives now and then, and a crafted file could give often) are sorted again
/// by value, so that the work stays a sort however many values share a key.
pub(crate) fn first_places(
    len: usize,
    value: impl Fn(usize) -> u128,
    key: impl Fn(u128) -> u32,
) -> (Vec<u32>, usize) {
    let mut firsts: Vec<u32> = (0..len as u32).collect();
    let places = grouped_by_key(|| (0..len as u32).map(|at| (key(value(at as usize)), at)));
    let place = |entry: u64| entry as u32 as usize;
    let mut distinct = len;
    for run in places.chunk_by(|a, b| a >> 32 == b >> 32) {
        let [first, rest @ ..] = run else { continue };
        if rest.is_empty() {
            continue;
        }
        let first = place(*first);
        let first_value = value(first);
        if rest.iter().all(|&entry| value(place(entry)) == first_value) {
            for &entry in rest {
                firsts[place(entry)] = first as u32;
            }
            distinct -= rest.len();
        } else {
            let mut by_value: Vec<(u128, u32)> = (run.iter())
                .map(|&entry| (value(place(entry)), place(entry) as u32))
                .collect();
            by_value.sort_unstable();
            for equal in by_value.chunk_by(|a, b| a.0 == b.0) {
                for &(_, at) in &equal[1..] {
                    firsts[at as usize] = equal[0].1;
                }
                distinct -= equal.len() - 1;
            }
        }
    }
    (firsts, distinct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first places as a search of the values before each one finds them.
    fn first_places_by_search(values: &[u128]) -> (Vec<u32>, usize) {
        let firsts: Vec<u32> = (0..values.len())
            .map(|at| values.iter().position(|v| *v == values[at]).unwrap() as u32)
            .collect();
        let distinct = (0..values.len())
            .filter(|&at| firsts[at] as usize == at)
            .count();
        (firsts, distinct)
    }

    proptest::proptest! {
        /// Whatever the key (one that tells every value apart, one that puts many values
        /// together, or one key for all), each value's first place is found.
        #[test]
        fn first_places_are_found_whatever_the_keys_share(
            values in proptest::collection::vec(0u128..40, 0..300),
            shift in 0u32..128,
        ) {
            let values: Vec<u128> = values.iter().map(|v| v.wrapping_shl(shift) ^ 7).collect();
            let expected = first_places_by_search(&values);
            let value = |at: usize| values[at];
            let len = values.len();
            proptest::prop_assert_eq!(first_places(len, value, sort_key), expected.clone());
            proptest::prop_assert_eq!(first_places(len, value, |v| v as u32 & 3), expected.clone());
            proptest::prop_assert_eq!(first_places(len, value, |_| 0), expected);
        }

        /// The places of one key come out together and in their order, each once.
        #[test]
        fn places_of_one_key_come_together_in_their_order(
            keys in proptest::collection::vec(any::<u32>().prop_map(|k| k % 50), 0..500),
        ) {
            let grouped = grouped_by_key(|| (0u32..).zip(keys.iter().copied()).map(|(at, k)| (k, at)));
            let runs: Vec<&[u64]> = grouped.chunk_by(|a, b| a >> 32 == b >> 32).collect();
            let distinct: std::collections::HashSet<u32> = keys.iter().copied().collect();
            proptest::prop_assert_eq!(runs.len(), distinct.len());
            for run in runs {
                let key = (run[0] >> 32) as u32;
                let places: Vec<u32> = run.iter().map(|&entry| entry as u32).collect();
                let expected: Vec<u32> = (0u32..).zip(&keys)
                    .filter(|(_, &k)| k == key)
                    .map(|(at, _)| at)
                    .collect();
                proptest::prop_assert_eq!(places, expected);
            }
        }
    }
}
