/**
 * The simulator's result: a small, stable JSON contract reused by the dashboard and scripts.
 *   { config, dataset, rounds: [{ round, loss, participants, seconds: { train, aggregate, evaluate },
 *     val: { hr10, ndcg10 }, test: { hr10, ndcg10 }, dpEpsilon }], summary: { bestRound, val, test },
 *     stoppedEarlyAt, privacy }
 * Rounds are numbered from 1; summary reports the test metrics at the best-validation round (the
 * round whose tables the simulator keeps); stoppedEarlyAt is the round after which early stopping
 * ended the run, or null. With client-level DP on, `privacy` holds its settings (clip norm, noise
 * multiplier σ, δ, sampling rate, target ε) and each round's `dpEpsilon` the ε spent up to it at δ.
 */
import type { FederationConfig } from "../config/federation-config.ts";
import { bestValidationRound } from "../metrics/best-validation.ts";
import type { ClientLevelDp } from "../privacy/client-level-dp.ts";

export interface MetricPair {
  readonly hr10: number;
  readonly ndcg10: number;
}

export interface RoundRecord {
  readonly round: number;
  /** Mean local training loss (BCE + proximal) over the round's participants. */
  readonly loss: number;
  readonly participants: number;
  readonly seconds: { readonly train: number; readonly aggregate: number; readonly evaluate: number };
  readonly val: MetricPair;
  readonly test: MetricPair;
  /** ε spent at the configured δ after this round (client-level DP; null: off). */
  readonly dpEpsilon: number | null;
}

export interface DatasetInfo {
  readonly name: string;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  /** HR@10 a random ranking would get on this dataset's test lists (10/(negatives+1) per user). */
  readonly randomHr10: number;
}

export interface SimulationSummary {
  readonly bestRound: number;
  readonly val: MetricPair;
  readonly test: MetricPair;
}

export interface SimulationResult {
  readonly config: FederationConfig;
  readonly dataset: DatasetInfo;
  readonly rounds: readonly RoundRecord[];
  readonly summary: SimulationSummary | null;
  /** The round after which early stopping (`earlyStoppingPatience`) ended the run; null when it did not. */
  readonly stoppedEarlyAt: number | null;
  /** Client-level DP settings in force (null: off). */
  readonly privacy: ClientLevelDp | null;
}

export function summarise(rounds: readonly RoundRecord[]): SimulationSummary | null {
  const best = bestValidationRound(rounds.map((r) => ({ ...r, val: { ...r.val, count: 1 }, test: { ...r.test, count: 1 } })));
  return best ? { bestRound: best.round, val: pair(best.val), test: pair(best.test) } : null;
}

function pair(m: MetricPair): MetricPair {
  return { hr10: m.hr10, ndcg10: m.ndcg10 };
}
