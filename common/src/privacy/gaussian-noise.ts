/**
 * The Gaussian mechanism's noise: i.i.d. N(0, std²) added to every entry; `std` is a standard
 * deviation (σ·C for client-level DP), not a variance. Returns a new array.
 */
import type { RandomSource } from "../random/rng.ts";

export function withGaussianNoise(values: Float32Array, std: number, random: RandomSource): Float32Array {
  if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`noise standard deviation must be finite and ≥ 0, got ${std}`);
  const out = values.slice();
  if (std === 0) return out;
  for (let i = 0; i < out.length; i++) out[i] += std * random.normal();
  return out;
}
