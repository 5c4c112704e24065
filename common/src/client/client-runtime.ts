/**
 * One client's side of the federation, as a device runs it: private layers and optimiser state
 * kept between rounds, its own random streams, and per round "train on the table the server sent,
 * evaluate on my held-out items, build the upload". The simulator's LocalClients, the headless
 * Node clients and the browser all run this one class.
 */
import { localTrainingSettings, modelDimensions, optimizerSettings, uploadsUserWeights } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import { accumulateBatchGradient, type BatchGradientKernel } from "../model/batch-gradient.ts";
import { createClientModel, denseLayersOf, type ClientModel } from "../model/client-model.ts";
import { restoreRng, type Rng, type RngState } from "../random/rng.ts";
import { initialModel } from "../model/initial-model.ts";
import { streamOf } from "../random/federation-streams.ts";
import type { ClientSplit } from "../split/leave-one-out.ts";
import { evaluateLocally } from "../train/evaluate-locally.ts";
import {
  createLocalLearner,
  localTrainingEpochs,
  trainLocally,
  type EpochProgress,
  type LocalLearner,
  type LocalTrainingResult,
} from "../train/local-training.ts";
import { createTrainingWorkspace, type TrainingWorkspace } from "../train/training-workspace.ts";
import { buildUpload, type ClientUpload } from "./client-upload.ts";

/** Seconds since an arbitrary origin (performance.now()/1000 in the shells, a fake in tests). */
export type Clock = () => number;

export interface RuntimeSnapshot {
  /** Weight and bias of every dense layer (θ_user, θ_umlp, θ_score), in model order. */
  readonly layers: readonly Float32Array[];
  /** Adam moments of those layers (empty for SGD). */
  readonly moments: readonly Float32Array[];
  readonly denseStep: number;
  readonly rngs: { readonly training: RngState; readonly noise: RngState };
}

export interface RoundOutcome {
  readonly upload: ClientUpload;
  /** Mean local loss; NaN when the client had nothing to train. */
  readonly loss: number;
  /** Time the client spent training (incl. building the upload) and evaluating. */
  readonly seconds: { readonly train: number; readonly evaluate: number };
}

export class ClientRuntime {
  private readonly learner: LocalLearner;
  private trainingRng: Rng;
  private noiseRng: Rng;

  /**
   * `streamKey` selects this client's random streams (its private-layer draw, training negatives,
   * noise): the dataset user index in simulations, a random number on a real device.
   */
  constructor(
    private readonly config: FederationConfig,
    readonly split: ClientSplit,
    readonly profile: Float32Array,
    streamKey: number,
    initial: ClientModel = initialModel(config, modelDimensions(config, profile.length, split.interacted.length)),
    /** The engine that computes batch gradients (default: the core's Float32Array code). */
    private readonly batchGradient: BatchGradientKernel = accumulateBatchGradient,
  ) {
    const optimizer = optimizerSettings(config, initial.dims.numItems);
    // per-client: the device draws its private layers itself; θ_user stays shared so similarities compare.
    const start = config.privateInit === "shared" ? initial : withOwnPrivateLayers(config, initial, streamKey);
    this.learner = createLocalLearner(start, optimizer);
    this.trainingRng = streamOf(config.seed, "training").fork(streamKey);
    this.noiseRng = streamOf(config.seed, "noise").fork(streamKey);
  }

  /** Length of the item table this client trains (numItems × itemDim). */
  get tableLength(): number {
    return this.learner.model.dims.numItems * this.learner.model.dims.itemDim;
  }

  /** Scratch state for `runRound`; clients that run one after another may share one. */
  static createWorkspace(config: FederationConfig, initial: ClientModel): TrainingWorkspace {
    return createTrainingWorkspace(initial, optimizerSettings(config, initial.dims.numItems));
  }

  /** The client's model of the last round (its item table lives in the workspace). */
  modelWith(itemTable: Float32Array): ClientModel {
    return { ...this.learner.model, itemTable };
  }

  /**
   * A model with the private layers of `snapshot` (e.g. those of the best-validation round) and
   * `itemTable`, for recommendations; shares the snapshot's arrays and leaves this runtime as it is.
   */
  modelWithLayers(snapshot: RuntimeSnapshot, itemTable: Float32Array): ClientModel {
    const current = denseLayersOf(this.learner.model);
    const fits =
      snapshot.layers.length === 2 * current.length &&
      current.every(
        (l, i) => snapshot.layers[2 * i]!.length === l.weight.length && snapshot.layers[2 * i + 1]!.length === l.bias.length,
      );
    if (!fits) throw new Error("the saved local model does not fit this federation's model shapes");
    const [userJoint, mlp0, mlp1, ...score] = current.map((l, i) => ({
      inDim: l.inDim,
      outDim: l.outDim,
      weight: snapshot.layers[2 * i]!,
      bias: snapshot.layers[2 * i + 1]!,
    }));
    return { dims: this.learner.model.dims, userJoint: userJoint!, userMlp: [mlp0!, mlp1!], score, itemTable };
  }

