/**
 * 1-based rank of the held-out positive among its sampled negatives. Ties count against the
 * positive: a negative scoring exactly as high ranks above it, so a constant model gets the
 * worst rank, not the best.
 */
export function rankOfPositive(positiveScore: number, negativeScores: ArrayLike<number>): number {
  if (Number.isNaN(positiveScore)) return negativeScores.length + 1;
  let above = 0;
  for (let i = 0; i < negativeScores.length; i++) if (!(negativeScores[i]! < positiveScore)) above++;
  return above + 1;
}
