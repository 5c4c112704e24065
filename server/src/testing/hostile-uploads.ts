/**
 * Hostile uploads for the coordinator's fuzz test: a valid upload broken in exactly one field — a
 * wrong type, or a value of the right type the coordinator must not accept (rounds closed or not
 * open, counts out of range, NaN/±Inf or huge floats, rows out of range, duplicate or unsorted,
 * wrong lengths, oversized arrays) — each with the error code it must be answered with.
 */
import { roundToFloat16, toWire, toWireFloat16, uploadMessage, type Rng, type UploadMessage } from "@fedrec/common";
import { pick, randomValue, type Expected } from "./random-payload.ts";

/** A federation's upload shapes, and where its rounds stand. */
export interface UploadContext {
  /** profileDim × jointDim. */
  readonly userWeights: number;
  readonly numItems: number;
  readonly itemDim: number;
  readonly precision: "float32" | "float16";
  /** The open round; every round before it has completed. */
  readonly round: number;
  /** The client the hostile uploads claim to be (a participant that has not uploaded yet). */
  readonly clientId: string;
  /** Another joined client. */
  readonly otherClientId: string;
}

/** `count` distinct rows of [0, numItems), ascending. */
function someRows(rng: Rng, numItems: number, count: number): number[] {
  const rows = new Set<number>();
  while (rows.size < Math.min(count, numItems)) rows.add(rng.int(numItems));
  return [...rows].sort((a, b) => a - b);
}

/** A valid upload of small random values (float16-representable in a float16 federation), with 1–8 rows. */
export function validUpload(rng: Rng, ctx: UploadContext, clientId: string, round: number): UploadMessage {
  const rows = Int32Array.from(someRows(rng, ctx.numItems, 1 + rng.int(8)));
  const representable = ctx.precision === "float16" ? roundToFloat16 : (v: Float32Array) => v;
  const hit = rng.next() < 0.5;
  const upload = {
    userWeights: representable(Float32Array.from({ length: ctx.userWeights }, () => rng.normal() * 0.1)),
    rows,
    values: representable(Float32Array.from({ length: rows.length * ctx.itemDim }, () => rng.next() * 2 - 1)),
    numExamples: 1 + rng.int(50),
    metrics: { val: { hr10: hit ? 1 : 0, ndcg10: hit ? 0.5 : 0, count: 1 }, test: { hr10: 0, ndcg10: 0, count: rng.int(2) } },
  };
  return uploadMessage(upload, round, clientId, rng.next(), ctx.precision);
}

/** Values that are not binary data. */
const NOT_BINARY = ["bin", 42, null, true, [1, 2, 3], { 0: 1 }, {}, { type: "Buffer", data: [1, 2] }];
const BAD_ROUNDS = [0, -1, -(2 ** 31), 100_001, 2 ** 31, 2 ** 53, 1e308, 1.5, -0.5, "2", null, true, [2], {}];
const BAD_COUNTS = [-1, -(2 ** 31), 0.5, 100_000_001, 1e12, 2 ** 53, Number.MAX_VALUE, "3", null, true, [], {}];
const UPLOAD_KEYS = ["round", "clientId", "userWeights", "rows", "values", "numExamples", "loss", "metrics"] as const;

/** `length` floats in the federation's encoding with one NaN or ±Inf (any payload) at a random index. */
function withNonFinite(rng: Rng, ctx: UploadContext, length: number): Uint8Array {
  const at = rng.int(length);
  if (ctx.precision === "float16") {
    const halves = new Uint16Array(length);
    halves[at] = (rng.int(2) << 15) | 0x7c00 | rng.int(1024);
    return new Uint8Array(halves.buffer);
  }
  const bits = new Uint32Array(length);
  bits[at] = (rng.int(2) << 31) | (0xff << 23) | rng.int(1 << 23);
  return new Uint8Array(bits.buffer);
}

/** `length` float32 values with one finite value beyond ±65504 (a float16 federation cannot carry one: NaN instead). */
function withHuge(rng: Rng, ctx: UploadContext, length: number): Uint8Array {
  if (ctx.precision === "float16") return withNonFinite(rng, ctx, length);
  const values = new Float32Array(length);
  values[rng.int(length)] = pick(rng, [65504.01, 65536, -70_000, 1e6, 1e30, 3.4e38, -3.4e38]);
  return toWire(values);
}

