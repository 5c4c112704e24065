/**
 * The server's side of a round as one object with Flower's vocabulary:
 *   configureTrain    which table each participant is sent (its personalised R_i, else θ_global);
 *   aggregateTrain    the new server tables from the participants' uploads — graph, item-table
 *                     update, server optimiser (the pure maths of aggregation/graph-strategy.ts);
 *   aggregateEvaluate every client's latest metrics combined (weighted by evaluation counts), and
 *                     whether the round becomes the best-validation round (BestTableTracker).
 * It owns the server tables, the clients' latest metrics and the best round. aggregateTrain is
 * asynchronous, so a shell may run the maths elsewhere (a worker thread) through its
 * TableAggregator; nothing changes until `commit`, which the round machine calls once the journal
 * has persisted the outcome.
 *
 * Summation order is part of the contract (the simulator and a live run agree bit for bit):
 * uploads arrive in slot order, and latest metrics are combined in the order clients first
 * reported them.
 */
import {
  aggregateEvaluate,
  aggregateTrain,
  tableFor,
  type AggregateTrainOutput,
  type GraphStrategyOptions,
  type ServerTables,
  type TrainResult,
} from "../aggregation/graph-strategy.ts";
import type { GramKernel } from "../graph/cosine-similarity.ts";
import { BestTableTracker, type BestRound } from "../metrics/best-table-tracker.ts";
import type { RandomSource } from "../random/rng.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { AcceptedUpload } from "./federation-types.ts";

/** Runs aggregateTrain's maths: here (inThreadAggregator) or in another thread. `noise`: client-level DP's (options.dp). */
export type TableAggregator = (
  options: GraphStrategyOptions,
  tables: ServerTables,
  results: readonly TrainResult[],
  itemDim: number,
  noise?: RandomSource,
) => AggregateTrainOutput | Promise<AggregateTrainOutput>;

export function inThreadAggregator(gram?: GramKernel): TableAggregator {
  return (options, tables, results, itemDim, noise) => aggregateTrain(options, tables, results, itemDim, gram, noise);
}

/** One accepted upload of a closed round. */
export interface ParticipantUpload {
  readonly clientId: string;
  readonly slot: number;
  readonly upload: AcceptedUpload;
}

export interface RoundEvaluation {
  /** Every client's latest metrics combined. */
  readonly metrics: LocalEvaluation;
  /** The latest metrics by client id, this round's included. */
  readonly latest: ReadonlyMap<string, LocalEvaluation>;
  /** This round with the tables sent in it, when it becomes the best-validation round; else null. */
  readonly best: BestRound<ServerTables> | null;
}

export interface StrategyState {
  readonly tables: ServerTables;
  readonly latestMetrics: ReadonlyMap<string, LocalEvaluation>;
  readonly best: BestRound<ServerTables> | null;
}

export class RoundStrategy {
  private tablesValue: ServerTables;
  private latest: ReadonlyMap<string, LocalEvaluation>;
  private readonly tracker: BestTableTracker<ServerTables>;

  constructor(
    private readonly itemDim: number,
    state: StrategyState,
    private readonly aggregator: TableAggregator,
  ) {
    this.tablesValue = state.tables;
    this.latest = state.latestMetrics;
    this.tracker = new BestTableTracker(state.best);
  }

  /** The tables after the last committed round. */
  get tables(): ServerTables {
    return this.tablesValue;
  }

  get latestMetrics(): ReadonlyMap<string, LocalEvaluation> {
    return this.latest;
  }

  get best(): BestRound<ServerTables> | null {
    return this.tracker.best;
  }

  /** Whether a federation with this patience (0 = off) stops after `completedRounds`. */
  patienceExhausted(patience: number, completedRounds: number): boolean {
    return this.tracker.patienceExhausted(patience, completedRounds);
  }

  /** The table the client in `slot` trains on next. */
  tableFor(slot: number): Float32Array {
    return tableFor(this.tablesValue, slot);
  }

  /** The table each participant (by slot) is sent this round. */
  configureTrain(slots: readonly number[]): { readonly slot: number; readonly table: Float32Array }[] {
    return slots.map((slot) => ({ slot, table: this.tableFor(slot) }));
  }

  /** The server tables after this round's uploads (in slot order); changes nothing here. */
  async aggregateTrain(
    options: GraphStrategyOptions,
    uploads: readonly ParticipantUpload[],
    noise?: RandomSource,
  ): Promise<AggregateTrainOutput> {
    const results: TrainResult[] = uploads.map(({ slot, upload }) => ({
      client: slot,
      userWeights: upload.userWeights,
      items: { base: this.tableFor(slot), rows: upload.rows, values: upload.values },
      numExamples: upload.numExamples,
    }));
    return this.aggregator(options, this.tablesValue, results, this.itemDim, noise);
  }

  /**
   * Round `round`'s combined metrics. They were measured on the tables sent in that round: those
   * are the ones kept when the round becomes the best. Changes nothing here.
   */
  aggregateEvaluate(round: number, uploads: readonly ParticipantUpload[]): RoundEvaluation {
    const latest = new Map(this.latest);
    for (const { clientId, upload } of uploads) latest.set(clientId, upload.metrics);
    const metrics = aggregateEvaluate([...latest.values()]);
    const best = this.tracker.wouldImprove(metrics.val) ? { round, val: metrics.val, tables: this.tablesValue } : null;
    return { metrics, latest, best };
  }

  /** Adopts a round's outcome (after it was persisted). */
  commit(tables: ServerTables, evaluation: RoundEvaluation): void {
    const best = evaluation.best;
    if (best) this.tracker.observe(best.round, best.val, best.tables);
    this.tablesValue = tables;
    this.latest = evaluation.latest;
  }
}
