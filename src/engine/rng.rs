//! Seeded random streams that survive parallelism and scenario edits.
//!
//! Every random draw of run `r` under master seed `s` comes from a ChaCha8 generator keyed by
//! (`s`, family) on stream `r`. So a run is a pure function of (scenario, seed, run index):
//! it can be replayed alone, sharded anywhere and is identical at any thread count. Families
//! (the faults, each detector, each role, ...) get their own keys, derived from the family's
//! *name*, so adding a responder does not shift when a fault fires (common random numbers).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator type used for every draw.
pub type Stream = ChaCha8Rng;

/// The key of one family of draws under one master seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyKey([u8; 32]);

impl FamilyKey {
    /// Derives the key of `family` (a stable name such as `role:on-call`) under `master`.
    pub fn derive(master: u64, family: &str) -> Self {
        // SplitMix64 expansion of (master, FNV-1a(family)): cheap, stable across platforms and
        // versions, and distinct families give unrelated keys.
        let mut expansion = SplitMix64::new(master ^ fnv1a(family).rotate_left(29));
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&expansion.next_u64().to_le_bytes());
        }
        FamilyKey(key)
    }

    /// The generator of this family for run `run`.
    #[inline]
    pub fn stream(&self, run: u64) -> Stream {
        let mut rng = ChaCha8Rng::from_seed(self.0);
        rng.set_stream(run);
        rng
    }
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014;
/// Vigna's reference `splitmix64.c`): a 64-bit counter stepped by [`SplitMix64::GAMMA`] and
/// scrambled by [`SplitMix64::mix`]. Too weak to draw a run's numbers from (those come from
/// [`Stream`]); good for turning one seed into several unrelated ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// The step of the counter: 2^64 divided by the golden ratio, odd.
    pub const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// A generator whose first output is `mix(seed + GAMMA)`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(Self::GAMMA);
        Self::mix(self.state)
    }

    /// The output scrambler alone (a bijection of `u64`): nearby inputs give unrelated outputs.
    pub fn mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn a_run_is_a_function_of_seed_family_and_index_only() {
        let key = FamilyKey::derive(7, "role:on-call");
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(key.stream(4711), |rng, _| Some(rng.random()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(
                FamilyKey::derive(7, "role:on-call").stream(4711),
                |rng, _| Some(rng.random()),
            )
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn splitmix64_matches_the_reference_outputs() {
        // First outputs of Vigna's splitmix64.c seeded with 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn families_runs_and_seeds_differ() {
        let first = |key: FamilyKey, run| -> u64 { key.stream(run).random() };
        let base = first(FamilyKey::derive(7, "faults"), 0);
        assert_ne!(base, first(FamilyKey::derive(7, "faults"), 1));
        assert_ne!(base, first(FamilyKey::derive(8, "faults"), 0));
        assert_ne!(base, first(FamilyKey::derive(7, "role:a"), 0));
    }
}
