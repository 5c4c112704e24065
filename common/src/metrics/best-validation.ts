/**
 * The field's reporting rule: the test value at the round with the best validation HR@10.
 * Ties go to the earlier round: a later round must be strictly better to replace it. (The public
 * reference code uses `>=`, the later round.) One rule for everything that picks a best round —
 * the simulator's summary, the retained best tables and early stopping (best-table-tracker.ts) —
 * so the reported round is the round whose tables are kept, and a tie is no improvement.
 */
import type { RankingMetrics } from "./ranking-metrics.ts";

export interface RoundMetrics {
  readonly round: number;
  readonly val: RankingMetrics;
  readonly test: RankingMetrics;
}

/** Whether validation HR@10 `candidate` beats the best so far (`best` null: nothing yet, so it does). */
export function improvesOn(candidate: number, best: number | null): boolean {
  return best === null || candidate > best;
}

export function bestValidationRound<T extends RoundMetrics>(rounds: readonly T[]): T | null {
  let best: T | null = null;
  for (const r of rounds) if (improvesOn(r.val.hr10, best?.val.hr10 ?? null)) best = r;
  return best;
}
