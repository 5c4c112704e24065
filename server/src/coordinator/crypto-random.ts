/**
 * Randomness no seed reproduces, for what the coordinator must keep secret: the client-level DP
 * noise and the Poisson sampling of a DP round (the federation's seed is sent to every client, so
 * a seeded stream would let any of them subtract the noise). Uniforms take 53 bits of Node's CSPRNG;
 * normals come from the polar Box–Muller method. (Floating-point Gaussian samplers leak a little
 * in their low-order bits — docs/privacy.md, "Differential privacy".)
 */
import { randomFillSync } from "node:crypto";
import type { DpRandomness, RandomSource } from "@fedrec/common";

const WORDS = 8192;

export function cryptoRandom(): RandomSource {
  const words = new Uint32Array(WORDS);
  let next = WORDS;
  const word = (): number => {
    if (next === WORDS) {
      randomFillSync(words);
      next = 0;
    }
    return words[next++]!;
  };
  const uniform = (): number => ((word() >>> 5) * 67_108_864 + (word() >>> 6)) / 9_007_199_254_740_992;
  let spare: number | null = null;
  return {
    next: uniform,
    normal(): number {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const factor = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * factor;
      return u * factor;
    },
  };
}

/** Client-level DP's draws for every round, sampling and noise alike, from one CSPRNG (nothing may reproduce them). */
export function secretDpRandomness(): DpRandomness {
  const source = cryptoRandom();
  return () => source;
}
