/**
 * The UFGraphFR client model (algorithm.md, "Client u"):
 *   θ_user  : Linear(profileDim → jointDim)                         — uploaded, builds the user graph
 *   θ_umlp  : Linear(jointDim → userHidden) → ReLU → Linear(→ userOut) — stays on the device
 *   θ_item  : item table numItems × itemDim                          — uploaded (changed rows), aggregated
 *   θ_score : Linear(userOut + itemDim → h1) → ReLU → … → Linear(→ 1) → sigmoid — stays on the device
 * Unlike the public reference code, every hidden layer has its ReLU. The `dot` scorer replaces
 * θ_score by an inner product plus item bias, σ(u · q_i + b_i) with θ_item[i] = [q_i; b_i] (MF;
 * MLP scorers lose to dot products: Rendle et al., RecSys 2020); it has no parameters of its own
 * and needs userOut = itemDim − 1. The bias is shared through the table like the rest of the row,
 * so a user with no history still gets a popularity ranking.
 */
import type { Rng } from "../random/rng.ts";
import { cloneLayer, createDenseLayer, type DenseLayer } from "./dense-layer.ts";

export interface ModelDimensions {
  /** Length of the frozen profile embedding e_u (384 for all-MiniLM-L6-v2). */
  readonly profileDim: number;
  /** d_j, the output of θ_user. */
  readonly jointDim: number;
  readonly userHiddenDim: number;
  readonly userOutDim: number;
  /** d_i, the item embedding width. */
  readonly itemDim: number;
  /** Hidden widths of θ_score (the seed: [16, 8]); the output width is always 1. */
  readonly scoreHidden: readonly number[];
  /** How a user vector u and an item row are scored: θ_score's MLP on [u; q] or the dot product u·q. */
  readonly scorer: ScorerKind;
  readonly numItems: number;
}

export type ScorerKind = "mlp" | "dot";

export interface ClientModel {
  readonly dims: ModelDimensions;
  readonly userJoint: DenseLayer;
  readonly userMlp: readonly [DenseLayer, DenseLayer];
  /** Row-major numItems × itemDim. */
  readonly itemTable: Float32Array;
  /** θ_score's layers (empty for the dot scorer). */
  readonly score: readonly DenseLayer[];
}

/**
 * A fresh model: Linear layers as PyTorch initialises them, item rows ~ N(0, itemInitStd²).
 * Every client starts from the same initial model (the coordinator's seed), as in the reference.
 */
export function createClientModel(dims: ModelDimensions, rng: Rng, itemInitStd: number): ClientModel {
  const userJoint = createDenseLayer(dims.profileDim, dims.jointDim, rng);
  const userMlp = [
    createDenseLayer(dims.jointDim, dims.userHiddenDim, rng),
    createDenseLayer(dims.userHiddenDim, dims.userOutDim, rng),
  ] as const;
  if (dims.scorer === "dot" && dims.userOutDim !== dims.itemDim - 1) {
    throw new Error(`the dot scorer needs userOutDim = itemDim − 1 (the bias), got ${dims.userOutDim} and ${dims.itemDim}`);
  }
  const widths = [dims.userOutDim + dims.itemDim, ...dims.scoreHidden, 1];
  const score = dims.scorer === "dot" ? [] : widths.slice(1).map((out, l) => createDenseLayer(widths[l]!, out, rng));
  const itemTable = new Float32Array(dims.numItems * dims.itemDim);
  for (let i = 0; i < itemTable.length; i++) itemTable[i] = rng.normal() * itemInitStd;
  return { dims, userJoint, userMlp, itemTable, score };
}

export function cloneClientModel(model: ClientModel): ClientModel {
  return {
    dims: model.dims,
    userJoint: cloneLayer(model.userJoint),
    userMlp: [cloneLayer(model.userMlp[0]), cloneLayer(model.userMlp[1])],
    itemTable: model.itemTable.slice(),
    score: model.score.map(cloneLayer),
  };
}

/** The private layers (θ_user, θ_umlp, θ_score) in a fixed order; the item table is handled apart. */
export function denseLayersOf(model: Omit<ClientModel, "itemTable">): DenseLayer[] {
  return [model.userJoint, model.userMlp[0], model.userMlp[1], ...model.score];
}
