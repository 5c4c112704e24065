/**
 * The UFGraphFR client model (algorithm.md, "Client u"):
 *   θ_user  : Linear(profileDim → jointDim)                         — uploaded, builds the user graph
 *   θ_umlp  : Linear(jointDim → userHidden) → ReLU → Linear(→ userOut) — stays on the device
 *   θ_item  : item table numItems × itemDim                          — uploaded (changed rows), aggregated
 *   θ_score : Linear(userOut + itemDim → h1) → ReLU → … → Linear(→ 1) → sigmoid — stays on the device
 * Unlike the public reference code, every hidden layer has its ReLU.
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
  readonly numItems: number;
}

export interface ClientModel {
  readonly dims: ModelDimensions;
  readonly userJoint: DenseLayer;
  readonly userMlp: readonly [DenseLayer, DenseLayer];
  /** Row-major numItems × itemDim. */
  readonly itemTable: Float32Array;
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
  const widths = [dims.userOutDim + dims.itemDim, ...dims.scoreHidden, 1];
  const score = widths.slice(1).map((out, l) => createDenseLayer(widths[l]!, out, rng));
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
