/**
 * A count sketch of vectors (Charikar, Chen & Farach-Colton 2002; "feature hashing",
 * Weinberger et al. 2009): coordinate c of a row is added, with sign σ(c) = ±1, to bucket h(c)
 * of a `sketchDim`-wide row. Linear, with E[<s(x), s(y)>] = <x, y> and so E‖s(x) − s(y)‖² = ‖x − y‖²,
 * with a variance of order 1/sketchDim, at a cost of one pass over the input (n · dim additions) —
 * against n · dim · sketchDim for a dense Gaussian projection. h and σ come from a seeded RNG: the
 * same seed, the same sketch.
 */
import { createRng } from "../random/rng.ts";

/** What is sketched of row j: scale_j · v_j − offset (each default: 1, 0). */
export interface SketchedRows {
  /** A factor per row (e.g. 1/‖v_j‖ for the unit rows). */
  readonly scale?: Float64Array;
  /** Subtracted from every scaled row (e.g. their mean), in float64 before the sketch. */
  readonly offset?: Float64Array;
}

/**
 * Row-major n × sketchDim sketches of n equal-length vectors, summed in float64: rows that share a
 * large common part keep the digits of what differs when that part is the `offset`.
 */
export function countSketch(
  vectors: readonly Float32Array[],
  sketchDim: number,
  seed: number,
  rows: SketchedRows = {},
): Float32Array {
  if (!Number.isInteger(sketchDim) || sketchDim < 1) throw new Error(`sketchDim must be an integer ≥ 1, got ${sketchDim}`);
  const n = vectors.length;
  const dim = vectors[0]?.length ?? 0;
  const rng = createRng(seed);
  const bucket = Int32Array.from({ length: dim }, () => rng.int(sketchDim));
  const sign = Float32Array.from({ length: dim }, () => (rng.int(2) === 0 ? -1 : 1));
  const offset = rows.offset ?? new Float64Array(dim);
  const sketches = new Float32Array(n * sketchDim);
  const sum = new Float64Array(sketchDim);
  vectors.forEach((row, i) => {
    if (row.length !== dim) throw new Error(`vector ${i} has length ${row.length}, expected ${dim}`);
    const scale = rows.scale?.[i] ?? 1;
    sum.fill(0);
    for (let c = 0; c < dim; c++) sum[bucket[c]!] += sign[c]! * (row[c]! * scale - offset[c]!);
    sketches.set(sum, i * sketchDim);
  });
  return sketches;
}
