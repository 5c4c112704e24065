/**
 * Best-validation retention and early stopping. Round r's combined validation metric was measured
 * by clients that trained on the tables the server sent in round r (T_r), so the tables worth
 * keeping are T_r of the best round, not the tables after the last one:
 *   best = argmax_r valHR@10(r)   (ties: the earlier round, best-validation.ts)
 *   stop after round r when patience > 0 and r − best ≥ patience.
 * Rounds without a best yet count from round 0. The tables are kept by reference, never copied:
 * aggregateTrain returns new tables and never writes into the ones it was given, so T_r stays as
 * it was sent. Generic over what "the tables" are (the simulator's and the coordinator's
 * ServerTables, or anything else).
 */
import { improvesOn } from "./best-validation.ts";
import type { RankingMetrics } from "./ranking-metrics.ts";

export interface BestRound<T> {
  readonly round: number;
  /** The round's combined validation metrics. */
  readonly val: RankingMetrics;
  /** The tables sent in that round. */
  readonly tables: T;
}

export class BestTableTracker<T> {
  private current: BestRound<T> | null;

  /** `best`: the state to continue from (a restart), or null at the start of a run. */
  constructor(best: BestRound<T> | null = null) {
    this.current = best;
  }

  get best(): BestRound<T> | null {
    return this.current;
  }

  /** Whether a round with these validation metrics would be the new best (nothing is kept). */
  wouldImprove(val: RankingMetrics): boolean {
    return improvesOn(val.hr10, this.current?.val.hr10 ?? null);
  }

  /**
   * Offers round `round`: its combined validation metrics and the tables that were sent in it.
   * Returns true when it is the new best (and is kept).
   */
  observe(round: number, val: RankingMetrics, tables: T): boolean {
    if (this.current !== null && round <= this.current.round) {
      throw new Error(`round ${round} offered after round ${this.current.round}`);
    }
    if (!this.wouldImprove(val)) return false;
    this.current = { round, val, tables };
    return true;
  }

  /** Whether a federation with this patience (0 = off) stops after `completedRounds`. */
  patienceExhausted(patience: number, completedRounds: number): boolean {
    return patience > 0 && completedRounds - (this.current?.round ?? 0) >= patience;
  }
}
