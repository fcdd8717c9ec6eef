// Randomness as an injected dependency, like a Clock: e.g. the WAN emulator's loss and
// jitter draw from a RandomSource so tests run with a seeded one and get the same packets
// lost on every run; test data generators use it to be repeatable. Never for secrets.

/** Returns a float in [0, 1), like Math.random. */
export type RandomSource = () => number;

export const systemRandom: RandomSource = Math.random;

/**
 * A small, fast seeded PRNG (mulberry32, public domain, by Tommy Ettinger). Good enough
 * statistics for Bernoulli loss and jitter; not cryptographic.
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
