/**
 * The topk neighbourhood (neighbourhood.ts) without the n × n similarity matrix, for large
 * federations. θ_user vectors of one federation share a large common part (every client starts
 * from the same model), so their cosines differ in the fourth decimal: a sketch of the raw
 * vectors cannot rank them. Split u_j = m + r_j around the mean m; then, exactly,
 *   <u_i, u_j> = ‖m‖² + <m, r_i> + <m, r_j> + <r_i, r_j>,
 * where only <r_i, r_j> is approximated, by a count sketch s of the residuals (count-sketch.ts).
 * With query q_i = [s_i, 1, <m, r_i>] and item y_j = [s_j, ‖m‖² + <m, r_j>, 1] / ‖u_j‖,
 *   <q_i, y_j> ≈ <u_i, u_j> / ‖u_j‖ = ‖u_i‖ · cos(u_i, u_j),
 * so the largest inner products of q_i (a CandidateSearch) rank row i's neighbours by cosine.
 * The `candidates` proposed are re-ranked by their exact cosine, and the k best kept with the
 * exact rule's weights and tie order (self first, then the lower index). Exact whenever every
 * true top-k row is a candidate; neighbour recall on ML-100K is in BENCHMARKS.md.
 * Cost: n · dim for the sketch, the search, n · candidates · dim for the re-ranking — against
 * n² · dim for the exact Gram matrix.
 */
import { countSketch } from "./count-sketch.ts";
import type { SparseRows } from "./sparse-rows.ts";

/**
 * For each of the n row-major `dim`-wide queries, up to `count` indices of the items (n rows of
 * the same width) with the largest inner products. Shells may inject an ANN index.
 */
export type CandidateSearch = (queries: Float32Array, items: Float32Array, n: number, dim: number, count: number) => Int32Array[];

export interface ApproximateGraphSettings {
  /** Width of the count sketch of the residuals. */
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
  const size = Math.min(k, n);
  const { queries, items, scale } = searchVectors(vectors, settings);
  const proposed = search(queries, items, n, settings.sketchDim + 2, Math.min(n, Math.max(settings.candidates, size)));
  const columns: Int32Array[] = [];
  const weights: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    columns.push(rerank(vectors, scale, i, proposed[i]!, size));
    weights.push(new Float64Array(size).fill(1 / size));
  }
  return { n, columns, weights };
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
    if (j === i) continue;
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

/** q_i, y_j (row-major n × (sketchDim + 2)) and 1/‖u_j‖ (0 for a zero vector). */
function searchVectors(
  vectors: readonly Float32Array[],
  settings: ApproximateGraphSettings,
): { queries: Float32Array; items: Float32Array; scale: Float64Array } {
  const n = vectors.length;
  const dim = vectors[0]?.length ?? 0;
  const mean = new Float64Array(dim);
  for (const v of vectors) for (let c = 0; c < dim; c++) mean[c]! += v[c]! / n;
  const meanSquared = mean.reduce((sum, x) => sum + x * x, 0);
  const scale = Float64Array.from(vectors, (v) => {
    const norm = Math.sqrt(dotFloat32(v, v));
    return norm > 0 ? 1 / norm : 0;
  });
  const towardsMean = Float64Array.from(vectors, (v) => alongMean(mean, v) - meanSquared); // <m, r_j>
  // The sketch is linear: sketch(r_j) = sketch(u_j) − sketch(m), with no residual copies.
  const sketches = countSketch(vectors, settings.sketchDim, settings.seed, false);
  const meanSketch = countSketch([Float32Array.from(mean)], settings.sketchDim, settings.seed, false);
  for (let j = 0; j < n; j++)
    for (let b = 0; b < settings.sketchDim; b++) sketches[j * settings.sketchDim + b]! -= meanSketch[b]!;
  const width = settings.sketchDim + 2;
  const queries = new Float32Array(n * width);
  const items = new Float32Array(n * width);
  for (let j = 0; j < n; j++) {
    const s = sketches.subarray(j * settings.sketchDim, (j + 1) * settings.sketchDim);
    queries.set(s, j * width);
    queries[j * width + settings.sketchDim] = 1;
    queries[j * width + settings.sketchDim + 1] = towardsMean[j]!;
    for (let b = 0; b < settings.sketchDim; b++) items[j * width + b] = s[b]! * scale[j]!;
    items[j * width + settings.sketchDim] = (meanSquared + towardsMean[j]!) * scale[j]!;
    items[j * width + settings.sketchDim + 1] = scale[j]!;
  }
  return { queries, items, scale };
}

function alongMean(mean: Float64Array, v: Float32Array): number {
  let s = 0;
  for (let c = 0; c < v.length; c++) s += mean[c]! * v[c]!;
  return s;
}

const BLOCK = 64;

/** The default CandidateSearch: every query–item inner product, a block of queries at a time (O(n² · dim)). */
export function exactCandidates(queries: Float32Array, items: Float32Array, n: number, dim: number, count: number): Int32Array[] {
  const out: Int32Array[] = [];
  const scores = new Float32Array(BLOCK * n);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    for (let j = 0; j < n; j++) {
      const item = items.subarray(j * dim, (j + 1) * dim);
      for (let i = i0; i < i1; i++) scores[(i - i0) * n + j] = dotFloat32(queries.subarray(i * dim, (i + 1) * dim), item);
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
