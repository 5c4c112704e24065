/**
 * Forward pass, split along the model's structure: the profile branch u = θ_umlp(θ_user(e_u)) is
 * the same for every item a client scores, so it is computed once per batch; only the scorer runs
 * per row, and its first layer's user half W1u·u is also computed once.
 */
import { affine, reluInPlace } from "./dense-layer.ts";
import type { ClientModel } from "./client-model.ts";

/** Activations of the profile branch, kept for the backward pass. */
export interface UserBranch {
  /** z = θ_user · e_u (jointDim). */
  readonly joint: Float32Array;
  /** ReLU(W1 z + b1) (userHiddenDim). */
  readonly hidden: Float32Array;
  /** u = W2 · hidden + b2 (userOutDim). */
  readonly user: Float32Array;
  /** W1u·u + b1 of the MLP scorer's first layer: the per-batch constant part of every row (empty for `dot`). */
  readonly scoreUserPart: Float32Array;
}

export function forwardUserBranch(model: ClientModel, profile: Float32Array): UserBranch {
  const d = model.dims;
  const joint = new Float32Array(d.jointDim);
  const hidden = new Float32Array(d.userHiddenDim);
  const user = new Float32Array(d.userOutDim);
  const first = model.score[0];
  const scoreUserPart = new Float32Array(first?.outDim ?? 0);
  affine(model.userJoint, profile, 0, joint);
  affine(model.userMlp[0], joint, 0, hidden);
  reluInPlace(hidden);
  affine(model.userMlp[1], hidden, 0, user);
  if (first) affine(first, user, 0, scoreUserPart, true, 0, d.userOutDim);
  return { joint, hidden, user, scoreUserPart };
}

/** Reusable per-row buffers: activations of every scorer layer (post-ReLU; the last is the logit). */
export interface RowActivations {
  readonly layers: Float32Array[];
}

export function createRowActivations(model: ClientModel): RowActivations {
  return { layers: model.score.map((layer) => new Float32Array(layer.outDim)) };
}

/** Logit of score(u, item) for one item; fills `acts` for the backward pass (the MLP scorer's). */
export function forwardScoreRow(
  model: ClientModel,
  branch: UserBranch,
  itemTable: Float32Array,
  item: number,
  acts: RowActivations,
): number {
  const { itemDim, userOutDim } = model.dims;
  if (model.dims.scorer === "dot") return dotRow(branch.user, itemTable, item * itemDim);
  const score = model.score;
  const first = acts.layers[0]!;
  affine(score[0]!, itemTable, item * itemDim, first, false, userOutDim, itemDim);
  for (let o = 0; o < first.length; o++) first[o] += branch.scoreUserPart[o]!;
  if (score.length > 1) reluInPlace(first); // no ReLU on the logit of a hidden-less scorer
  for (let l = 1; l < score.length; l++) {
    const out = acts.layers[l]!;
    affine(score[l]!, acts.layers[l - 1]!, 0, out);
    if (l < score.length - 1) reluInPlace(out);
  }
  return acts.layers[score.length - 1]![0]!;
}

/** The dot scorer's logit: u · q[0 … d−1) + q[d−1] — an item row's last entry is its bias. */
export function dotRow(user: Float32Array, table: Float32Array, offset: number): number {
  let sum = table[offset + user.length]!;
  for (let k = 0; k < user.length; k++) sum += user[k]! * table[offset + k]!;
  return sum;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Logits of score(u, item) for the given items, using `itemTable` (default: the model's).
 * Ranking uses logits, not probabilities: sigmoid saturates in float32 and would create ties.
 */
export function itemLogits(
  model: ClientModel,
  profile: Float32Array,
  items: ArrayLike<number>,
  itemTable: Float32Array = model.itemTable,
): Float64Array {
  const branch = forwardUserBranch(model, profile);
  const acts = createRowActivations(model);
  const out = new Float64Array(items.length);
  for (let r = 0; r < items.length; r++) out[r] = forwardScoreRow(model, branch, itemTable, items[r]!, acts);
  return out;
}
