/**
 * Loss and gradients of one local batch (algorithm.md, "Client u"):
 *   L = (1/B) Σ_b BCE(σ(logit_b), y_b) + λ · mean((θ_item − T_u)²)
 * where the mean runs over all numItems × itemDim entries. Backpropagation exploits the model's
 * structure: the scorer's user-half gradient is (Σ_b δ_b) ⊗ u, and the profile branch is
 * backpropagated once per batch, not once per row.
 */
import type { ClientModel } from "./client-model.ts";
import { accumulateWeightGrad, backpropInput, reluBackwardInPlace } from "./dense-layer.ts";
import { createRowActivations, forwardScoreRow, forwardUserBranch, sigmoid } from "./forward.ts";
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

/** Adds this batch's gradients into `grads` (which the caller cleared) and returns the loss. */
export function accumulateBatchGradient(
  model: ClientModel,
  profile: Float32Array,
  batch: Batch,
  proximal: ProximalTerm,
  grads: ModelGradients,
): number {
  const { itemDim, userOutDim } = model.dims;
  const score = model.score;
  const last = score.length - 1;
  const table = model.itemTable;
  const size = batch.items.length;
  const branch = forwardUserBranch(model, profile);
  const acts = createRowActivations(model);
  const deltas = score.map((layer) => new Float32Array(layer.outDim));
  const sumFirstDelta = new Float32Array(score[0]!.outDim);
  const itemGradRow = new Float32Array(itemDim);
  const [dUserJoint, dMlp0, dMlp1] = [grads.dense[0]!, grads.dense[1]!, grads.dense[2]!];
  const dScore = grads.dense.slice(3);
  let bce = 0;

  for (let b = 0; b < size; b++) {
    const item = batch.items[b]!;
    const label = batch.labels[b]!;
    const logit = forwardScoreRow(model, branch, table, item, acts);
    bce += bceWithLogit(logit, label);
    deltas[last]![0] = (sigmoid(logit) - label) / size;
    for (let l = last; l >= 1; l--) {
      accumulateWeightGrad(dScore[l]!, deltas[l]!, acts.layers[l - 1]!);
      backpropInput(score[l]!, deltas[l]!, deltas[l - 1]!);
      reluBackwardInPlace(deltas[l - 1]!, acts.layers[l - 1]!);
    }
    const first = deltas[0]!;
    accumulateWeightGrad(dScore[0]!, first, table, item * itemDim, true, userOutDim, itemDim);
    for (let o = 0; o < first.length; o++) sumFirstDelta[o] += first[o]!;
    backpropInput(score[0]!, first, itemGradRow, 0, userOutDim, itemDim);
    const offset = item * itemDim;
    for (let k = 0; k < itemDim; k++) grads.itemTable[offset + k] += itemGradRow[k]!;
  }

  // Profile branch, once per batch.
  accumulateWeightGrad(dScore[0]!, sumFirstDelta, branch.user, 0, false, 0, userOutDim);
  const dUser = new Float32Array(userOutDim);
  backpropInput(score[0]!, sumFirstDelta, dUser, 0, 0, userOutDim);
  accumulateWeightGrad(dMlp1, dUser, branch.hidden);
  const dHidden = new Float32Array(model.dims.userHiddenDim);
  backpropInput(model.userMlp[1], dUser, dHidden);
  reluBackwardInPlace(dHidden, branch.hidden);
  accumulateWeightGrad(dMlp0, dHidden, branch.joint);
  const dJoint = new Float32Array(model.dims.jointDim);
  backpropInput(model.userMlp[0], dHidden, dJoint);
  accumulateWeightGrad(dUserJoint, dJoint, profile);

  return bce / Math.max(size, 1) + accumulateProximalGradient(table, proximal, itemDim, grads.itemTable);
}

/** λ·mean((θ − T)²) over the whole table, and its gradient 2λ(θ − T)/(numItems·itemDim) on active rows. */
function accumulateProximalGradient(
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
