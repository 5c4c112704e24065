/**
 * Seedable pseudo-random numbers. Every random choice in the core (initialisation, splits,
 * negative sampling, shuffling, DP noise, client sampling) draws from an Rng, so the same seed
 * gives identical numbers on every platform.
 *
 * Generator: sfc32 (Small Fast Counter, 32-bit), seeded through splitmix32 so that nearby
 * seeds give unrelated streams.
 */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n); n must be a positive integer below 2^32. */
  int(n: number): number;
  /** Standard normal N(0, 1) (Box–Muller). */
  normal(): number;
  /** An independent generator derived from this one's seed and a label, e.g. a client index. */
  fork(label: number): Rng;
  /** The generator's position, to continue later from exactly here (restoreRng). */
  state(): RngState;
}

/**
 * Where randomness comes from when only draws are needed: a seeded Rng (simulator, tests) or a
 * cryptographic source (the coordinator's DP noise and sampling, which no seed may reproduce).
 */
export type RandomSource = Pick<Rng, "next" | "normal">;

/** A generator's seed and internal registers (plain numbers: storable as JSON). */
export interface RngState {
  readonly seed: number;
  readonly registers: readonly [number, number, number, number];
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`RNG seed must be an integer, got ${seed}`);
  const mix = splitmix32(seed);
  const rng = generator(seed, [mix(), mix(), mix(), 1]);
  // Discard the first outputs: sfc32 mixes poorly for a few steps after seeding.
  for (let i = 0; i < 12; i++) rng.next();
  return rng;
}

/** A generator continuing exactly where `state` was taken. */
export function restoreRng(state: RngState): Rng {
  return generator(state.seed, state.registers);
}

function generator(seed: number, registers: readonly [number, number, number, number]): Rng {
  let [a, b, c, counter] = registers;
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + counter) >>> 0;
    counter = (counter + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const rng: Rng = {
    next: () => nextUint32() / 4294967296,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
        throw new Error(`Rng.int needs a positive integer bound, got ${n}`);
      }
      // Rejection sampling removes modulo bias.
      const limit = 4294967296 - (4294967296 % n);
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % n;
    },
    normal(): number {
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork: (label: number) => createRng((Math.imul(seed ^ 0x5bd1e995, 31) + Math.imul(label + 1, 0x27d4eb2d)) | 0),
    state: () => ({ seed, registers: [a, b, c, counter] }),
  };
  return rng;
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(items: T[] | Int32Array, rng: Rng): typeof items {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
