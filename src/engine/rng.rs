//! Seeded random streams that survive parallelism and scenario edits.
//!
//! Every random draw of run `r` under master seed `s` comes from Philox4x64-10 (Salmon, Moraes,
//! Dror & Shaw, "Parallel Random Numbers: As Easy as 1, 2, 3", SC'11; the Random123 library),
//! a counter-based generator: block `b` of a family's stream in run `r` is the keyed bijection
//! `philox(key = (s, family), counter = (b, r, 0, 0))`. So a run is a pure function of
//! (scenario, seed, run index): it can be replayed alone, sharded anywhere and is identical at
//! any thread count. Families (the faults, each detector, each role, ...) get their own keys,
//! derived from the family's *name*, so adding a responder does not shift when a fault fires
//! (common random numbers).
//!
//! Why Philox and not a stream cipher: a run draws one to three numbers from each of a dozen
//! families. Positioning a counter-based generator costs nothing (store the key and the run)
//! and a draw computes one 256-bit block on demand, where ChaCha8 keyed, set its stream and
//! filled a four-block buffer for each family of each run (about a third of a small run).
//! Philox4x64-10 passes TestU01's BigCrush (the paper, table 2) and is the generator of
//! cuRAND, JAX and NumPy's `Philox`; the known-answer vectors of Random123 are checked below.
//!
//! [`Generator::ChaCha8`] is the generator of ttx before issue 19 (ChaCha8 keyed by the same
//! family key, its stream number the run): kept so that a drill journal written then resumes
//! and rescores to the same run. Nothing new is written with it.

use std::convert::Infallible;

use rand::{Rng, SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Which generator a batch or drill draws from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Generator {
    /// Philox4x64-10, counter `(block, run, 0, 0)` under the family's key: every batch and
    /// every drill started since issue 19.
    #[default]
    #[serde(rename = "philox4x64-10")]
    Philox,
    /// ChaCha8 keyed by the family, stream = run: drills journaled before issue 19.
    #[serde(rename = "chacha8")]
    ChaCha8,
}

/// The key of one family of draws under one master seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyKey {
    generator: Generator,
    words: [u64; 4],
}

impl FamilyKey {
    /// Derives the key of `family` (a stable name such as `role:on-call`) under `master`.
    pub fn derive(master: u64, family: &str) -> Self {
        Self::derive_for(Generator::Philox, master, family)
    }

    /// [`FamilyKey::derive`] for a given generator.
    pub fn derive_for(generator: Generator, master: u64, family: &str) -> Self {
        // SplitMix64 expansion of (master, FNV-1a(family)): cheap, stable across platforms and
        // versions, and distinct families give unrelated keys. Philox keys with the first two
        // words, ChaCha8 with all four (as it always did).
        let mut expansion = SplitMix64::new(master ^ fnv1a(family).rotate_left(29));
        let words = std::array::from_fn(|_| expansion.next_u64());
        FamilyKey { generator, words }
    }

    /// The generator of this family for run `run`. A Philox stream is O(1) to make: no block
    /// is computed until a draw.
    #[inline]
    pub fn stream(&self, run: u64) -> Stream {
        match self.generator {
            Generator::Philox => Stream::Philox(Philox {
                key: [self.words[0], self.words[1]],
                run,
                block: 0,
                buffer: [0; 4],
                used: 4,
            }),
            Generator::ChaCha8 => {
                let mut seed = [0u8; 32];
                for (chunk, word) in seed.chunks_exact_mut(8).zip(self.words) {
                    chunk.copy_from_slice(&word.to_le_bytes());
                }
                let mut rng = ChaCha8Rng::from_seed(seed);
                rng.set_stream(run);
                Stream::ChaCha8(Box::new(rng))
            }
        }
    }

    /// Makes `stream` this family's stream of run `run`, as [`FamilyKey::stream`] would; a
    /// Philox stream is repositioned in place (the buffer is refilled on its next draw), which
    /// spares a run's many short-lived streams the build and drop of a new value.
    #[inline]
    pub fn position(&self, stream: &mut Stream, run: u64) {
        match (self.generator, stream) {
            (Generator::Philox, Stream::Philox(p)) => {
                p.key = [self.words[0], self.words[1]];
                p.run = run;
                p.block = 0;
                p.used = 4;
            }
            (_, stream) => *stream = self.stream(run),
        }
    }
}

/// One family's draws in one run.
#[derive(Debug, Clone)]
pub enum Stream {
    /// Philox4x64-10 blocks `(0, run)`, `(1, run)`, ... under the family's key, handed out one
    /// 64-bit word at a time.
    Philox(Philox),
    /// The ChaCha8 stream of a journal written before issue 19 (boxed: it is five times the
    /// size of a Philox stream, and only old drills use it).
    ChaCha8(Box<ChaCha8Rng>),
}

/// The state of a Philox stream (see [`Stream::Philox`]).
#[derive(Debug, Clone)]
pub struct Philox {
    key: [u64; 2],
    run: u64,
    /// The next block to compute.
    block: u64,
    buffer: [u64; 4],
    /// Words of `buffer` handed out (4 = none left).
    used: usize,
}

impl Philox {
    /// The next word: inlined where drawn, with the block computation out of line (a draw
    /// that finds a word left, most of them, then costs a few instructions, not a call).
    #[inline(always)]
    fn next_word(&mut self) -> u64 {
        if self.used >= 4 {
            self.next_block();
        }
        let word = self.buffer[self.used];
        self.used += 1;
        word
    }

