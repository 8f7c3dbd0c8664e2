//! A small seeded random number generator with integer-only helpers.
//!
//! SplitMix64 is used because it is tiny, fast, passes BigCrush, and, being pure integer
//! arithmetic, gives the same sequence on every platform. The helpers below avoid floating
//! point for the same reason: `ln` and `powf` come from the platform's libm and may differ in
//! the last bit between targets, which would make "same seed, same bytes" untrue.

/// SplitMix64 (Steele, Lea and Flood, 2014).
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (Lemire's multiply-shift; the bias is far below what matters here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    pub(crate) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One element of a non-empty slice of `(weight, item)` pairs, by weight.
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(u64, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| w).sum();
        let mut x = self.below(total);
        for (weight, item) in items {
            if x < *weight {
                return item;
            }
            x -= weight;
        }
        unreachable!("the draw is below the total weight")
    }

    /// A heavy-tailed count in `1..=max`: the number of leading zero bits of a random word
    /// picks a power of two (each twice as rare as the one below it), and a uniform draw picks
    /// a value inside it. Flow sizes look like this: most flows are tiny, a few are huge.
    pub(crate) fn heavy_tail(&mut self, max: u64, steepness: u32) -> u64 {
        let octave = (self.next_u64() | 1).leading_zeros() / steepness.max(1);
        let lo = 1u64 << octave.min(62);
        let value = lo + self.below(lo);
        value.min(max)
    }

    /// An independent generator derived from this one, so that adding draws to one part of
    /// the data does not shift every value after it.
    pub(crate) fn fork(&mut self) -> Rng {
        Rng::new(self.next_u64())
    }
}

/// Draws ranks `0..n` with probability proportional to `1 / (rank + 1)` (Zipf with s = 1):
/// a few peers and interfaces carry most flows, as in real networks. Weights are integers so
/// the table is the same on every platform.
#[derive(Clone, Debug)]
pub(crate) struct Zipf {
    cumulative: Vec<u64>,
}

impl Zipf {
    pub(crate) fn new(n: usize) -> Zipf {
        let mut total = 0u64;
        let cumulative = (0..n.max(1) as u64)
            .map(|rank| {
                total += (1u64 << 40) / (rank + 1);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().expect("the table is never empty");
        let x = rng.below(total);
        self.cumulative.partition_point(|&c| c <= x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // The first outputs for seed 1234567 from the reference C implementation.
        let mut rng = Rng::new(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
    }

    #[test]
    fn zipf_favours_low_ranks() {
        let zipf = Zipf::new(100);
        let mut rng = Rng::new(7);
        let mut counts = [0u32; 100];
        for _ in 0..100_000 {
            counts[zipf.sample(&mut rng)] += 1;
        }
        // Rank 0 has weight 1 / H(100) ≈ 19 %, rank 1 half of that, rank 99 about 0.2 %.
        assert!((18_000..21_000).contains(&counts[0]), "{}", counts[0]);
        assert!((9_000..10_500).contains(&counts[1]), "{}", counts[1]);
        assert!(counts[99] > 50 && counts[99] < 400, "{}", counts[99]);
    }

    #[test]
    fn heavy_tail_stays_in_range_and_is_mostly_small() {
        let mut rng = Rng::new(3);
        let draws: Vec<u64> = (0..10_000).map(|_| rng.heavy_tail(1000, 1)).collect();
        assert!(draws.iter().all(|&d| (1..=1000).contains(&d)));
        let small = draws.iter().filter(|&&d| d < 4).count();
        assert!(small > 7_000, "{small}");
    }
}
