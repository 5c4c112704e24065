/**
 * Local differential privacy on uploads: i.i.d. Laplace(0, b) noise, b = `scale` (the Laplace
 * scale parameter, not a variance nor a standard deviation: std = b·√2). Returns a new array.
 */
import type { Rng } from "../random/rng.ts";

export function withLaplaceNoise(values: Float32Array, scale: number, rng: Rng): Float32Array {
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new Error(`Laplace scale must be finite and ≥ 0, got ${scale}`);
  const out = values.slice();
  if (scale === 0) return out;
  for (let i = 0; i < out.length; i++) {
    // Inverse CDF: u ∈ (−½, ½) → −b·sign(u)·ln(1 − 2|u|).
    let u = rng.next() - 0.5;
    while (u === -0.5) u = rng.next() - 0.5;
    out[i] += -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return out;
}
