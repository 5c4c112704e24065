/**
 * The topk neighbourhood (neighbourhood.ts) without the n × n similarity matrix, for large
 * federations: each unit θ_user row is count-sketched (count-sketch.ts), a CandidateSearch
 * proposes `candidates` rows per row from the sketches, and the candidates are re-ranked by
 * their exact cosine similarity on the full rows. The k best are kept with the exact rule's
 * weights and tie order (self first, then the lower index). Exact whenever every true top-k row
 * is among the candidates; neighbour recall is measured on ML-100K in BENCHMARKS.md.
 * Cost: n · dim for the sketch, the search, n · candidates · dim for the re-ranking — against
 * n² · dim for the exact Gram matrix.
 */
import { countSketch } from "./count-sketch.ts";
import { unitRows } from "./cosine-similarity.ts";
import type { SparseRows } from "./sparse-rows.ts";

/**
 * For each of the n row-major `dim`-wide unit rows, up to `count` indices of rows with the
 * largest dot products (itself may be among them). Shells may inject an ANN index.
 */
export type CandidateSearch = (rows: Float32Array, n: number, dim: number, count: number) => Int32Array[];

export interface ApproximateGraphSettings {
  /** Width of the count sketch the candidates are searched in. */
  readonly sketchDim: number;
  /** Candidates per row re-ranked exactly (≥ k). */
  readonly candidates: number;
  readonly seed: number;
}

export const APPROXIMATE_GRAPH_DEFAULTS: ApproximateGraphSettings = { sketchDim: 256, candidates: 64, seed: 0x5ce7c4 };

export function approximateTopK(
  vectors: readonly Float32Array[],
  k: number,
  search: CandidateSearch = exactCandidates,
  settings: ApproximateGraphSettings = APPROXIMATE_GRAPH_DEFAULTS,
): SparseRows {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topk needs an integer k ≥ 1, got ${k}`);
  const n = vectors.length;
  const dim = vectors[0]?.length ?? 0;
  const unit = unitRows(vectors);
  const size = Math.min(k, n);
  const sketches = countSketch(unit, n, dim, settings.sketchDim, settings.seed);
  const proposed = search(sketches, n, settings.sketchDim, Math.min(n, Math.max(settings.candidates, size)));
  const columns: Int32Array[] = [];
  const weights: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const pool = new Set<number>(proposed[i]);
    pool.add(i);
    const scored = [...pool].map((j) => ({ j, s: j === i ? 1 : dot(unit, i * dim, j * dim, dim) }));
    scored.sort((a, b) => b.s - a.s || (a.j === i ? -1 : b.j === i ? 1 : a.j - b.j));
    columns.push(Int32Array.from(scored.slice(0, size), (x) => x.j).sort());
    weights.push(new Float64Array(size).fill(1 / size));
  }
  return { n, columns, weights };
}

function dot(x: Float32Array, a: number, b: number, dim: number): number {
  let s = 0;
  for (let c = 0; c < dim; c++) s += x[a + c]! * x[b + c]!;
  return s;
}

const BLOCK = 64;

/** The default CandidateSearch: every pair's dot product, a block of rows at a time (O(n² · dim), O(n) memory per row). */
export function exactCandidates(rows: Float32Array, n: number, dim: number, count: number): Int32Array[] {
  const out: Int32Array[] = [];
  const scores = new Float32Array(BLOCK * n);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    for (let j = 0; j < n; j++) {
      for (let i = i0; i < i1; i++) scores[(i - i0) * n + j] = dot(rows, i * dim, j * dim, dim);
    }
    for (let i = i0; i < i1; i++) out.push(largest(scores.subarray((i - i0) * n, (i - i0 + 1) * n), count));
  }
  return out;
}

/** Indices of the `count` largest values (ties: the lower index), by insertion into a sorted buffer. */
function largest(values: Float32Array, count: number): Int32Array {
  const best = new Int32Array(count);
  let filled = 0;
  for (let j = 0; j < values.length; j++) {
    const v = values[j]!;
    if (filled === count && v <= values[best[count - 1]!]!) continue;
    let p = filled < count ? filled++ : count - 1;
    while (p > 0 && v > values[best[p - 1]!]!) {
      best[p] = best[p - 1]!;
      p--;
    }
    best[p] = j;
  }
  return best.slice(0, filled);
}
