/**
 * A count sketch of unit rows (Charikar, Chen & Farach-Colton 2002; "feature hashing",
 * Weinberger et al. 2009): coordinate c of a row is added, with sign σ(c) = ±1, to bucket h(c)
 * of a `sketchDim`-wide row. E[<sketch(x), sketch(y)>] = <x, y>, with a variance of order 1/sketchDim,
 * at a cost of one pass over the input (n · dim additions) — against n · dim · sketchDim for a
 * dense Gaussian projection. The sketched rows are L2-normalised, so their dot products
 * estimate cosine similarities. h and σ come from a seeded RNG: the same seed, the same sketch.
 */
import { createRng } from "../random/rng.ts";

/** Row-major n × sketchDim sketches of row-major n × dim rows. */
export function countSketch(rows: Float32Array, n: number, dim: number, sketchDim: number, seed: number): Float32Array {
  if (!Number.isInteger(sketchDim) || sketchDim < 1) throw new Error(`sketchDim must be an integer ≥ 1, got ${sketchDim}`);
  if (rows.length < n * dim) throw new Error(`rows hold ${rows.length} values, expected ${n}×${dim}`);
  const rng = createRng(seed);
  const bucket = Int32Array.from({ length: dim }, () => rng.int(sketchDim));
  const sign = Float32Array.from({ length: dim }, () => (rng.int(2) === 0 ? -1 : 1));
  const sketches = new Float32Array(n * sketchDim);
  for (let i = 0; i < n; i++) {
    const inRow = i * dim;
    const outRow = i * sketchDim;
    for (let c = 0; c < dim; c++) sketches[outRow + bucket[c]!] += sign[c]! * rows[inRow + c]!;
    let norm = 0;
    for (let b = 0; b < sketchDim; b++) norm += sketches[outRow + b]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let b = 0; b < sketchDim; b++) sketches[outRow + b]! *= scale;
  }
  return sketches;
}