/** Bytes for `length` floats in the federation's encoding, plus or minus some (never exactly `length`). */
function wrongLength(rng: Rng, ctx: UploadContext, length: number): Uint8Array {
  const width = ctx.precision === "float16" ? 2 : 4;
  const bytes = pick(rng, [
    (length - 1 - rng.int(Math.max(1, length))) * width,
    (length + 1 + rng.int(5)) * width,
    length * width + 1 + rng.int(width - 1),
    length * 10 * width,
  ]);
  return new Uint8Array(Math.max(0, bytes === length * width ? bytes + 1 : bytes));
}

type Variant = () => Expected;

/** Breaks of the JSON fields: round, client id, counts, loss, metrics; extra, missing, or no object at all. */
function fieldBreaks(rng: Rng, ctx: UploadContext, base: UploadMessage): Variant[] {
  const metric = (split: "val" | "test", changes: object) => ({
    ...base,
    metrics: { ...base.metrics, [split]: { ...base.metrics[split], ...changes } },
  });
  const split = pick(rng, ["val", "test"] as const);
  return [
    () => ({ what: "a closed round", payload: { ...base, round: 1 + rng.int(ctx.round - 1) }, code: "stale-round" }),
    () => ({
      what: "a round not yet open",
      payload: { ...base, round: pick(rng, [ctx.round + 1, ctx.round + 2 + rng.int(1000), 100_000]) },
      code: "wrong-round",
    }),
    () => ({
      what: "round out of range or not an integer",
      payload: { ...base, round: pick(rng, BAD_ROUNDS) },
      code: "malformed",
    }),
    () => ({
      what: "another client's id",
      payload: { ...base, clientId: pick(rng, [ctx.otherClientId, "someone-else-1234"]) },
      code: "unknown-client",
    }),
    () => ({
      what: "an invalid client id",
      payload: {
        ...base,
        clientId: pick(rng, ["", "short", "a b c d e f g", "é".repeat(10), "x".repeat(129), 42, null, [ctx.clientId]]),
      },
      code: "malformed",
    }),
    () => ({ what: "numExamples out of range", payload: { ...base, numExamples: pick(rng, BAD_COUNTS) }, code: "malformed" }),
    () => ({
      what: "loss of another type",
      payload: { ...base, loss: pick(rng, ["0.5", "NaN", {}, [1], true]) },
      code: "malformed",
    }),
    () => ({
      what: "metrics not an object",
      payload: { ...base, metrics: pick(rng, [null, "x", 5, [], true]) },
      code: "malformed",
    }),
    () => ({
      what: "metrics missing a split or with an extra one",
      payload: {
        ...base,
        metrics: pick(rng, [
          { val: base.metrics.val },
          { test: base.metrics.test },
          { ...base.metrics, train: base.metrics.val },
        ]),
      },
      code: "malformed",
    }),
    () => ({
      what: "a metric outside [0, 1]",
      payload: metric(split, { [pick(rng, ["hr10", "ndcg10"])]: pick(rng, [2, -0.1, 1.0000001, 1e308, -1e308]) }),
      code: "malformed",
    }),
    () => ({
      what: "a metric not a number",
      payload: metric(split, { [pick(rng, ["hr10", "ndcg10"])]: pick(rng, ["0.5", {}, [], true]) }),
      code: "malformed",
    }),
    () => ({
      what: "a metric NaN or ±Inf (null in JSON)",
      payload: metric(split, { [pick(rng, ["hr10", "ndcg10"])]: null }),
      code: "not-finite",
    }),
    () => ({
      what: "a count other than 0 or 1",
      payload: metric(split, { count: pick(rng, [2, 3, 1000, 1_000_000, 2 ** 31, -1, 0.5, "1", null, true]) }),
      code: "malformed",
    }),
    () => ({ what: "a metric with an extra field", payload: metric(split, { rank: 3 }), code: "malformed" }),
    () => ({
      what: "an extra field",
      payload: { ...base, [pick(rng, ["extra", "constructor", "toString", "Round", "round "])]: randomValue(rng) ?? 1 },
      code: "malformed",
    }),
    () => {
      const missing: Record<string, unknown> = { ...base };
      delete missing[pick(rng, UPLOAD_KEYS)];
      return { what: "a missing field", payload: missing, code: "malformed" };
    },
    () => ({
      what: "not an object",
      payload: pick(rng, [null, 0, "upload", [], [base], true, new Uint8Array(8)]),
      code: "malformed",
    }),
  ];
}