    #[inline(never)]
    fn next_block(&mut self) {
        self.buffer = philox4x64_10([self.block, self.run, 0, 0], self.key);
        self.block += 1;
        self.used = 0;
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(match self {
            // The high half: the better-mixed bits of a multiply-based generator's words.
            Stream::Philox(p) => (p.next_word() >> 32) as u32,
            Stream::ChaCha8(c) => c.next_u32(),
        })
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(match self {
            Stream::Philox(p) => p.next_word(),
            Stream::ChaCha8(c) => c.next_u64(),
        })
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        match self {
            Stream::Philox(p) => {
                for chunk in dst.chunks_mut(8) {
                    let word = p.next_word().to_le_bytes();
                    chunk.copy_from_slice(&word[..chunk.len()]);
                }
            }
            Stream::ChaCha8(c) => c.fill_bytes(dst),
        }
        Ok(())
    }
}

/// Random123's Philox4x64 multipliers and Weyl key increments (golden ratio, sqrt(3) - 1).
const PHILOX_M: [u64; 2] = [0xD2E7_470E_E14C_6C93, 0xCA5A_8263_9512_1157];
const PHILOX_W: [u64; 2] = [0x9E37_79B9_7F4A_7C15, 0xBB67_AE85_84CA_A73B];

/// One Philox4x64-10 block: ten rounds of two 64x64->128 multiplies, the key bumped between
/// rounds (Random123's `philox4x64_R` with R = 10).
#[inline]
pub fn philox4x64_10(counter: [u64; 4], key: [u64; 2]) -> [u64; 4] {
    let [mut x0, mut x1, mut x2, mut x3] = counter;
    let [mut k0, mut k1] = key;
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(PHILOX_W[0]);
            k1 = k1.wrapping_add(PHILOX_W[1]);
        }
        let p0 = (PHILOX_M[0] as u128) * (x0 as u128);
        let p1 = (PHILOX_M[1] as u128) * (x2 as u128);
        let (hi0, lo0) = ((p0 >> 64) as u64, p0 as u64);
        let (hi1, lo1) = ((p1 >> 64) as u64, p1 as u64);
        (x0, x1, x2, x3) = (hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0);
    }
    [x0, x1, x2, x3]
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
    fn a_stream_repositioned_in_place_draws_as_a_new_one() {
        // A used stream of another family and run, part-way through a block, repositioned:
        // the same draws as a stream made afresh, for both generators.
        for generator in [Generator::Philox, Generator::ChaCha8] {
            let key = FamilyKey::derive_for(generator, 7, "action:pause-sync");
            let mut stream = FamilyKey::derive_for(generator, 9, "role:on-call").stream(3);
            let _: [u64; 3] = std::array::from_fn(|_| stream.random());
            key.position(&mut stream, 4711);
            let mut fresh = key.stream(4711);
            for _ in 0..9 {
                assert_eq!(
                    stream.random::<u64>(),
                    fresh.random::<u64>(),
                    "{generator:?}"
                );
            }
        }
    }

    #[test]
    fn philox_matches_the_random123_known_answers() {
        // Random123's kat_vectors, "philox4x64 10": counter, key -> block.
        let cases: [([u64; 4], [u64; 2], [u64; 4]); 3] = [
            (
                [0; 4],
                [0; 2],
                [
                    0x1655_4d9e_ca36_314c,
                    0xdb20_fe9d_672d_0fdc,
                    0xd7e7_72ce_e186_176b,
                    0x7e68_b68a_ec7b_a23b,
                ],
            ),
            (
                [u64::MAX; 4],
                [u64::MAX; 2],
                [
                    0x87b0_92c3_013f_e90b,
                    0x438c_3c67_be8d_0224,
                    0x9cc7_d7c6_9cd7_77b6,
                    0xa09c_aebf_594f_0ba0,
                ],
            ),
            (
                [
                    0x243f_6a88_85a3_08d3,
                    0x1319_8a2e_0370_7344,
                    0xa409_3822_299f_31d0,
                    0x082e_fa98_ec4e_6c89,
                ],
                [0x4528_21e6_38d0_1377, 0xbe54_66cf_34e9_0c6c],
                [
                    0xa528_f454_03e6_1d95,
                    0x38c7_2dbd_566e_9788,
                    0xa5a1_610e_72fd_18b5,
                    0x57bd_43b5_e52b_7fe6,
                ],
            ),
        ];
        for (counter, key, block) in cases {
            assert_eq!(philox4x64_10(counter, key), block);
        }
    }

    #[test]
    fn a_stream_hands_out_its_blocks_in_counter_order() {
        let key = FamilyKey::derive(3, "fault:x");
        let mut stream = key.stream(42);
        let words: Vec<u64> = (0..9).map(|_| stream.random::<u64>()).collect();
        let blocks: Vec<u64> = (0..3)
            .flat_map(|b| philox4x64_10([b, 42, 0, 0], [key.words[0], key.words[1]]))
            .collect();
        assert_eq!(words, blocks[..9]);
    }

    #[test]
    fn the_chacha8_generator_draws_what_ttx_drew_before_philox() {
        // The first three draws of family "role:on-call", seed 7, run 4711, as ttx before
        // issue 19 drew them (its `FamilyKey::stream`: ChaCha8 keyed by the four SplitMix64
        // words, stream = run). Old drill journals rescore only if these stay the same.
        let mut stream = FamilyKey::derive_for(Generator::ChaCha8, 7, "role:on-call").stream(4711);
        let first: [u64; 3] = std::array::from_fn(|_| stream.random());
        assert_eq!(
            first,
            [
                14_695_208_134_868_240_566,
                10_434_518_603_965_664_213,
                8_914_121_203_752_387_788
            ]
        );
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
