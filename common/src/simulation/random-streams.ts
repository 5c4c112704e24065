/**
 * The federation's random streams, each forked from the seed for one purpose, so that a client's
 * draws never depend on which other clients ran before it or in which process.
 */
import type { FederationConfig } from "../config/federation-config.ts";
import { createClientModel, type ClientModel, type ModelDimensions } from "../model/client-model.ts";
import { createRng, type Rng } from "../random/rng.ts";

const STREAM = { init: 1, split: 2, training: 3, noise: 4, sampling: 5, privateInit: 6 } as const;

export function streamOf(seed: number, purpose: keyof typeof STREAM): Rng {
  return createRng(seed).fork(STREAM[purpose]);
}

/** The federation's initial model (every client and the server derive the same one). */
export function initialModel(config: FederationConfig, dims: ModelDimensions): ClientModel {
  return createClientModel(dims, streamOf(config.seed, "init"), config.itemInitStd);
}
