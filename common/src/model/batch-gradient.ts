/**
 * Loss and gradients of one local batch (algorithm.md, "Client u"):
 *   L = (1/B) Σ_b BCE(σ(logit_b), y_b) + λ · mean((θ_item − T_u)²)
 * where the mean runs over all numItems × itemDim entries. Backpropagation exploits the model's
 * structure: the MLP scorer's user-half gradient is (Σ_b δ_b) ⊗ u, and the profile branch is
 * backpropagated once per batch, not once per row (from dL/du summed over the batch).
 */
import type { ClientModel } from "./client-model.ts";
import { backpropDense, reluBackwardInPlace } from "./dense-layer.ts";
import { createRowActivations, dotRow, forwardScoreRow, forwardUserBranch, sigmoid, type UserBranch } from "./forward.ts";
import type { ModelGradients } from "./gradients.ts";

export interface Batch {
  readonly items: Int32Array;
  /** 1 for a positive, 0 for a sampled negative. */
  readonly labels: Float32Array;
}

export interface ProximalTerm {
  /** λ, the weight of the proximal term. */
  readonly lambda: number;
  /** T_u, the table the server sent this round. */
  readonly serverTable: Float32Array;
  /** Rows where θ_item may differ from T_u (all others are equal, so contribute nothing). */
  readonly activeRows: Iterable<number>;
}

/** Numerically stable BCE of σ(logit) against label y ∈ {0, 1}. */
export function bceWithLogit(logit: number, label: number): number {
  return Math.max(logit, 0) - logit * label + Math.log1p(Math.exp(-Math.abs(logit)));
}

/**
 * How a batch's loss and gradients are computed: this file's Float32Array code by default, or
 * another engine with the same contract (the browser's TensorFlow.js kernel).
 */
export type BatchGradientKernel = (
  model: ClientModel,
  profile: Float32Array,
  batch: Batch,
  proximal: ProximalTerm,
  grads: ModelGradients,
) => number;

/** Adds this batch's gradients into `grads` (which the caller cleared) and returns the loss. */
export const accumulateBatchGradient: BatchGradientKernel = function accumulateBatchGradient(
  model: ClientModel,
  profile: Float32Array,
  batch: Batch,
  proximal: ProximalTerm,
  grads: ModelGradients,
): number {
  const { itemDim, userOutDim } = model.dims;
  const branch = forwardUserBranch(model, profile);
  const dUser = new Float32Array(userOutDim);
  const bce =
    model.dims.scorer === "dot"
      ? dotScorerBackward(model, branch, batch, grads, dUser)
      : mlpScorerBackward(model, branch, batch, grads, dUser);
  const size = batch.items.length;
  const [dUserJoint, dMlp0, dMlp1] = [grads.dense[0]!, grads.dense[1]!, grads.dense[2]!];
  // Profile branch, once per batch, from dL/du.
  const dHidden = new Float32Array(model.dims.userHiddenDim);
  backpropDense(model.userMlp[1], dMlp1, dUser, branch.hidden, 0, dHidden, 0);
  reluBackwardInPlace(dHidden, branch.hidden);
  const dJoint = new Float32Array(model.dims.jointDim);
  backpropDense(model.userMlp[0], dMlp0, dHidden, branch.joint, 0, dJoint, 0);
  backpropDense(model.userJoint, dUserJoint, dJoint, profile, 0, null, 0);

  return bce / Math.max(size, 1) + accumulateProximalGradient(model.itemTable, proximal, itemDim, grads.itemTable);
};

/**
 * One scorer's forward and backward pass over a batch: adds the scorer's and the item rows'
 * gradients into `grads` and dL/du into `dUser`; returns the batch's summed BCE.
 */
type ScorerBackward = (
  model: ClientModel,
  branch: UserBranch,
  batch: Batch,
  grads: ModelGradients,
  dUser: Float32Array,
) => number;

/** θ_score's MLP on [u; q_i], row by row. */
const mlpScorerBackward: ScorerBackward = (model, branch, batch, grads, dUser) => {
  const { itemDim, userOutDim } = model.dims;
  const score = model.score;
  const last = score.length - 1;
  const table = model.itemTable;
  const size = batch.items.length;
  const acts = createRowActivations(model);
  const deltas = score.map((layer) => new Float32Array(layer.outDim));
  const sumFirstDelta = new Float32Array(score[0]!.outDim);
  const dScore = grads.dense.slice(3);
  let bce = 0;
  for (let b = 0; b < size; b++) {
    const item = batch.items[b]!;
    const label = batch.labels[b]!;
    const logit = forwardScoreRow(model, branch, table, item, acts);
    bce += bceWithLogit(logit, label);
    deltas[last]![0] = (sigmoid(logit) - label) / size;
    for (let l = last; l >= 1; l--) {
      const below = deltas[l - 1]!;
      below.fill(0);
      backpropDense(score[l]!, dScore[l]!, deltas[l]!, acts.layers[l - 1]!, 0, below, 0);
      reluBackwardInPlace(below, acts.layers[l - 1]!);
    }
    // First layer, item half: its input gradient goes straight into the item's table row.
    const first = deltas[0]!;
    const offset = item * itemDim;
    backpropDense(score[0]!, dScore[0]!, first, table, offset, grads.itemTable, offset, userOutDim, itemDim);
    for (let o = 0; o < first.length; o++) sumFirstDelta[o] += first[o]!;
  }
  // The user half of the first layer sees Σ_b δ_b.
  backpropDense(score[0]!, dScore[0]!, sumFirstDelta, branch.user, 0, dUser, 0, 0, userOutDim, false);
  return bce;
};

/**
 * logit = u · q_i[0 … d−1) + q_i[d−1] (the row's last entry is the item's bias):
 * dL/dq_i = δ·[u; 1] and dL/du = Σ_b δ_b·q_b[0 … d−1), δ = (σ(logit) − y)/B.
 */
const dotScorerBackward: ScorerBackward = (model, branch, batch, grads, dUser) => {
  const itemDim = model.dims.itemDim;
  const table = model.itemTable;
  const user = branch.user; // userOutDim = itemDim − 1
  const size = batch.items.length;
  let bce = 0;
  for (let b = 0; b < size; b++) {
    const offset = batch.items[b]! * itemDim;
    const logit = dotRow(user, table, offset);
    const label = batch.labels[b]!;
    bce += bceWithLogit(logit, label);
    const delta = (sigmoid(logit) - label) / size;
    for (let k = 0; k < user.length; k++) {
      grads.itemTable[offset + k] += delta * user[k]!;
      dUser[k] += delta * table[offset + k]!;
    }
    grads.itemTable[offset + user.length] += delta;
  }
  return bce;
};

/** λ·mean((θ − T)²) over the whole table, and its gradient 2λ(θ − T)/(numItems·itemDim) on active rows. */
export function accumulateProximalGradient(
  table: Float32Array,
  proximal: ProximalTerm,
  itemDim: number,
  gradTable: Float32Array,
): number {
  const { lambda, serverTable, activeRows } = proximal;
  if (lambda === 0) return 0;
  const scale = (2 * lambda) / table.length;
  let sumSquares = 0;
  for (const row of activeRows) {
    const offset = row * itemDim;
    for (let k = 0; k < itemDim; k++) {
      const diff = table[offset + k]! - serverTable[offset + k]!;
      sumSquares += diff * diff;
      gradTable[offset + k] += scale * diff;
    }
  }
  return (lambda * sumSquares) / table.length;
}
