/**
 * Weights w_i of the global update θ_global = Σ_i w_i R_i (algorithm.md, server step 4):
 * - mean (paper): w_i = 1/|U|
 * - fedavg (the seed's addition): w_i = n_i / Σ_j n_j, n_i = client i's number of interactions as
 *   it claims them, capped at `countCap` (the catalogue size: one interaction per item), so a
 *   client that claims 10⁸ weighs no more than one that rated every item.
 * - sum: w_i = 1, the clients' changes are added (only meaningful with a server optimiser, which
 *   steps on Δ = Σ_i w_i (R_i − T_i); as in centralised SGD, an item rated by many moves by all
 *   their gradients instead of their average diluted by everyone who did not rate it).
 * Returns null when FedAvg has nothing to weigh (every participant reported n_i = 0): the caller
 * then keeps the previous global table, as the seed does.
 */
export type GlobalUpdateRule = "mean" | "fedavg" | "sum";

export function globalUpdateWeights(
  rule: GlobalUpdateRule,
  sampleCounts: readonly number[],
  countCap: number,
): Float64Array | null {
  const n = sampleCounts.length;
  if (n === 0) return null;
  if (rule === "mean") return new Float64Array(n).fill(1 / n);
  if (rule === "sum") return new Float64Array(n).fill(1);
  if (!(countCap >= 0)) throw new Error(`fedavg needs a count cap ≥ 0, got ${countCap}`);
  const counts = sampleCounts.map((count) => {
    if (!(count >= 0) || !Number.isFinite(count)) throw new Error(`fedavg needs finite counts ≥ 0, got ${count}`);
    return Math.min(count, countCap);
  });
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  return Float64Array.from(counts, (count) => count / total);
}
