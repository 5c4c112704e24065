import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { bagOfWordsIdentity } from "../testing/bag-of-words-encoder.ts";
import { parseControlRequest, parseRoundHistory } from "./admin-messages.ts";
import { checkJoinCatalogue } from "./catalogue-check.ts";
import { PROTOCOL_VERSION, type UploadMessage } from "./messages.ts";
import { isErrorReply } from "./protocol-error.ts";
import {
  parseCatalogueResponse,
  parseFederationFinished,
  parseFederationState,
  parseProtocolError,
  parseJoinRequest,
  parseRoundSummary,
  parseUploadArrays,
  parseUploadMessage,
  parseWelcome,
} from "./validation.ts";
import { float32FromWire, int32FromWire, toWire, toWireFloat16 } from "./wire-arrays.ts";

const encoder = bagOfWordsIdentity(4);
const catalogue = { dataset: "d", numItems: 10, profileDim: 4, encoder };
const join = {
  protocol: PROTOCOL_VERSION,
  code: "ABC123",
  token: "join-token-1",
  clientId: "client-0001",
  secret: null,
  numItems: 10,
  profileDim: 4,
  encoder,
  label: "d user 7",
};

describe("wire arrays", () => {
  it("round-trips float32 exactly, also from a Buffer at an odd offset of a pooled ArrayBuffer", () => {
    const values = Float32Array.of(1.5, -2.25, 3e-8, 65504);
    const wire = toWire(values.subarray(1, 3));
    expect(wire.byteLength).toBe(8); // only the view's bytes, not the whole buffer
    const pooled = new Uint8Array(64);
    pooled.set(toWire(values), 3); // misaligned: offset 3
    const decoded = float32FromWire(pooled.subarray(3, 19), "x", 4);
    expect(decoded).toEqual(values);
    expect((decoded as Float32Array).byteOffset).toBe(0);
  });

  it("refuses NaN and Inf, wrong lengths and non-binary data, naming the field", () => {
    expect(float32FromWire(toWire(Float32Array.of(1, Number.NaN)), "w", 2)).toMatchObject({
      code: "not-finite",
      message: "w[1] is NaN",
    });
    expect(float32FromWire(toWire(Float32Array.of(Number.NEGATIVE_INFINITY)), "w", 1)).toMatchObject({ code: "not-finite" });
    expect(float32FromWire(toWire(Float32Array.of(1, 2, 3)), "w", 2)).toMatchObject({
      code: "wrong-shape",
      message: expect.stringMatching(/expected 2 float32 values \(8 bytes\), got 12/),
    });
    expect(float32FromWire([1, 2], "w", 2)).toMatchObject({ code: "malformed" });
    expect(int32FromWire(new Uint8Array(6), "rows", 10)).toMatchObject({ code: "wrong-shape" });
    expect(int32FromWire(new Uint8Array(48), "rows", 10)).toMatchObject({ code: "too-large" });
    expect(int32FromWire(toWire(Int32Array.of(3, -1)), "rows", 10)).toEqual(Int32Array.of(3, -1));
  });
});

