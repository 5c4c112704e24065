/**
 * The topk neighbourhood (neighbourhood.ts) without the n × n similarity matrix, for large
 * federations. The cosine ranking is a Euclidean one: for the unit rows x_j = u_j / ‖u_j‖,
 * cos(u_i, u_j) = 1 − ‖x_i − x_j‖² / 2, so row i's most similar rows are its nearest unit rows.
 * θ_user vectors of one federation share a large common part (every client starts from the same
 * model): their unit rows differ from their mean m by residuals r_j = x_j − m a hundredth their
 * size and cosines differ in the fourth to sixth decimal. ‖x_i − x_j‖ = ‖r_i − r_j‖, so the
 * residuals are count-sketched (count-sketch.ts; E ‖s(a) − s(b)‖² = ‖a − b‖²), computed in float64
 * before the sketch so that float32 keeps their digits, and a CandidateSearch proposes each row's
 * nearest sketches. The `candidates` proposed are re-ranked by their exact cosine (float64), and
 * the k best kept with the exact rule's weights and tie order (self first, then the lower index).
 * Exact whenever every true top-k row is a candidate; neighbour recall on ML-100K is in
 * BENCHMARKS.md. Cost: n · dim for the sketch, the search, n · candidates · dim for the
 * re-ranking — against n² · dim for the exact Gram matrix.
 */
import { countSketch } from "./count-sketch.ts";
import type { SparseRows } from "./sparse-rows.ts";

/**
 * For each of the n row-major `dim`-wide points, the indices of up to `count` points nearest to
 * it in Euclidean distance (itself possibly among them). Shells may inject an ANN index.
 */
export type CandidateSearch = (points: Float32Array, n: number, dim: number, count: number) => Int32Array[];

export interface ApproximateGraphSettings {
  /** Width of the count sketch of the residuals. */
  readonly sketchDim: number;
  /** Candidates per row re-ranked exactly (≥ k). */
  readonly candidates: number;
  readonly seed: number;
}

export const APPROXIMATE_GRAPH_DEFAULTS: ApproximateGraphSettings = { sketchDim: 256, candidates: 64, seed: 0x5ce7c4 };

/**
 * Each row's `size` best candidates by exact cosine (rerankRows); `scale` holds 1/‖u_j‖. Shells
 * may split the rows over threads: the re-ranking is most of an approximate graph's cost.
 */
export type CandidateRerank = (
  vectors: readonly Float32Array[],
  scale: Float64Array,
  candidates: readonly Int32Array[],
  size: number,
) => Int32Array[];

/** The kernels an approximate graph may be given: the candidate search and the re-ranking. */
export interface ApproximateKernels {
  readonly search: CandidateSearch;
  readonly rerank?: CandidateRerank;
}

