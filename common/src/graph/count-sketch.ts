/**
 * A count sketch of vectors (Charikar, Chen & Farach-Colton 2002; "feature hashing",
 * Weinberger et al. 2009): coordinate c of a row is added, with sign σ(c) = ±1, to bucket h(c)
 * of a `sketchDim`-wide row. E[<sketch(x), sketch(y)>] = <x, y>, with a variance of order 1/sketchDim,
 * at a cost of one pass over the input (n · dim additions) — against n · dim · sketchDim for a
 * dense Gaussian projection. Normalised sketch rows have dot products that
 * estimate cosine similarities. h and σ come from a seeded RNG: the same seed, the same sketch.
 */
import { createRng } from "../random/rng.ts";

/**
 * Row-major n × sketchDim sketches of n equal-length vectors; `normalise`d, a vector and its
 * multiples share one unit sketch, whose dot products estimate cosines.
 */
export function countSketch(vectors: readonly Float32Array[], sketchDim: number, seed: number, normalise = true): Float32Array {
  if (!Number.isInteger(sketchDim) || sketchDim < 1) throw new Error(`sketchDim must be an integer ≥ 1, got ${sketchDim}`);
  const n = vectors.length;
  const dim = vectors[0]?.length ?? 0;
  const rng = createRng(seed);
  const bucket = Int32Array.from({ length: dim }, () => rng.int(sketchDim));
  const sign = Float32Array.from({ length: dim }, () => (rng.int(2) === 0 ? -1 : 1));
  const sketches = new Float32Array(n * sketchDim);
  for (let i = 0; i < n; i++) {
    const row = vectors[i]!;
    if (row.length !== dim) throw new Error(`vector ${i} has length ${row.length}, expected ${dim}`);
    const outRow = i * sketchDim;
    for (let c = 0; c < dim; c++) sketches[outRow + bucket[c]!] += sign[c]! * row[c]!;
    if (!normalise) continue;
    let norm = 0;
    for (let b = 0; b < sketchDim; b++) norm += sketches[outRow + b]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let b = 0; b < sketchDim; b++) sketches[outRow + b]! *= scale;
  }
  return sketches;
}
