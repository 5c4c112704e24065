/** HR@K for one user: 1 when the held-out item is ranked within the top K, else 0. */
export function hitRatioAt(rank: number, k: number): number {
  return rank <= k ? 1 : 0;
}