  /** Everything the device must keep to continue exactly (e.g. across a page reload). */
  snapshot(): RuntimeSnapshot {
    const { model, optimizer } = this.learner;
    return {
      layers: denseLayersOf(model).flatMap((l) => [l.weight.slice(), l.bias.slice()]),
      moments: optimizer.dense.flatMap((m) => [m.m.slice(), m.v.slice()]),
      denseStep: optimizer.denseStep,
      rngs: { training: this.trainingRng.state(), noise: this.noiseRng.state() },
    };
  }

  /** Continues from a snapshot of a runtime of the same federation and shapes. */
  restore(snapshot: RuntimeSnapshot): void {
    const { model, optimizer } = this.learner;
    const layers = denseLayersOf(model).flatMap((l) => [l.weight, l.bias]);
    const moments = optimizer.dense.flatMap((m) => [m.m, m.v]);
    const fits = (to: Float32Array[], from: readonly Float32Array[]) =>
      to.length === from.length && to.every((a, i) => a.length === from[i]!.length);
    if (!fits(layers, snapshot.layers) || !fits(moments, snapshot.moments)) {
      throw new Error("the saved local model does not fit this federation's model shapes");
    }
    layers.forEach((a, i) => a.set(snapshot.layers[i]!));
    moments.forEach((a, i) => a.set(snapshot.moments[i]!));
    optimizer.denseStep = snapshot.denseStep;
    this.trainingRng = restoreRng(snapshot.rngs.training);
    this.noiseRng = restoreRng(snapshot.rngs.noise);
  }

  runRound(table: Float32Array, workspace: TrainingWorkspace, clock: Clock): RoundOutcome {
    const t0 = clock();
    return this.finishRound(trainLocally(...this.trainingArguments(table, workspace)), table, t0, clock);
  }

  /**
   * The same round, pausing after every local epoch for `afterEpoch` (a page repaints its
   * progress there). Only for a client with its own workspace: nothing else may train meanwhile.
   */
  async runRoundStepwise(
    table: Float32Array,
    workspace: TrainingWorkspace,
    clock: Clock,
    afterEpoch: (progress: EpochProgress) => Promise<void>,
  ): Promise<RoundOutcome> {
    const t0 = clock();
    const epochs = localTrainingEpochs(...this.trainingArguments(table, workspace));
    let step = epochs.next();
    while (!step.done) {
      await afterEpoch(step.value);
      step = epochs.next();
    }
    return this.finishRound(step.value, table, t0, clock);
  }

  private trainingArguments(table: Float32Array, workspace: TrainingWorkspace): Parameters<typeof localTrainingEpochs> {
    const { split, profile, config: c } = this;
    return [
      this.learner,
      workspace,
      profile,
      table,
      split.train,
      c.negativeExclusion === "train" ? split.trainItems : split.interacted,
      localTrainingSettings(c),
      this.trainingRng,
      this.batchGradient,
    ];
  }

  /** Local evaluation and the upload, after training. */
  private finishRound(trained: LocalTrainingResult, table: Float32Array, t0: number, clock: Clock): RoundOutcome {
    const { split, profile, config: c } = this;
    const t1 = clock();
    const metrics = evaluateLocally(trained.trained, profile, split);
    const t2 = clock();
    const privacy = {
      sendUserWeights: uploadsUserWeights(c),
      userWeightsNoiseScale: c.userWeightsNoiseScale,
      itemNoiseScale: c.itemNoiseScale,
      pseudoItems: c.pseudoItems,
    };
    const upload = buildUpload(
      trained.trained,
      trained.changedRows,
      table,
      split.train.length,
      metrics,
      privacy,
      this.noiseRng,
      c.uploadPrecision,
    );
    return { upload, loss: trained.loss, seconds: { train: t1 - t0 + (clock() - t2), evaluate: t2 - t1 } };
  }
}

function withOwnPrivateLayers(config: FederationConfig, shared: ClientModel, streamKey: number): ClientModel {
  const own = createClientModel(shared.dims, streamOf(config.seed, "privateInit").fork(streamKey), config.itemInitStd);
  return { ...shared, userMlp: own.userMlp, score: own.score };
}

/** One workspace for all the clients of a thread (they train one at a time, all with the same shapes). */
export class SharedWorkspace {
  private workspace: TrainingWorkspace | null = null;

  obtain(config: FederationConfig, initial: ClientModel): TrainingWorkspace {
    this.workspace ??= ClientRuntime.createWorkspace(config, initial);
    return this.workspace;
  }
}
