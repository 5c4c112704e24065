/**
 * ItemKNN (Sarwar et al. 2001; Deshpande & Karypis 2004) on the binary training matrix X:
 *   sim(i, j)   = cos(X[:, i], X[:, j]) = G[i][j] / √(G[i][i]·G[j][j]),   G = XᵀX,   sim(i, i) = 0
 *   sim_k(i, j) = sim(i, j) if j is among the k items most similar to i (ties: lower index), else 0
 *   score(u, i) = Σ_{j ∈ train(u)} sim_k(i, j)
 * An item nobody trained on has similarity 0 to everything.
 */
import type { ItemScorer } from "./evaluate-scorer.ts";
import { coOccurrence, type BinaryMatrix } from "./interaction-matrix.ts";

export const ITEM_KNN_DEFAULT_K = 50;

/** The k nearest neighbours of one item (positive similarities only), most similar first. */
export interface Neighbours {
  readonly items: Int32Array;
  readonly similarities: Float64Array;
}

/** Cosine similarity of item columns from G = XᵀX (n × n, row-major); the diagonal is 0. */
export function cosineFromCoOccurrence(gram: Float64Array, n: number): Float64Array {
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const gi = gram[i * n + i]!;
    for (let j = 0; j < n; j++) {
      const denominator = Math.sqrt(gi * gram[j * n + j]!);
      if (i !== j && denominator > 0) sim[i * n + j] = gram[i * n + j]! / denominator;
    }
  }
  return sim;
}

/** Row i of `sim` pruned to its k largest positive entries. */
export function topKNeighbours(sim: Float64Array, n: number, k: number): Neighbours[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`ItemKNN: k must be a positive integer, got ${k}`);
  return Array.from({ length: n }, (_, i) => {
    const row = sim.subarray(i * n, (i + 1) * n);
    const candidates: number[] = [];
    for (let j = 0; j < n; j++) if (row[j]! > 0) candidates.push(j);
    candidates.sort((a, b) => row[b]! - row[a]! || a - b);
    const kept = candidates.slice(0, k);
    return { items: Int32Array.from(kept), similarities: Float64Array.from(kept, (j) => row[j]!) };
  });
}

export function fitItemKnn(matrix: BinaryMatrix, k = ITEM_KNN_DEFAULT_K): ItemScorer {
  const n = matrix.numItems;
  const neighbours = topKNeighbours(cosineFromCoOccurrence(coOccurrence(matrix), n), n, k);
  // Invert the lists: an item j of train(u) adds sim_k(i, j) to every i that keeps j as a neighbour.
  const incoming: { item: number; similarity: number }[][] = Array.from({ length: n }, () => []);
  neighbours.forEach(({ items, similarities }, i) =>
    items.forEach((j, r) => incoming[j]!.push({ item: i, similarity: similarities[r]! })),
  );
  return (user) => {
    const scores = new Float64Array(n);
    for (const j of matrix.rows[user]!) for (const { item, similarity } of incoming[j]!) scores[item] += similarity;
    return scores;
  };
}
