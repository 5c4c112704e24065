/**
 * What a client sends after a round (algorithm.md, "Client u"): vec(θ_user) (optionally with
 * local-DP noise), the rows of θ_item it trained (indices + values), n_u and its locally computed
 * metrics. θ_umlp and θ_score never leave the device.
 */
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { ClientModel } from "../model/client-model.ts";
import { withLaplaceNoise } from "../privacy/laplace-noise.ts";
import type { Rng } from "../random/rng.ts";

export interface ClientUpload {
  readonly userWeights: Float32Array;
  readonly rows: Int32Array;
  /** rows.length × itemDim. */
  readonly values: Float32Array;
  /** n_u: the client's training interactions (its FedAvg weight). */
  readonly numExamples: number;
  readonly metrics: LocalEvaluation;
}

export function buildUpload(
  trained: ClientModel,
  changedRows: Int32Array,
  numExamples: number,
  metrics: LocalEvaluation,
  noiseScale: number,
  rng: Rng,
): ClientUpload {
  const itemDim = trained.dims.itemDim;
  const values = new Float32Array(changedRows.length * itemDim);
  changedRows.forEach((row, r) => values.set(trained.itemTable.subarray(row * itemDim, (row + 1) * itemDim), r * itemDim));
  return {
    userWeights: withLaplaceNoise(trained.userJoint.weight, noiseScale, rng),
    rows: changedRows.slice(),
    values,
    numExamples,
    metrics,
  };
}
