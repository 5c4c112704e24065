/**
 * The project's own model family trained centrally: every user's data on one machine and ONE item
 * table θ_item, updated in place. An epoch visits the users in a seeded shuffled order; each runs
 * one ClientRuntime round (config.localEpochs local passes over its positives + fresh negatives,
 * as a device would) starting from the current shared table, and the rows it trained are written
 * back at once — sequential SGD over users, no server table to stay close to (proximal λ = 0) and
 * no upload privacy (noise, pseudo items, float16 are off). Each user keeps its private layers
 * θ_user, θ_umlp, θ_score and their optimiser state. After every epoch each user ranks its
 * held-out items with its own layers and the shared table (evaluateLocally); the result is the
 * test value at the best-validation epoch (bestValidationRound).
 */
import { ClientRuntime, type Clock } from "../client/client-runtime.ts";
import { modelDimensions } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { Dataset } from "../data/dataset.ts";
import { bestValidationRound } from "../metrics/best-validation.ts";
import { combineMetrics, type RankingMetrics } from "../metrics/ranking-metrics.ts";
import { shuffleInPlace } from "../random/rng.ts";
import { initialModel } from "../model/initial-model.ts";
import { streamOf } from "../random/federation-streams.ts";
import { leaveOneOutSplit } from "../split/leave-one-out.ts";
import { evaluateLocally } from "../train/evaluate-locally.ts";
import type { TrainingWorkspace } from "../train/training-workspace.ts";

export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  /** Mean local loss over the users that trained (NaN when none did). */
  readonly loss: number;
  readonly seconds: { readonly train: number; readonly evaluate: number };
  readonly val: RankingMetrics;
  readonly test: RankingMetrics;
}

/** `config` as the centralised trainer runs it: no proximal term, exact uploads. */
export function centralisedConfig(config: FederationConfig): FederationConfig {
  return {
    ...config,
    proximalLambda: 0,
    userWeightsNoiseScale: 0,
    itemNoiseScale: 0,
    pseudoItems: 0,
    uploadPrecision: "float32",
  };
}

export class CentralisedTrainer {
  readonly config: FederationConfig;
  /** The shared θ_item (numItems × itemDim), updated in place by every user. */
  readonly itemTable: Float32Array;
  private readonly users: ClientRuntime[];
  private readonly workspace: TrainingWorkspace;
  private readonly records: EpochRecord[] = [];

  /** The split is leaveOneOutSplit(dataset, evalNegatives, streamOf(seed, "split")), as in the federation. */
  constructor(
    config: FederationConfig,
    dataset: Dataset,
    profiles: readonly Float32Array[],
    private readonly clock: Clock,
  ) {
    if (profiles.length !== dataset.users.length) {
      throw new Error(`got ${profiles.length} profile embeddings for ${dataset.users.length} users`);
    }
    this.config = centralisedConfig(config);
    const initial = initialModel(this.config, modelDimensions(this.config, profiles[0]?.length ?? 0, dataset.numItems));
    this.itemTable = initial.itemTable.slice();
    this.workspace = ClientRuntime.createWorkspace(this.config, initial);
    const splits = leaveOneOutSplit(dataset, this.config.evalNegatives, streamOf(this.config.seed, "split"));
    this.users = splits.map((split, u) => new ClientRuntime(this.config, split, profiles[u]!, u, initial));
  }

  get epochs(): readonly EpochRecord[] {
    return this.records;
  }

  /** The epoch with the best validation HR@10 (bestValidationRound's rule), null before the first. */
  best(): EpochRecord | null {
    return bestValidationRound(this.records.map((r) => ({ ...r, round: r.epoch })));
  }

  runEpoch(): EpochRecord {
    const epoch = this.records.length + 1;
    const itemDim = this.config.itemDim;
    const order = Int32Array.from(this.users, (_, u) => u);
    shuffleInPlace(order, streamOf(this.config.seed, "sampling").fork(epoch));
    const t0 = this.clock();
    const losses: number[] = [];
    for (const u of order) {
      const { upload, loss } = this.users[u]!.runRound(this.itemTable, this.workspace, this.clock);
      upload.rows.forEach((row, r) => this.itemTable.set(upload.values.subarray(r * itemDim, (r + 1) * itemDim), row * itemDim));
      if (!Number.isNaN(loss)) losses.push(loss);
    }
    const t1 = this.clock();
    const evaluations = this.users.map((user) => evaluateLocally(user.modelWith(this.itemTable), user.profile, user.split));
    const record: EpochRecord = {
      epoch,
      loss: losses.length > 0 ? losses.reduce((a, b) => a + b, 0) / losses.length : Number.NaN,
      seconds: { train: t1 - t0, evaluate: this.clock() - t1 },
      val: combineMetrics(evaluations.map((e) => e.val)),
      test: combineMetrics(evaluations.map((e) => e.test)),
    };
    this.records.push(record);
    return record;
  }
}
