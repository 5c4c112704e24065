/**
 * Neighbourhood normalisation S → S'' (algorithm.md, server step 2), one row per participant:
 * - topk (paper): the k largest S_ij of row i, self included, each get 1/k; others 0. Ties go to
 *   the user itself, then to the lower index. k larger than the row is clipped to the row size.
 * - threshold (GPFedRec): j with S_ij > mean(S)·factor get 1/|N_i|; if none, S''_ii = 1.
 * - dense (the seed's simplified rule): S_ij⁺ / Σ_j S_ij⁺ with negative similarities clipped to 0,
 *   since a negative weight would subtract a dissimilar user's table. S_ii = 1 keeps rows non-empty.
 * - none: S'' = I, no graph — each R_i is the client's own table (for ablations: with
 *   `global` distribution and `fedavg` this is plain FedAvg; with `personalized`, local-only training).
 * Every row of S'' sums to 1.
 */
import type { SparseRows } from "./sparse-rows.ts";

export type NeighbourhoodRule =
  | { readonly kind: "topk"; readonly k: number }
  | { readonly kind: "threshold"; readonly factor: number }
  | { readonly kind: "dense" }
  | { readonly kind: "none" };

export function normaliseNeighbourhood(similarity: Float64Array, n: number, rule: NeighbourhoodRule): SparseRows {
  if (similarity.length !== n * n) throw new Error(`similarity has ${similarity.length} entries, expected ${n}×${n}`);
  switch (rule.kind) {
    case "topk":
      return topK(similarity, n, rule.k);
    case "threshold":
      return threshold(similarity, n, rule.factor);
    case "dense":
      return dense(similarity, n);
    case "none":
      return identity(n);
  }
}

function topK(s: Float64Array, n: number, k: number): SparseRows {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topk needs an integer k ≥ 1, got ${k}`);
  const size = Math.min(k, n);
  const columns: Int32Array[] = [];
  const weights: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const chosen = largestInRow(s, n, i, size).sort((a, b) => a - b);
    columns.push(chosen);
    weights.push(new Float64Array(size).fill(1 / size));
  }
  return { n, columns, weights };
}

/** Indices of the `size` largest entries of row i, by insertion into a sorted buffer: O(n·size). */
function largestInRow(s: Float64Array, n: number, i: number, size: number): Int32Array {
  const row = i * n;
  // Self first: with ties it stays ahead of everyone; then lower indices win ties.
  const best = new Int32Array(size).fill(-1);
  let filled = 0;
  const before = (a: number, b: number): boolean =>
    s[row + a]! > s[row + b]! || (s[row + a] === s[row + b] && (a === i || (b !== i && a < b)));
  const offer = (j: number): void => {
    if (filled === size && !before(j, best[size - 1]!)) return;
    let p = filled < size ? filled++ : size - 1;
    while (p > 0 && before(j, best[p - 1]!)) {
      best[p] = best[p - 1]!;
      p--;
    }
    best[p] = j;
  };
  offer(i);
  for (let j = 0; j < n; j++) if (j !== i) offer(j);
  return best;
}

function threshold(s: Float64Array, n: number, factor: number): SparseRows {
  let mean = 0;
  for (let i = 0; i < s.length; i++) mean += s[i]!;
  const cut = (mean / s.length) * factor;
  const columns: Int32Array[] = [];
  const weights: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const chosen: number[] = [];
    for (let j = 0; j < n; j++) if (s[i * n + j]! > cut) chosen.push(j);
    if (chosen.length === 0) chosen.push(i);
    columns.push(Int32Array.from(chosen));
    weights.push(new Float64Array(chosen.length).fill(1 / chosen.length));
  }
  return { n, columns, weights };
}

function dense(s: Float64Array, n: number): SparseRows {
  const columns: Int32Array[] = [];
  const weights: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const chosen: number[] = [];
    const values: number[] = [];
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = s[i * n + j]!;
      if (v > 0) {
        chosen.push(j);
        values.push(v);
        sum += v;
      }
    }
    if (sum === 0) {
      columns.push(Int32Array.of(i));
      weights.push(Float64Array.of(1));
      continue;
    }
    columns.push(Int32Array.from(chosen));
    weights.push(Float64Array.from(values, (v) => v / sum));
  }
  return { n, columns, weights };
}

export function identity(n: number): SparseRows {
  return {
    n,
    columns: Array.from({ length: n }, (_, i) => Int32Array.of(i)),
    weights: Array.from({ length: n }, () => Float64Array.of(1)),
  };
}
