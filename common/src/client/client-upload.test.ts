/**
 * Property tests of the client's upload encoding against the coordinator's decoding: what
 * `buildUpload` makes and `uploadMessage` writes, `parseUploadMessage` + `parseUploadArrays` read
 * back bit for bit — for float32 and float16 federations, with the privacy options on or off, and
 * with the binary fields handed over at odd offsets of larger buffers (as Node's pooled Buffers).
 */
import { describe, expect, it } from "vitest";
import { createClientModel, type ClientModel, type ModelDimensions } from "../model/client-model.ts";
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import { roundToFloat16 } from "../protocol/float16.ts";
import type { UploadMessage } from "../protocol/messages.ts";
import { isErrorReply } from "../protocol/protocol-error.ts";
import { MAX_UPLOAD_MAGNITUDE, parseUploadArrays, parseUploadMessage, type UploadArrays } from "../protocol/validation.ts";
import { createRng, type Rng } from "../random/rng.ts";
import { atOddOffset, randomFloat32, randomRows, sameBits } from "../testing/random-arrays.ts";
import { buildUpload, uploadMessage, type ClientUpload, type UploadPrecision } from "./client-upload.ts";

const CASES = 300;

/** Random finite float32 values (any bit pattern) folded into the range an upload may carry. */
function uploadable(rng: Rng, length: number): Float32Array {
  return randomFloat32(rng, length).map((v) => v % MAX_UPLOAD_MAGNITUDE);
}
const PRECISIONS: readonly UploadPrecision[] = ["float32", "float16"];

function randomMetrics(rng: Rng): RankingMetrics {
  if (rng.next() < 0.3) return { hr10: 0, ndcg10: 0, count: 0 };
  const hit = rng.next() < 0.5;
  return { hr10: hit ? 1 : 0, ndcg10: hit ? 1 / Math.log2(2 + rng.int(10)) : 0, count: 1 };
}

function randomDims(rng: Rng): ModelDimensions {
  const itemDim = 1 + rng.int(9);
  return {
    profileDim: 1 + rng.int(40),
    jointDim: 1 + rng.int(8),
    userHiddenDim: 2,
    userOutDim: 2,
    itemDim,
    scoreHidden: [2],
    scorer: "mlp",
    numItems: 1 + rng.int(80),
  };
}

/** The message as the coordinator receives it: binary fields as views at odd offsets. */
function received(message: UploadMessage, rng: Rng): UploadMessage {
  const bytes = (b: Uint8Array | ArrayBuffer) => atOddOffset(b instanceof Uint8Array ? b : new Uint8Array(b), rng);
  return { ...message, userWeights: bytes(message.userWeights), rows: bytes(message.rows), values: bytes(message.values) };
}

/** What the coordinator reads from `message` for a federation of these dimensions. */
function decode(
  message: UploadMessage,
  dims: ModelDimensions,
  precision: UploadPrecision,
): UploadArrays & Omit<UploadMessage, keyof UploadArrays> {
  const parsed = parseUploadMessage(message);
  if (isErrorReply(parsed)) throw new Error(`${parsed.code}: ${parsed.message}`);
  const shapes = { userWeights: dims.profileDim * dims.jointDim, numItems: dims.numItems, itemDim: dims.itemDim, precision };
  const arrays = parseUploadArrays(parsed, shapes);
  if (isErrorReply(arrays)) throw new Error(`${arrays.code}: ${arrays.message}`);
  return { ...parsed, ...arrays };
}

function expectSameUpload(decoded: UploadArrays, upload: ClientUpload, what: string): void {
  expect(sameBits(decoded.userWeights, upload.userWeights), `${what}: userWeights`).toBe(true);
  expect(sameBits(decoded.rows, upload.rows), `${what}: rows`).toBe(true);
  expect(sameBits(decoded.values, upload.values), `${what}: values`).toBe(true);
}

describe("client upload encoding, property tests", () => {
  it.each(PRECISIONS)("uploadMessage → the coordinator's decoding is the identity on %s-representable uploads", (precision) => {
    const rng = createRng(precision === "float32" ? 201 : 202);
    const representable = precision === "float16" ? roundToFloat16 : (v: Float32Array) => v;
    for (let c = 0; c < CASES; c++) {
      const dims = randomDims(rng);
      const rows = randomRows(rng, dims.numItems, dims.numItems);
      const upload: ClientUpload = {
        userWeights: representable(uploadable(rng, dims.profileDim * dims.jointDim)),
        rows,
        values: representable(uploadable(rng, rows.length * dims.itemDim)),
        numExamples: rng.int(100_000),
        metrics: { val: randomMetrics(rng), test: randomMetrics(rng) },
      };
      const loss = [Number.NaN, Number.POSITIVE_INFINITY, rng.next() * 5, 0][rng.int(4)]!;
      const round = 1 + rng.int(1000);
      const message = uploadMessage(upload, round, "client-0001", loss, precision);
      const decoded = decode(received(message, rng), dims, precision);
      expectSameUpload(decoded, upload, `case ${c}`);
      expect(decoded).toMatchObject({ round, clientId: "client-0001", numExamples: upload.numExamples, metrics: upload.metrics });
      expect(decoded.loss).toBe(Number.isFinite(loss) ? loss : null);
    }
  });

  it.each(PRECISIONS)("buildUpload's %s uploads, with or without noise and pseudo-items, decode exactly", (precision) => {
    const rng = createRng(precision === "float32" ? 203 : 204);
    for (let c = 0; c < CASES; c++) {
      const dims = randomDims(rng);
      const trained: ClientModel = createClientModel(dims, rng, 0.1 + rng.next() * 10);
      trained.userJoint.weight.set(uploadable(rng, trained.userJoint.weight.length).map((v) => v / 2)); // in range with noise
      const serverTable = trained.itemTable.map((v) => v + rng.normal());
      const changed = randomRows(rng, dims.numItems, dims.numItems);
      const privacy = {
        sendUserWeights: true,
        userWeightsNoiseScale: rng.next() < 0.5 ? 0 : rng.next(),
        itemNoiseScale: rng.next() < 0.5 ? 0 : rng.next(),
        pseudoItems: rng.next() < 0.5 ? 0 : rng.int(dims.numItems + 2),
      };
      const metrics = { val: randomMetrics(rng), test: randomMetrics(rng) };
      const upload = buildUpload(trained, changed, serverTable, rng.int(500), metrics, privacy, rng, precision);
      expect(upload.rows.length).toBe(Math.min(dims.numItems, changed.length + privacy.pseudoItems));
      const decoded = decode(received(uploadMessage(upload, 1, "client-0001", 0.5, precision), rng), dims, precision);
      expectSameUpload(decoded, upload, `case ${c}`);
    }
  });
});
