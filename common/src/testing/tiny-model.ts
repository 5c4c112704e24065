/** Test support: a tiny model and data for gradient checks and hand-computed cases. */
import { createClientModel, type ClientModel, type ModelDimensions } from "../model/client-model.ts";
import { createRng } from "../random/rng.ts";

export const TINY_DIMS: ModelDimensions = {
  profileDim: 5,
  jointDim: 3,
  userHiddenDim: 4,
  userOutDim: 3,
  itemDim: 2,
  scoreHidden: [3, 2],
  scorer: "mlp",
  numItems: 6,
};

export function tinyModel(seed = 3): ClientModel {
  return createClientModel(TINY_DIMS, createRng(seed), 0.5);
}

export function randomVector(length: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.normal() * scale);
}
