/** NDCG@K for one user with a single relevant item: 1 / log2(rank + 1) when rank ≤ K, else 0. */
export function ndcgAt(rank: number, k: number): number {
  return rank <= k ? 1 / Math.log2(rank + 1) : 0;
}
