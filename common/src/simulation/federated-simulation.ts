/**
 * The in-process federation: the server's side of every round — sample participants, hand each
 * its table, aggregate with the same strategy the coordinator runs, combine the clients' locally
 * computed metrics. Clients run behind a ClientPool: in this thread (LocalClients) or in worker
 * threads (the Node shell). Platform neutral: the shell supplies data, embeddings and a clock.
 * It keeps the tables sent in the best-validation round (BestTableTracker) beside the latest ones
 * and stops early when `earlyStoppingPatience` rounds bring no new best.
 */
import {
  aggregateEvaluate,
  aggregateTrain,
  tableFor,
  type ServerTables,
  type TrainResult,
} from "../aggregation/graph-strategy.ts";
import { sampleParticipants } from "../aggregation/sample-participants.ts";
import { modelDimensions, strategyOptions } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { Dataset } from "../data/dataset.ts";
import type { GramKernel } from "../graph/cosine-similarity.ts";
import { BestTableTracker, type BestRound } from "../metrics/best-table-tracker.ts";
import type { ModelDimensions } from "../model/client-model.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { ClientPool } from "./client-pool.ts";
import { describeDataset } from "./describe-dataset.ts";
import type { Clock } from "../client/client-runtime.ts";
import { LocalClients } from "./local-clients.ts";
import { initialModel } from "../model/initial-model.ts";
import { streamOf } from "../random/federation-streams.ts";
import { summarise, type DatasetInfo, type RoundRecord, type SimulationResult } from "./simulation-result.ts";

export class FederatedSimulation {
  readonly dims: ModelDimensions;
  readonly datasetInfo: DatasetInfo;
  private readonly latest = new Map<number, LocalEvaluation>();
  private readonly records: RoundRecord[] = [];
  private tables: ServerTables;
  private readonly tracker = new BestTableTracker<ServerTables>();

  constructor(
    readonly config: FederationConfig,
    private readonly dataset: Dataset,
    profileDim: number,
    private readonly clients: ClientPool,
    private readonly clock: Clock,
    private readonly gram?: GramKernel,
    /** A trained global item table to start from (warm start); default: the seed's draw. */
    initialItemTable?: Float32Array,
  ) {
    this.dims = modelDimensions(config, profileDim, dataset.numItems);
    const size = this.dims.numItems * this.dims.itemDim;
    if (initialItemTable && initialItemTable.length !== size) {
      throw new Error(`the initial item table has ${initialItemTable.length} values, expected numItems × itemDim = ${size}`);
    }
    this.tables = { global: initialItemTable?.slice() ?? initialModel(config, this.dims).itemTable, personal: new Map() };
    this.datasetInfo = describeDataset(dataset, config.evalNegatives);
  }

  /** A simulation whose clients run one after another in this thread. */
  static inProcess(
    config: FederationConfig,
    dataset: Dataset,
    profiles: readonly Float32Array[],
    clock: Clock,
    gram?: GramKernel,
    initialItemTable?: Float32Array,
  ): FederatedSimulation {
    if (profiles.length !== dataset.users.length) {
      throw new Error(`got ${profiles.length} profile embeddings for ${dataset.users.length} users`);
    }
    const pool = new LocalClients(config, dataset, profiles, clock);
    return new FederatedSimulation(config, dataset, profiles[0]?.length ?? 0, pool, clock, gram, initialItemTable);
  }

  get rounds(): readonly RoundRecord[] {
    return this.records;
  }

  /** The global item table after the last round. */
  get globalTable(): Float32Array {
    return this.tables.global;
  }

  /** The best-validation round and the tables sent in it (null before the first round). */
  get best(): BestRound<ServerTables> | null {
    return this.tracker.best;
  }

  /**
   * The table `client` should recommend with after the run: the one it was (or, not sampled,
   * would have been) sent in the best-validation round; before any round, its current table.
   */
  recommendationTable(client: number): Float32Array {
    return tableFor(this.tracker.best?.tables ?? this.tables, client);
  }

  /** The round after which early stopping ended the run (null: it did not). */
  get stoppedEarlyAt(): number | null {
    const done = this.records.length;
    return done < this.config.rounds && this.tracker.patienceExhausted(this.config.earlyStoppingPatience, done) ? done : null;
  }

  /** All `rounds` have run, or early stopping ended the run. */
  get finished(): boolean {
    return this.records.length >= this.config.rounds || this.stoppedEarlyAt !== null;
  }

  /** Runs the next round and returns its record. */
  async runRound(): Promise<RoundRecord> {
    const c = this.config;
    const round = this.records.length + 1;
    const stopped = this.stoppedEarlyAt;
    if (stopped !== null)
      throw new Error(
        `the run stopped early after round ${stopped}: no new best validation HR@10 for ${c.earlyStoppingPatience} rounds`,
      );
    const everyone = this.dataset.users.map((_, u) => u);
    const participants = sampleParticipants(
      everyone,
      c.fractionTrain,
      c.minTrainClients,
      streamOf(c.seed, "sampling").fork(round),
    );
    const tasks = participants.map((client) => ({ client, table: tableFor(this.tables, client) }));
    const t0 = this.clock();
    const reports = await this.clients.runRound(tasks);
    const clientSeconds = this.clock() - t0;
    const results: TrainResult[] = reports.map(({ client, upload }, i) => ({
      client,
      userWeights: upload.userWeights,
      items: { base: tasks[i]!.table, rows: upload.rows, values: upload.values },
      numExamples: upload.numExamples,
    }));
    const a0 = this.clock();
    const sent = this.tables;
    this.tables = aggregateTrain(strategyOptions(c), this.tables, results, this.dims.itemDim, this.gram).tables;
    const aggregateSeconds = this.clock() - a0;
    for (const r of reports) this.latest.set(r.client, r.upload.metrics);
    const metrics = aggregateEvaluate([...this.latest.values()]);
    this.tracker.observe(round, metrics.val, sent);
    const losses = reports.map((r) => r.loss).filter((l) => !Number.isNaN(l));
    const record: RoundRecord = {
      round,
      loss: losses.length > 0 ? losses.reduce((a, b) => a + b, 0) / losses.length : Number.NaN,
      participants: participants.length,
      seconds: { ...splitClientTime(clientSeconds, reports), aggregate: aggregateSeconds },
      val: { hr10: metrics.val.hr10, ndcg10: metrics.val.ndcg10 },
      test: { hr10: metrics.test.hr10, ndcg10: metrics.test.ndcg10 },
    };
    this.records.push(record);
    return record;
  }

  result(): SimulationResult {
    return {
      config: this.config,
      dataset: this.datasetInfo,
      rounds: this.records,
      summary: summarise(this.records),
      stoppedEarlyAt: this.stoppedEarlyAt,
    };
  }

  close(): Promise<void> {
    return this.clients.close();
  }
}

/**
 * Wall time of the client phase, split into training and evaluation in the proportion the clients
 * measured (with parallel clients the per-client times add up to more than the wall time).
 */
function splitClientTime(wall: number, reports: readonly { seconds: { train: number; evaluate: number } }[]) {
  let train = 0;
  let evaluate = 0;
  for (const r of reports) {
    train += r.seconds.train;
    evaluate += r.seconds.evaluate;
  }
  const total = train + evaluate;
  return total > 0 ? { train: (wall * train) / total, evaluate: (wall * evaluate) / total } : { train: wall, evaluate: 0 };
}
