/**
 * The in-process federation: every client trains with the same client code the headless and
 * browser clients run, and the server step is the same strategy the coordinator runs. Platform
 * neutral: the shell supplies the dataset, the profile embeddings and a clock.
 */
import {
  aggregateEvaluate,
  aggregateTrain,
  tableFor,
  type ServerTables,
  type TrainResult,
} from "../aggregation/graph-strategy.ts";
import { sampleParticipants } from "../aggregation/sample-participants.ts";
import { buildUpload } from "../client/client-upload.ts";
import { localTrainingSettings, modelDimensions, optimizerSettings, strategyOptions } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { Dataset } from "../data/dataset.ts";
import type { GramKernel } from "../graph/cosine-similarity.ts";
import { createClientModel, type ModelDimensions } from "../model/client-model.ts";
import { createRng, type Rng } from "../random/rng.ts";
import { leaveOneOutSplit, type ClientSplit } from "../split/leave-one-out.ts";
import { evaluateLocally, type LocalEvaluation } from "../train/evaluate-locally.ts";
import { createLocalLearner, trainLocally, type LocalLearner } from "../train/local-training.ts";
import { createTrainingWorkspace, type TrainingWorkspace } from "../train/training-workspace.ts";
import { summarise, type DatasetInfo, type RoundRecord, type SimulationResult } from "./simulation-result.ts";

/** Seconds since an arbitrary origin (performance.now()/1000 in the shells, a fake in tests). */
export type Clock = () => number;

/** Independent random streams, so that one client's draws never depend on another's. */
const STREAM = { init: 1, split: 2, training: 3, noise: 4, sampling: 5, privateInit: 6 } as const;

export class FederatedSimulation {
  readonly dims: ModelDimensions;
  private readonly splits: ClientSplit[];
  private readonly learners: LocalLearner[];
  private readonly workspace: TrainingWorkspace;
  private readonly trainingRngs: Rng[];
  private readonly noiseRngs: Rng[];
  private readonly latest = new Map<number, LocalEvaluation>();
  private tables: ServerTables;
  private readonly records: RoundRecord[] = [];
  readonly datasetInfo: DatasetInfo;

  constructor(
    readonly config: FederationConfig,
    private readonly dataset: Dataset,
    private readonly profiles: readonly Float32Array[],
    private readonly clock: Clock,
    private readonly gram?: GramKernel,
  ) {
    if (profiles.length !== dataset.users.length) {
      throw new Error(`got ${profiles.length} profile embeddings for ${dataset.users.length} users`);
    }
    const root = createRng(config.seed);
    this.dims = modelDimensions(config, profiles[0]?.length ?? 0, dataset.numItems);
    const initial = createClientModel(this.dims, root.fork(STREAM.init), config.itemInitStd);
    const optimizer = optimizerSettings(config, dataset.numItems);
    this.splits = leaveOneOutSplit(dataset, config.evalNegatives, root.fork(STREAM.split));
    this.learners = dataset.users.map((_, u) => {
      if (config.privateInit === "shared") return createLocalLearner(initial, optimizer);
      // The client draws its private layers itself; θ_user stays shared so θ_user similarities compare.
      const own = createClientModel(this.dims, root.fork(STREAM.privateInit).fork(u), config.itemInitStd);
      return createLocalLearner({ ...initial, userMlp: own.userMlp, score: own.score }, optimizer);
    });
    this.workspace = createTrainingWorkspace(initial, optimizer);
    this.trainingRngs = dataset.users.map((_, u) => root.fork(STREAM.training).fork(u));
    this.noiseRngs = dataset.users.map((_, u) => root.fork(STREAM.noise).fork(u));
    this.tables = { global: initial.itemTable, personal: new Map() };
    this.datasetInfo = describe(dataset, this.splits);
  }

  get rounds(): readonly RoundRecord[] {
    return this.records;
  }

  /** Runs the next round and returns its record. */
  runRound(): RoundRecord {
    const c = this.config;
    const round = this.records.length + 1;
    const everyone = this.dataset.users.map((_, u) => u);
    const samplingRng = createRng(c.seed).fork(STREAM.sampling).fork(round);
    const participants = sampleParticipants(everyone, c.fractionTrain, c.minTrainClients, samplingRng);
    const settings = localTrainingSettings(c);
    const results: TrainResult[] = [];
    let lossSum = 0;
    let lossCount = 0;
    let trainSeconds = 0;
    let evaluateSeconds = 0;
    for (const u of participants) {
      const split = this.splits[u]!;
      const profile = this.profiles[u]!;
      const base = tableFor(this.tables, u);
      const t0 = this.clock();
      const trained = trainLocally(
        this.learners[u]!,
        this.workspace,
        profile,
        base,
        split.train,
        split.interacted,
        settings,
        this.trainingRngs[u]!,
      );
      const t1 = this.clock();
      const metrics = evaluateLocally(trained.trained, profile, split);
      const t2 = this.clock();
      const upload = buildUpload(
        trained.trained,
        trained.changedRows,
        split.train.length,
        metrics,
        c.userWeightsNoiseScale,
        this.noiseRngs[u]!,
      );
      trainSeconds += t1 - t0 + (this.clock() - t2);
      evaluateSeconds += t2 - t1;
      this.latest.set(u, metrics);
      if (!Number.isNaN(trained.loss)) {
        lossSum += trained.loss;
        lossCount++;
      }
      results.push({
        client: u,
        userWeights: upload.userWeights,
        items: { base, rows: upload.rows, values: upload.values },
        numExamples: upload.numExamples,
      });
    }
    const a0 = this.clock();
    this.tables = aggregateTrain(strategyOptions(c), this.tables, results, this.dims.itemDim, this.gram).tables;
    const aggregateSeconds = this.clock() - a0;
    const metrics = aggregateEvaluate([...this.latest.values()]);
    const record: RoundRecord = {
      round,
      loss: lossCount > 0 ? lossSum / lossCount : Number.NaN,
      participants: participants.length,
      seconds: { train: trainSeconds, aggregate: aggregateSeconds, evaluate: evaluateSeconds },
      val: { hr10: metrics.val.hr10, ndcg10: metrics.val.ndcg10 },
      test: { hr10: metrics.test.hr10, ndcg10: metrics.test.ndcg10 },
    };
    this.records.push(record);
    return record;
  }

  /** The global item table after the last round. */
  get globalTable(): Float32Array {
    return this.tables.global;
  }

  result(): SimulationResult {
    return { config: this.config, dataset: this.datasetInfo, rounds: this.records, summary: summarise(this.records) };
  }
}

function describe(dataset: Dataset, splits: readonly ClientSplit[]): DatasetInfo {
  let interactions = 0;
  for (const user of dataset.users) interactions += user.interactions.length;
  let randomHits = 0;
  let tested = 0;
  for (const s of splits) {
    if (!s.test) continue;
    randomHits += Math.min(1, 10 / (s.test.negatives.length + 1));
    tested++;
  }
  return {
    name: dataset.name,
    users: dataset.users.length,
    items: dataset.numItems,
    interactions,
    randomHr10: tested > 0 ? randomHits / tested : 0,
  };
}