/** Breaks of the binary fields: θ_user, rows and values. */
function arrayBreaks(rng: Rng, ctx: UploadContext, base: UploadMessage): Variant[] {
  const floats = ctx.precision === "float16" ? toWireFloat16 : toWire;
  const otherFloats = ctx.precision === "float16" ? toWire : toWireFloat16;
  const rowCount = (base.rows as Uint8Array).byteLength / 4;
  const withRows = (rows: number[]) => ({
    ...base,
    rows: toWire(Int32Array.from(rows)),
    values: floats(new Float32Array(rows.length * ctx.itemDim)),
  });
  const sorted = someRows(rng, ctx.numItems, 2 + rng.int(6));
  return [
    () => ({
      what: "NaN or ±Inf in θ_user",
      payload: { ...base, userWeights: withNonFinite(rng, ctx, ctx.userWeights) },
      code: "not-finite",
    }),
    () => ({
      what: "NaN or ±Inf in the values",
      payload: { ...base, values: withNonFinite(rng, ctx, rowCount * ctx.itemDim) },
      code: "not-finite",
    }),
    () => ({
      what: "a huge finite θ_user",
      payload: { ...base, userWeights: withHuge(rng, ctx, ctx.userWeights) },
      code: "not-finite",
    }),
    () => ({
      what: "a huge finite value",
      payload: { ...base, values: withHuge(rng, ctx, rowCount * ctx.itemDim) },
      code: "not-finite",
    }),
    () => ({
      what: "θ_user of the wrong length",
      payload: { ...base, userWeights: wrongLength(rng, ctx, ctx.userWeights) },
      code: "wrong-shape",
    }),
    () => ({
      what: "θ_user in the other precision",
      payload: { ...base, userWeights: otherFloats(new Float32Array(ctx.userWeights)) },
      code: "wrong-shape",
    }),
    () => ({ what: "θ_user not binary", payload: { ...base, userWeights: pick(rng, NOT_BINARY) }, code: "malformed" }),
    () => {
      const rows = [...sorted];
      rows[rng.int(rows.length)] = pick(rng, [-1, ctx.numItems, ctx.numItems + 1 + rng.int(1000), 2 ** 31 - 1, -(2 ** 31)]);
      return { what: "a row out of range", payload: withRows(rows), code: "wrong-shape" };
    },
    () => {
      const at = rng.int(sorted.length - 1);
      const rows = [...sorted.slice(0, at + 1), sorted[at]!, ...sorted.slice(at + 1)];
      return { what: "a duplicate row", payload: withRows(rows), code: "wrong-shape" };
    },
    () => ({
      what: "unsorted rows",
      payload: withRows(rng.next() < 0.5 ? [...sorted].reverse() : [sorted[1]!, sorted[0]!, ...sorted.slice(2)]),
      code: "wrong-shape",
    }),
    () => ({
      what: "rows not whole int32 values",
      payload: { ...base, rows: new Uint8Array(4 * rowCount + 1 + rng.int(3)) },
      code: "wrong-shape",
    }),
    () => ({
      what: "more rows than items",
      payload: withRows(Array.from({ length: ctx.numItems + 1 + rng.int(10 * ctx.numItems) }, (_, i) => i)),
      code: "too-large",
    }),
    () => ({ what: "rows not binary", payload: { ...base, rows: pick(rng, NOT_BINARY) }, code: "malformed" }),
    () => ({
      what: "values of the wrong length",
      payload: { ...base, values: wrongLength(rng, ctx, rowCount * ctx.itemDim) },
      code: "wrong-shape",
    }),
    () => ({ what: "values not binary", payload: { ...base, values: pick(rng, NOT_BINARY) }, code: "malformed" }),
    () => ({
      what: "an oversized array (below the transport limit)",
      payload: { ...base, [pick(rng, ["userWeights", "values"])]: new Uint8Array(100_000 + rng.int(300_000)) },
      code: "wrong-shape",
    }),
  ];
}

/** An upload of `ctx.clientId` for the open round, broken in one field, with the code it must get. */
export function hostileUpload(rng: Rng, ctx: UploadContext): Expected {
  const base = validUpload(rng, ctx, ctx.clientId, ctx.round);
  return pick(rng, [...fieldBreaks(rng, ctx, base), ...arrayBreaks(rng, ctx, base)])();
}