describe("message validation", () => {
  it("accepts a well-formed join and explains each kind of bad one", () => {
    expect(parseJoinRequest(join)).toEqual(join);
    expect(parseJoinRequest({ ...join, protocol: 99 })).toMatchObject({ code: "protocol-version" });
    expect(parseJoinRequest({ ...join, clientId: "short" })).toMatchObject({
      code: "malformed",
      message: expect.stringMatching(/join.clientId/),
    });
    expect(parseJoinRequest({ ...join, numItems: 2.5 })).toMatchObject({
      code: "malformed",
      message: "join.numItems: expected an integer in [1, 100000000], got 2.5",
    });
    expect(parseJoinRequest({ ...join, admin: true })).toMatchObject({
      code: "malformed",
      message: "join: unexpected field(s) admin",
    });
    expect(parseJoinRequest([join])).toMatchObject({ code: "malformed", message: "join: expected an object, got an array" });
    expect(parseJoinRequest(null)).toMatchObject({ code: "malformed" });
  });

  it("a join names the client's encoder completely, and may carry a short label", () => {
    expect(parseJoinRequest({ ...join, label: null })).toMatchObject({ label: null });
    const { label: _label, ...unlabelled } = join;
    expect(parseJoinRequest(unlabelled)).toMatchObject({ label: null });
    expect(parseJoinRequest({ ...join, label: "x".repeat(81) })).toMatchObject({ message: expect.stringMatching(/join.label/) });
    expect(parseJoinRequest({ ...join, label: "a\nb" })).toMatchObject({ code: "malformed" });
    const { encoder: _encoder, ...anonymous } = join;
    expect(parseJoinRequest(anonymous)).toMatchObject({
      code: "malformed",
      message: "join.encoder: missing",
    });
    expect(parseJoinRequest({ ...join, encoder: { ...encoder, pooling: "max" } })).toMatchObject({
      message: 'join.encoder.pooling: expected "mean" | "cls", got "max"',
    });
    expect(parseJoinRequest({ ...join, encoder: { ...encoder, precision: "int4" } })).toMatchObject({
      message: 'join.encoder.precision: expected "fp32" | "int8", got "int4"',
    });
    expect(parseJoinRequest({ ...join, encoder: { ...encoder, checksum: "md5:00" } })).toMatchObject({
      message: 'join.encoder.checksum: expected a string matching /^sha256:[0-9a-f]{64}$/, got "md5:00"',
    });
    expect(parseJoinRequest({ ...join, encoder: { ...encoder, weights: 1 } })).toMatchObject({
      message: "join.encoder: unexpected field(s) weights",
    });
  });

  it("a join with another encoder is refused as encoder-mismatch, naming both encoders", () => {
    expect(checkJoinCatalogue("ABC123", catalogue, join)).toBeNull();
    const cls = checkJoinCatalogue("ABC123", catalogue, { ...join, encoder: { ...encoder, pooling: "cls" } });
    expect(cls).toMatchObject({ code: "encoder-mismatch" });
    expect(cls!.message).toMatch(
      /federation ABC123: .*test\/bag-of-words \(int8 weights, mean pooling, 4 dimensions.*the client used .*\(int8 weights, cls pooling.*pooling differs/,
    );
    const fp32 = checkJoinCatalogue("ABC123", catalogue, { ...join, encoder: { ...encoder, precision: "fp32" } });
    expect(fp32!.message).toMatch(/the client used test\/bag-of-words \(fp32 weights, .*\(precision differs\)/);
    const files = bagOfWordsIdentity(8);
    expect(checkJoinCatalogue("ABC123", catalogue, { ...join, encoder: { ...files, dimension: 4 } })).toMatchObject({
      code: "encoder-mismatch",
      message: expect.stringMatching(/checksum differs/),
    });
    expect(checkJoinCatalogue("ABC123", catalogue, { ...join, profileDim: 8 })).toMatchObject({ code: "catalogue-mismatch" });
  });

  const upload: UploadMessage = {
    round: 2,
    clientId: "client-0001",
    userWeights: toWire(new Float32Array(8)),
    rows: toWire(Int32Array.of(1, 4)),
    values: toWire(new Float32Array(4)),
    numExamples: 5,
    loss: null,
    metrics: { val: { hr10: 1, ndcg10: 0.5, count: 1 }, test: { hr10: 0, ndcg10: 0, count: 1 } },
  };
  const shapes = { userWeights: 8, numItems: 10, itemDim: 2, precision: "float32" } as const;

  it("checks an upload's fields, then its arrays against the federation's shapes", () => {
    const parsed = parseUploadMessage(upload);
    expect(isErrorReply(parsed)).toBe(false);
    expect(parseUploadArrays(parsed as UploadMessage, shapes)).toEqual({
      userWeights: new Float32Array(8),
      rows: Int32Array.of(1, 4),
      values: new Float32Array(4),
    });
    const arrays = (changes: Partial<UploadMessage>) => parseUploadArrays({ ...upload, ...changes }, shapes);
    expect(arrays({ rows: toWire(Int32Array.of(4, 1)) })).toMatchObject({
      code: "wrong-shape",
      message: expect.stringMatching(/ascending/),
    });
    expect(arrays({ rows: toWire(Int32Array.of(1, 10)) })).toMatchObject({
      code: "wrong-shape",
      message: expect.stringMatching(/outside \[0, 10\)/),
    });
    expect(arrays({ values: toWire(new Float32Array(6)) })).toMatchObject({ code: "wrong-shape" });
    expect(arrays({ userWeights: toWire(new Float32Array(7)) })).toMatchObject({ code: "wrong-shape" });
    expect(
      parseUploadMessage({ ...upload, metrics: { ...upload.metrics, val: { hr10: 1.5, ndcg10: 0, count: 1 } } }),
    ).toMatchObject({
      code: "malformed",
      message: "upload.metrics.val.hr10: expected a finite number in [0, 1], got 1.5",
    });
    // A value of another type (or none) is malformed; null in a metric is NaN or ±Inf sent as JSON.
    expect(parseUploadMessage({ ...upload, loss: "0.1" })).toMatchObject({ code: "malformed" });
    expect(parseUploadMessage({ ...upload, loss: undefined })).toMatchObject({ code: "malformed" });
    expect(parseUploadMessage({ ...upload, loss: Number.POSITIVE_INFINITY })).toMatchObject({ code: "not-finite" });
    const metric = (hr10: unknown) =>
      parseUploadMessage({ ...upload, metrics: { ...upload.metrics, val: { hr10, ndcg10: 0, count: 1 } } });
    expect(metric(null)).toMatchObject({
      code: "not-finite",
      message: "upload.metrics.val.hr10: expected a finite number in [0, 1], got null",
    });
    expect(metric("0.5")).toMatchObject({
      code: "malformed",
      message: 'upload.metrics.val.hr10: expected a finite number in [0, 1], got "0.5"',
    });
    // A client evaluates one held-out item per split: a larger count would outweigh the other clients.
    expect(
      parseUploadMessage({ ...upload, metrics: { ...upload.metrics, test: { hr10: 1, ndcg10: 1, count: 2 } } }),
    ).toMatchObject({ code: "malformed", message: "upload.metrics.test.count: expected an integer in [0, 1], got 2" });
    // Finite but huge values would overflow to Inf when aggregated: refused like Inf itself.
    expect(arrays({ values: toWire(Float32Array.of(0, 1, -65504.5, 0)) })).toMatchObject({
      code: "not-finite",
      message: expect.stringMatching(/^upload\.values\[2\] = -65504\.5 is beyond ±65504/),
    });
    expect(arrays({ userWeights: toWire(new Float32Array(8).fill(3.4e38)) })).toMatchObject({
      code: "not-finite",
      message: expect.stringMatching(/^upload\.userWeights\[0\]/),
    });
    expect(arrays({ values: toWire(Float32Array.of(65504, -65504, 0, 1)) })).not.toHaveProperty("code");
    // A float16 federation reads 2 bytes per value, and refuses float32 data by its size.
    const half = { ...shapes, precision: "float16" } as const;
    const values = Float32Array.of(0.5, -1.25, 3, 1024);
    expect(
      parseUploadArrays({ ...upload, userWeights: toWireFloat16(new Float32Array(8)), values: toWireFloat16(values) }, half),
    ).toEqual({
      userWeights: new Float32Array(8),
      rows: Int32Array.of(1, 4),
      values,
    });
    expect(parseUploadArrays(upload, half)).toMatchObject({ code: "wrong-shape", message: expect.stringMatching(/float16/) });
    expect(parseUploadMessage({ ...upload, rows: [1, 4] })).toMatchObject({
      code: "malformed",
      message: "upload.rows: expected binary data, got an array",
    });
  });

  it("a welcome must carry a complete, valid configuration", () => {
    const welcome = {
      protocol: PROTOCOL_VERSION,
      clientId: "client-0001",
      secret: "secret-secret",
      catalogue,
      config: DEFAULT_CONFIG,
      phase: "waiting",
      completedRounds: 0,
      bestRound: null,
      table: new Uint8Array(0),
    };
    expect(parseWelcome(welcome)).toMatchObject({ config: DEFAULT_CONFIG });
    const { rounds: _rounds, ...incomplete } = DEFAULT_CONFIG;
    expect(parseWelcome({ ...welcome, config: incomplete })).toMatchObject({
      code: "malformed",
      message: "welcome.config.rounds: missing",
    });
    expect(parseWelcome({ ...welcome, config: { ...DEFAULT_CONFIG, quorum: 3 } })).toMatchObject({
      code: "malformed",
      message: expect.stringMatching(/quorum/),
    });
    expect(parseWelcome({ ...welcome, phase: "dancing" })).toMatchObject({ code: "malformed" });
    expect(parseWelcome({ ...welcome, catalogue: { ...catalogue, encoder: { ...encoder, dimension: 8 } } })).toMatchObject({
      message: "welcome.catalogue: encoder.dimension 8 differs from profileDim 4",
    });
    expect(parseWelcome({ ...welcome, catalogue: { ...catalogue, encoder: { ...encoder, pooling: "cls" } } })).toMatchObject({
      message: 'welcome: the configuration pools "mean", the catalogue\'s encoder "cls"',
    });
  });

  it("the best round in a welcome, a round summary and the finish is null or a completed round", () => {
    const welcome = parseWelcome({
      protocol: PROTOCOL_VERSION,
      clientId: "client-0001",
      secret: "secret-secret",
      catalogue,
      config: DEFAULT_CONFIG,
      phase: "finished",
      completedRounds: 5,
      bestRound: 3,
      table: new Uint8Array(0),
    });
    expect(welcome).toMatchObject({ bestRound: 3, completedRounds: 5 });
    expect(parseWelcome({ ...(welcome as object), bestRound: 6 })).toMatchObject({
      code: "malformed",
      message: "welcome.bestRound: expected a completed round in [1, 5] or null, got 6",
    });
    const { bestRound: _best, ...old } = welcome as unknown as Record<string, unknown>;
    expect(parseWelcome(old)).toMatchObject({ message: "welcome.bestRound: missing" });

    const metrics = { val: { hr10: 0.5, ndcg10: 0.2, count: 4 }, test: { hr10: 0.25, ndcg10: 0.1, count: 4 } };
    const summary = {
      round: 4,
      sampled: 2,
      aggregated: 2,
      loss: 0.3,
      metrics,
      bytes: { in: 1, out: 1 },
      seconds: { total: 1, aggregate: 0 },
      rejected: {},
      dpEpsilon: null,
    };
    expect(parseRoundSummary({ ...summary, bestRound: 4 })).toMatchObject({ bestRound: 4 });
    expect(parseRoundSummary({ ...summary, bestRound: null })).toMatchObject({ bestRound: null });
    expect(parseRoundSummary({ ...summary, bestRound: 5 })).toMatchObject({ code: "malformed" });
    expect(parseRoundSummary({ ...summary, bestRound: "4" })).toMatchObject({ code: "malformed" });
    // The ε spent under client-level DP: a finite number, or null when DP is off; never absent.
    expect(parseRoundSummary({ ...summary, bestRound: 4, dpEpsilon: 1.5 })).toMatchObject({ dpEpsilon: 1.5 });
    expect(parseRoundSummary({ ...summary, bestRound: 4, dpEpsilon: "1.5" })).toMatchObject({ code: "malformed" });
    const { dpEpsilon: _epsilon, ...withoutEpsilon } = summary;
    expect(parseRoundSummary({ ...withoutEpsilon, bestRound: 4 })).toMatchObject({ message: /dpEpsilon: missing/ });

    const finished = { completedRounds: 9, stoppedEarlyAt: 9, bestRound: 6, table: toWire(new Float32Array(2)) };
    expect(parseFederationFinished(finished)).toEqual(finished);
    expect(parseFederationFinished({ ...finished, stoppedEarlyAt: null, bestRound: null })).toMatchObject({ bestRound: null });
    expect(parseFederationFinished({ ...finished, bestRound: 0 })).toMatchObject({ code: "malformed" });
    expect(parseFederationFinished({ ...finished, table: [0, 0] })).toMatchObject({
      message: "federation:finished.table: expected binary data, got an array",
    });
    expect(parseFederationFinished({ ...finished, extra: 1 })).toMatchObject({
      message: "federation:finished: unexpected field(s) extra",
    });
  });

  it("the catalogue response, the federation's state and a protocol:error are checked before they are used", () => {
    const items = { titles: ["A", "B"], sourceIds: ["1", "2"], profileTemplate: null };
    const config = DEFAULT_CONFIG;
    expect(parseCatalogueResponse({ catalogue, items, config })).toEqual({ catalogue, items, config });
    expect(parseCatalogueResponse({ catalogue, items: null, config })).toEqual({ catalogue, items: null, config });
    expect(parseCatalogueResponse({ catalogue, items: { ...items, profileTemplate: "imdb" }, config })).toMatchObject({
      message: 'catalogue response.items.profileTemplate: expected "movielens-100k", got "imdb"',
    });
    expect(parseCatalogueResponse({ catalogue, items, config: { ...config, rounds: 0 } })).toMatchObject({
      message: "catalogue response.config.rounds: must be an integer in [1, 100000], got 0",
    });
    expect(parseCatalogueResponse({ catalogue: { ...catalogue, profileDim: 8 }, items, config })).toMatchObject({
      message: "catalogue response.catalogue: encoder.dimension 4 differs from profileDim 8",
    });
    expect(parseFederationState({ phase: "training", completedRounds: 2, rounds: 10 })).toEqual({
      phase: "training",
      completedRounds: 2,
      rounds: 10,
    });
    expect(parseFederationState({ phase: "training", completedRounds: -1, rounds: 10 })).toMatchObject({
      message: "federation:state.completedRounds: expected an integer in [0, 100000], got -1",
    });
    const refusal = { ok: false, code: "stale-round", message: "round 3 has closed" };
    expect(parseProtocolError(refusal)).toEqual(refusal);
    // Something else on the error event is reported as such, never taken for a fatal refusal.
    expect(parseProtocolError({ ok: false, code: "explode", message: "x" })).toMatchObject({
      code: "malformed",
      message: expect.stringMatching(/^protocol:error\.code: expected "malformed" \| "too-large"/),
    });
  });
});

describe("admin control requests", () => {
  it("are an action, a client to remove or a change of settings, exactly one", () => {
    expect(parseControlRequest({ action: "pause" })).toEqual({ action: "pause" });
    expect(parseControlRequest({ action: "step" })).toEqual({ action: "step" });
    expect(parseControlRequest({ action: "reset" })).toEqual({ action: "reset" });
    expect(parseControlRequest({ kick: "client-0001" })).toEqual({ kick: "client-0001" });
    expect(parseControlRequest({ settings: { rounds: 5 } })).toEqual({ settings: { rounds: 5 } });
    expect(parseControlRequest({ action: "explode" })).toMatchObject({
      code: "malformed",
      message: 'control.action: expected "start" | "pause" | "stop" | "step" | "reset", got "explode"',
    });
    expect(parseControlRequest({ kick: "a b" })).toMatchObject({
      code: "malformed",
      message: 'control.kick: expected a string matching /^[A-Za-z0-9_-]{8,128}$/, got "a b"',
    });
    expect(parseControlRequest({ settings: [] })).toMatchObject({
      message: "control.settings: expected an object of settings, got an array",
    });
    const expected =
      'control: expected {"action": "start" | "pause" | "stop" | "step" | "reset"}, {"kick": clientId} or {"settings": {...}}';
    expect(parseControlRequest({})).toMatchObject({ code: "malformed", message: `${expected}, got none` });
    for (const several of [
      { action: "stop", settings: {} },
      { action: "reset", kick: "client-0001" },
    ]) {
      expect(parseControlRequest(several)).toMatchObject({ code: "malformed", message: `${expected}, got more than one` });
    }
    expect(parseControlRequest({ action: "stop", force: true })).toMatchObject({ message: "control: unexpected field(s) force" });
    expect(parseControlRequest("start")).toMatchObject({ message: 'control: expected an object, got "start"' });
  });

  it("the round history the dashboard reads carries a complete configuration", () => {
    expect(parseRoundHistory({ config: DEFAULT_CONFIG, rounds: [] })).toEqual({ config: DEFAULT_CONFIG, rounds: [] });
    expect(parseRoundHistory({ config: { ...DEFAULT_CONFIG, neighbourhood: "topk" }, rounds: [] })).toMatchObject({
      code: "malformed",
      message: 'rounds.config.neighbourhood: must be an object such as {"kind": "topk", "k": 10}, got "topk"',
    });
  });
});
