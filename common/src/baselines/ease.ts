/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019), closed form:
 *   G = XᵀX + λI,   P = G⁻¹,   B_ij = −P_ij / P_jj  (each column j divided by its diagonal),   B_jj = 0
 *   score(u, :) = X[u, :]·B,  i.e.  score(u, i) = Σ_{j ∈ train(u)} B_ji
 * λ (a count of users, ≥ 0; with λ = 0 G must already be invertible) is chosen on validation.
 */
import type { ItemScorer } from "./evaluate-scorer.ts";
import { coOccurrence, type BinaryMatrix } from "./interaction-matrix.ts";
import { spdInverse } from "./spd-inverse.ts";

/** EASE's B (n × n, row-major) from G = XᵀX without the ridge; `gram` is not mutated. */
export function easeWeights(gram: Float64Array, n: number, lambda: number): Float64Array {
  if (!Number.isFinite(lambda) || lambda < 0) throw new RangeError(`EASE: λ must be a finite number ≥ 0, got ${lambda}`);
  const g = gram.slice();
  for (let i = 0; i < n; i++) g[i * n + i] += lambda;
  const b = spdInverse(g, n);
  const diagonal = Float64Array.from({ length: n }, (_, j) => b[j * n + j]!);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) b[ri + j] = i === j ? 0 : -b[ri + j]! / diagonal[j]!;
  }
  return b;
}

/** Scores X[u, :]·B for every user of `matrix`. */
export function easeScorer(matrix: BinaryMatrix, weights: Float64Array): ItemScorer {
  const n = matrix.numItems;
  return (user) => {
    const scores = new Float64Array(n);
    for (const j of matrix.rows[user]!) {
      const row = weights.subarray(j * n, (j + 1) * n);
      for (let i = 0; i < n; i++) scores[i] += row[i]!;
    }
    return scores;
  };
}

/** EASE fitted on `matrix` with ridge λ. Pass `gram` (= coOccurrence(matrix)) to reuse it across λ. */
export function fitEase(matrix: BinaryMatrix, lambda: number, gram: Float64Array = coOccurrence(matrix)): ItemScorer {
  return easeScorer(matrix, easeWeights(gram, matrix.numItems, lambda));
}
