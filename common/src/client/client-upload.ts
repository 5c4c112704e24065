/**
 * What a client sends after a round (algorithm.md, "Client u"): vec(θ_user) (optionally with
 * local-DP noise; empty when the server's graph does not use it), the rows of θ_item it trained (indices + values), n_u and its locally computed
 * metrics, and how that upload is written on the wire (`uploadMessage`). θ_umlp and θ_score never
 * leave the device.
 */
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { ClientModel } from "../model/client-model.ts";
import { withLaplaceNoise } from "../privacy/laplace-noise.ts";
import { padWithPseudoItems } from "../privacy/pseudo-items.ts";
import { roundToFloat16 } from "../protocol/float16.ts";
import type { UploadMessage } from "../protocol/messages.ts";
import { toWire, toWireFloat16 } from "../protocol/wire-arrays.ts";
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

/** Privacy options of an upload (all off = the exact update). */
export interface UploadPrivacy {
  /** Send θ_user at all (config: uploadsUserWeights); false sends an empty array in its place. */
  readonly sendUserWeights: boolean;
  /** Laplace scale b added to θ_user. */
  readonly userWeightsNoiseScale: number;
  /** Laplace scale b added to the uploaded item rows. */
  readonly itemNoiseScale: number;
  /** Pseudo-item rows added to hide which items were trained. */
  readonly pseudoItems: number;
}

/** float16: θ_user and the row values are rounded to float16 (the wire then carries them exactly). */
export type UploadPrecision = "float32" | "float16";

export function buildUpload(
  trained: ClientModel,
  changedRows: Int32Array,
  serverTable: Float32Array,
  numExamples: number,
  metrics: LocalEvaluation,
  privacy: UploadPrivacy,
  rng: Rng,
  precision: UploadPrecision = "float32",
): ClientUpload {
  const itemDim = trained.dims.itemDim;
  const values = new Float32Array(changedRows.length * itemDim);
  changedRows.forEach((row, r) => values.set(trained.itemTable.subarray(row * itemDim, (row + 1) * itemDim), r * itemDim));
  // Draw only for the options that are on, so turning one on never changes the others' draws.
  const userWeights = privacy.sendUserWeights
    ? withLaplaceNoise(trained.userJoint.weight, privacy.userWeightsNoiseScale, rng)
    : new Float32Array(0);
  const noisy = privacy.itemNoiseScale > 0 ? withLaplaceNoise(values, privacy.itemNoiseScale, rng) : values;
  const padded =
    privacy.pseudoItems > 0
      ? padWithPseudoItems(changedRows, noisy, serverTable, itemDim, privacy.pseudoItems, rng)
      : { rows: changedRows.slice(), values: noisy };
  const round = precision === "float16" ? roundToFloat16 : (v: Float32Array) => v;
  return { userWeights: round(userWeights), rows: padded.rows, values: round(padded.values), numExamples, metrics };
}

/**
 * The upload as the protocol carries it (docs/protocol.md, `upload`): θ_user and the row values as
 * float32 or float16 bytes (the federation's `uploadPrecision`), the rows as int32 bytes, a
 * non-finite loss as null (JSON has no NaN). The coordinator's `parseUploadMessage` and
 * `parseUploadArrays` read back exactly `upload`'s arrays when they are float16-representable,
 * as `buildUpload` makes them for float16.
 */
export function uploadMessage(
  upload: ClientUpload,
  round: number,
  clientId: string,
  loss: number,
  precision: UploadPrecision,
): UploadMessage {
  const floats = precision === "float16" ? toWireFloat16 : toWire;
  return {
    round,
    clientId,
    userWeights: floats(upload.userWeights),
    rows: toWire(upload.rows),
    values: floats(upload.values),
    numExamples: upload.numExamples,
    loss: Number.isFinite(loss) ? loss : null,
    metrics: upload.metrics,
  };
}
