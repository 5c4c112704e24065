/**
 * Clients run one after another in this thread, with the very client code a device runs: train on
 * the received table, evaluate locally, build the upload. Per-round scratch state is shared (one
 * workspace); each client keeps only its private layers, optimiser state and random streams.
 */
import { buildUpload } from "../client/client-upload.ts";
import { localTrainingSettings, modelDimensions, optimizerSettings } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { Dataset } from "../data/dataset.ts";
import { createClientModel, type ClientModel } from "../model/client-model.ts";
import type { Rng } from "../random/rng.ts";
import { leaveOneOutSplit, type ClientSplit } from "../split/leave-one-out.ts";
import { evaluateLocally } from "../train/evaluate-locally.ts";
import { createLocalLearner, trainLocally, type LocalLearner } from "../train/local-training.ts";
import { createTrainingWorkspace, type TrainingWorkspace } from "../train/training-workspace.ts";
import type { ClientPool, ClientReport, ClientTask } from "./client-pool.ts";
import { initialModel, streamOf } from "./random-streams.ts";

/** Seconds since an arbitrary origin (performance.now()/1000 in the shells, a fake in tests). */
export type Clock = () => number;

interface ClientState {
  readonly split: ClientSplit;
  readonly profile: Float32Array;
  readonly learner: LocalLearner;
  readonly trainingRng: Rng;
  readonly noiseRng: Rng;
}

export class LocalClients implements ClientPool {
  private readonly clients = new Map<number, ClientState>();
  private readonly workspace: TrainingWorkspace;

  /** `owned`: the clients this pool runs (default: all); a task for another client is an error. */
  constructor(
    private readonly config: FederationConfig,
    dataset: Dataset,
    profiles: readonly Float32Array[],
    private readonly clock: Clock,
    owned: (client: number) => boolean = () => true,
  ) {
    const dims = modelDimensions(config, profiles[0]?.length ?? 0, dataset.numItems);
    const initial = initialModel(config, dims);
    const optimizer = optimizerSettings(config, dataset.numItems);
    this.workspace = createTrainingWorkspace(initial, optimizer);
    const splits = leaveOneOutSplit(dataset, config.evalNegatives, streamOf(config.seed, "split"));
    const withOwnPrivateLayers = (shared: ClientModel, u: number): ClientModel => {
      const own = createClientModel(dims, streamOf(config.seed, "privateInit").fork(u), config.itemInitStd);
      return { ...shared, userMlp: own.userMlp, score: own.score };
    };
    dataset.users.forEach((_, u) => {
      if (!owned(u)) return;
      // per-client: the device draws its private layers itself; θ_user stays shared so similarities compare.
      const start = config.privateInit === "shared" ? initial : withOwnPrivateLayers(initial, u);
      this.clients.set(u, {
        split: splits[u]!,
        profile: profiles[u]!,
        learner: createLocalLearner(start, optimizer),
        trainingRng: streamOf(config.seed, "training").fork(u),
        noiseRng: streamOf(config.seed, "noise").fork(u),
      });
    });
  }

  async runRound(tasks: readonly ClientTask[]): Promise<ClientReport[]> {
    return tasks.map((task) => this.runClient(task));
  }

  async close(): Promise<void> {}

  private runClient({ client, table }: ClientTask): ClientReport {
    const state = this.clients.get(client);
    if (!state) throw new Error(`client ${client} is not run by this pool`);
    const { split, profile, learner } = state;
    const c = this.config;
    const t0 = this.clock();
    const trained = trainLocally(
      learner,
      this.workspace,
      profile,
      table,
      split.train,
      c.negativeExclusion === "train" ? split.trainItems : split.interacted,
      localTrainingSettings(c),
      state.trainingRng,
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
      state.noiseRng,
    );
    return { client, upload, loss: trained.loss, seconds: { train: t1 - t0 + (this.clock() - t2), evaluate: t2 - t1 } };
  }
}
