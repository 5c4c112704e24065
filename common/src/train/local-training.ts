/**
 * One round of local training on a client (algorithm.md, "Client u"): θ_item ← T_u, then
 * `localEpochs` passes over positives + fresh negatives in shuffled mini-batches. Only the rows
 * of θ_item the client touched can differ from T_u afterwards; they are reported as the upload.
 */
import { cloneClientModel, type ClientModel } from "../model/client-model.ts";
import { accumulateBatchGradient, type BatchGradientKernel } from "../model/batch-gradient.ts";
import { clearGradients } from "../model/gradients.ts";
import {
  createOptimizerState,
  optimizerStep,
  resetItemState,
  type OptimizerSettings,
  type OptimizerState,
} from "../model/optimizer.ts";
import type { Rng } from "../random/rng.ts";
import { shuffleInPlace } from "../random/rng.ts";
import { buildTrainingSamples } from "../split/training-negatives.ts";
import type { TrainingWorkspace } from "./training-workspace.ts";
import { addWeightDecay } from "./weight-decay.ts";

export interface LocalTrainingSettings {
  readonly localEpochs: number;
  readonly batchSize: number;
  /** Sampled negatives per training positive. */
  readonly numNegatives: number;
  /** λ of the proximal term λ·mean((θ_item − T_u)²). */
  readonly proximalLambda: number;
  /** L2 coefficient on the parameters each batch uses (weight-decay.ts); 0 = off. */
  readonly weightDecay: number;
}

/** θ_user, θ_umlp and θ_score: the layers a client keeps between rounds (the item table comes from the server). */
export type PrivateLayers = Omit<ClientModel, "itemTable">;

/** What a client keeps on the device between rounds: its layers and their optimiser. */
export interface LocalLearner {
  readonly model: PrivateLayers;
  readonly optimizer: OptimizerState;
}

/** A client's learner starting from the federation's initial model (its own copy of the layers). */
export function createLocalLearner(initial: ClientModel, settings: OptimizerSettings): LocalLearner {
  const { itemTable: _sharedTable, ...layers } = cloneClientModel({ ...initial, itemTable: new Float32Array(0) });
  return { model: layers, optimizer: createOptimizerState(initial, settings) };
}

export interface LocalTrainingResult {
  /** Mean loss (BCE + proximal) over the round's batches; NaN when there was nothing to train. */
  readonly loss: number;
  /** Training samples per epoch (positives + negatives). */
  readonly samples: number;
  /** Sorted rows of θ_item that may differ from T_u. */
  readonly changedRows: Int32Array;
  /** The trained model of this round (its item table is the workspace's, valid until the next round). */
  readonly trained: ClientModel;
}

/** Progress after each local epoch (for a device that shows it). */
export interface EpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** Mean loss of the round's batches so far. */
  readonly loss: number;
}

/** trainLocally as a generator that pauses after every epoch (same draws, same result). */
export function* localTrainingEpochs(
  learner: LocalLearner,
  workspace: TrainingWorkspace,
  profile: Float32Array,
  serverTable: Float32Array,
  positives: Int32Array,
  excludedFromNegatives: Uint8Array,
  settings: LocalTrainingSettings,
  rng: Rng,
  batchGradient: BatchGradientKernel = accumulateBatchGradient,
): Generator<EpochProgress, LocalTrainingResult> {
  const { grads, activeRows, itemOptimizer } = workspace;
  const model: ClientModel = { ...learner.model, itemTable: workspace.itemTable };
  const itemDim = model.dims.itemDim;
  resetItemState(itemOptimizer, activeRows, itemDim);
  clearGradients(grads, activeRows, itemDim);
  activeRows.clear();
  model.itemTable.set(serverTable);

  const samples = buildTrainingSamples(positives, excludedFromNegatives, settings.numNegatives, rng);
  const count = samples.items.length;
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const proximal = { lambda: settings.proximalLambda, serverTable, activeRows };
  let lossSum = 0;
  let batches = 0;
  for (let epoch = 0; epoch < settings.localEpochs; epoch++) {
    shuffleInPlace(order, rng);
    for (let start = 0; start < count; start += settings.batchSize) {
      const size = Math.min(settings.batchSize, count - start);
      const items = new Int32Array(size);
      const labels = new Float32Array(size);
      for (let b = 0; b < size; b++) {
        const s = order[start + b]!;
        items[b] = samples.items[s]!;
        labels[b] = samples.labels[s]!;
        activeRows.add(items[b]!);
      }
      clearGradients(grads, activeRows, itemDim);
      lossSum += batchGradient(model, profile, { items, labels }, proximal, grads);
      addWeightDecay(model, grads, items, settings.weightDecay);
      optimizerStep(learner.optimizer, itemOptimizer, model, grads, activeRows);
      batches++;
    }
    yield { epoch: epoch + 1, epochs: settings.localEpochs, loss: batches > 0 ? lossSum / batches : Number.NaN };
  }
  return { loss: batches > 0 ? lossSum / batches : Number.NaN, samples: count, changedRows: activeRows.sorted(), trained: model };
}

/** One round of local training, start to finish (see localTrainingEpochs). */
export function trainLocally(...args: Parameters<typeof localTrainingEpochs>): LocalTrainingResult {
  const epochs = localTrainingEpochs(...args);
  let step = epochs.next();
  while (!step.done) step = epochs.next();
  return step.value;
}
