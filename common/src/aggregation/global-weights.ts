/**
 * Weights w_i of the global update θ_global = Σ_i w_i R_i (algorithm.md, server step 4):
 * - mean (paper): w_i = 1/|U|
 * - fedavg (the seed's addition): w_i = n_i / Σ_j n_j, n_i = client i's number of interactions.
 * Returns null when FedAvg has nothing to weigh (every participant reported n_i = 0): the caller
 * then keeps the previous global table, as the seed does.
 */
export type GlobalUpdateRule = "mean" | "fedavg";

export function globalUpdateWeights(rule: GlobalUpdateRule, sampleCounts: readonly number[]): Float64Array | null {
  const n = sampleCounts.length;
  if (n === 0) return null;
  if (rule === "mean") return new Float64Array(n).fill(1 / n);
  let total = 0;
  for (const count of sampleCounts) {
    if (!(count >= 0) || !Number.isFinite(count)) throw new Error(`fedavg needs finite counts ≥ 0, got ${count}`);
    total += count;
  }
  if (total === 0) return null;
  return Float64Array.from(sampleCounts, (count) => count / total);
}