export function approximateTopK(
  vectors: readonly Float32Array[],
  k: number,
  kernels: ApproximateKernels = { search: exactCandidates },
  settings: ApproximateGraphSettings = APPROXIMATE_GRAPH_DEFAULTS,
): SparseRows {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topk needs an integer k ≥ 1, got ${k}`);
  const n = vectors.length;
  const size = Math.min(k, n);
  const scale = inverseNorms(vectors);
  const sketches = residualSketches(vectors, scale, settings);
  // One more than needed: a row's nearest sketch is usually its own.
  const proposed = kernels.search(sketches, n, settings.sketchDim, Math.min(n, Math.max(settings.candidates, size) + 1));
  const columns = (kernels.rerank ?? rerankRows)(vectors, scale, proposed, size);
  // A row short of candidates (an index may return fewer) keeps what it has, its weights summing to 1.
  return { n, columns, weights: columns.map((c) => new Float64Array(c.length).fill(1 / c.length)) };
}

/** The default CandidateRerank, in this thread; rows [r0, r1) only when given (a thread's share). */
export function rerankRows(
  vectors: readonly Float32Array[],
  scale: Float64Array,
  candidates: readonly Int32Array[],
  size: number,
  r0 = 0,
  r1 = candidates.length,
): Int32Array[] {
  const rows: Int32Array[] = [];
  for (let i = r0; i < r1; i++) rows.push(rerank(vectors, scale, i, candidates[i]!, size));
  return rows;
}

/** 1/‖u_j‖ (0 for a zero vector, which has no direction and is then the origin among the unit rows). */
function inverseNorms(vectors: readonly Float32Array[]): Float64Array {
  const dim = vectors[0]?.length ?? 0;
  return Float64Array.from(vectors, (v, j) => {
    if (v.length !== dim) throw new Error(`vector ${j} has length ${v.length}, expected ${dim}`);
    const norm = Math.sqrt(dotFloat32(v, v));
    return norm > 0 ? 1 / norm : 0;
  });
}

/** Row-major n × sketchDim count sketches of the residuals r_j = u_j / ‖u_j‖ − m, m the mean unit row. */
function residualSketches(
  vectors: readonly Float32Array[],
  scale: Float64Array,
  settings: ApproximateGraphSettings,
): Float32Array {
  const n = vectors.length;
  const dim = vectors[0]?.length ?? 0;
  const mean = new Float64Array(dim);
  vectors.forEach((v, j) => {
    const s = scale[j]! / n;
    for (let c = 0; c < dim; c++) mean[c] += v[c]! * s;
  });
  return countSketch(vectors, settings.sketchDim, settings.seed, { scale, offset: mean });
}

/**
 * Row i's `size` best of its candidates by exact cosine (float64 sums of float32 products), with
 * the exact rule's tie order (self first, then the lower index); sorted by index.
 */
function rerank(
  vectors: readonly Float32Array[],
  scale: Float64Array,
  i: number,
  candidates: Int32Array,
  size: number,
): Int32Array {
  const best = new Int32Array(size);
  const score = new Float64Array(size);
  best[0] = i;
  score[0] = 1;
  let filled = 1;
  const own = vectors[i]!;
  for (let c = 0; c < candidates.length; c++) {
    const j = candidates[c]!;
    if (j === i || j < 0) continue; // −1 pads a short list
    const s = dotFloat32(own, vectors[j]!) * scale[i]! * scale[j]!;
    if (filled === size && !(s > score[size - 1]! || (s === score[size - 1]! && j < best[size - 1]! && best[size - 1] !== i)))
      continue;
    let p = filled < size ? filled++ : size - 1;
    while (p > 0 && (s > score[p - 1]! || (s === score[p - 1]! && best[p - 1] !== i && j < best[p - 1]!))) {
      best[p] = best[p - 1]!;
      score[p] = score[p - 1]!;
      p--;
    }
    best[p] = j;
    score[p] = s;
  }
  return best.subarray(0, filled).sort();
}

/** <a, b> of two float32 vectors, summed in float64 over four accumulators (one typed-array shape: V8 keeps it fast). */
function dotFloat32(a: Float32Array, b: Float32Array): number {
  const length = a.length;
  const end = length - (length % 4);
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  for (let c = 0; c < end; c += 4) {
    s0 += a[c]! * b[c]!;
    s1 += a[c + 1]! * b[c + 1]!;
    s2 += a[c + 2]! * b[c + 2]!;
    s3 += a[c + 3]! * b[c + 3]!;
  }
  for (let c = end; c < length; c++) s0 += a[c]! * b[c]!;
  return s0 + s1 + s2 + s3;
}

const BLOCK = 64;

/** The default CandidateSearch: every pair's squared distance, a block of rows at a time (O(n² · dim)). */
export function exactCandidates(points: Float32Array, n: number, dim: number, count: number): Int32Array[] {
  const out: Int32Array[] = [];
  const closeness = new Float32Array(BLOCK * n);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    for (let j = 0; j < n; j++) {
      const other = points.subarray(j * dim, (j + 1) * dim);
      for (let i = i0; i < i1; i++)
        closeness[(i - i0) * n + j] = -squaredDistance(points.subarray(i * dim, (i + 1) * dim), other);
    }
    for (let i = i0; i < i1; i++) out.push(largest(closeness.subarray((i - i0) * n, (i - i0 + 1) * n), count));
  }
  return out;
}

function squaredDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let c = 0; c < a.length; c++) {
    const d = a[c]! - b[c]!;
    s += d * d;
  }
  return s;
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
