/**
 * The generator's source of randomness: xoshiro128** (Blackman and Vigna) on four 32-bit words,
 * which JavaScript computes without bigint or allocation. Like the Beam generator, which seeds a
 * `java.util.Random` with each event's id, the state is reset per event from (seed, event id), so
 * an event depends only on the seed, the options and its id: any event can be made on its own,
 * and a run resumed in the middle gives the same events as one that never stopped.
 */

const TWO_POW_32 = 4_294_967_296
const TWO_POW_21 = 2_097_152
const GOLDEN = 0x9e3779b9

/** A bijective 32-bit mix (the "lowbias32" finalizer): every input bit flips about half the output bits. */
function mix32(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/** Folds a safe integer (up to 2^53, either sign) into 32 bits, both halves taken into account. */
export function foldSeed(seed: number): number {
  const low = seed >>> 0
  const high = Math.floor(seed / TWO_POW_32) >>> 0
  return mix32(low ^ mix32(high + GOLDEN))
}

export class SeededRandom {
  private a = 0
  private b = 0
  private c = 0
  private d = 0

  /**
   * Starts the stream of `key` under `seed32` (from `foldSeed`). For a fixed seed, distinct keys
   * below 2^53 give distinct (a, b) words, so no two events share a stream.
   */
  reset(seed32: number, key: number): void {
    const low = key >>> 0
    const high = Math.floor(key / TWO_POW_32) >>> 0
    const h1 = mix32(low ^ seed32)
    const h2 = mix32(high ^ mix32(h1 + GOLDEN))
    this.a = h1
    this.b = h2
    this.c = mix32(h1 ^ 0x6a09e667) // keeps the state away from all zeros, which xoshiro never leaves
    this.d = mix32((h2 + 0xbb67ae85) >>> 0)
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }

  /** A uniform integer in [0, bound), for 1 ≤ bound ≤ 2^53. */
  below(bound: number): number {
    // One draw suffices while bound · 2^32 is exact in a double; the bias is under bound / 2^32.
    if (bound <= TWO_POW_21) return Math.floor((this.nextUint32() * bound) / TWO_POW_32)
    return Math.floor(this.nextDouble() * bound)
  }

  /** A uniform double in [0, 1) on a grid of 2^-32: one draw, for values that need no finer steps. */
  nextFraction32(): number {
    return this.nextUint32() / TWO_POW_32
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5 // 27 bits
    const low = this.nextUint32() >>> 6 // 26 bits
    return (high * 67_108_864 + low) / 9_007_199_254_740_992
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
