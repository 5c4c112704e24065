/**
 * The field's reporting rule: the test value at the round with the best validation HR@10.
 * Ties go to the later round (as the reference's `>=`), since later models have seen more data.
 */
import type { RankingMetrics } from "./ranking-metrics.ts";

export interface RoundMetrics {
  readonly round: number;
  readonly val: RankingMetrics;
  readonly test: RankingMetrics;
}

export function bestValidationRound<T extends RoundMetrics>(rounds: readonly T[]): T | null {
  let best: T | null = null;
  for (const r of rounds) if (best === null || r.val.hr10 >= best.val.hr10) best = r;
  return best;
}
