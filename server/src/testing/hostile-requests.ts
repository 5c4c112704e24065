/**
 * Hostile requests for the coordinator's fuzz test: first joins broken in exactly one field, each
 * with the error code it must be answered with, and admin commands that must be refused.
 */
import { PROTOCOL_VERSION, type EncoderIdentity, type Rng } from "@fedrec/common";
import { pick, type Expected } from "./random-payload.ts";

/** What a valid first join carries (the stranger's id changes per message). */
export interface JoinContext {
  readonly code: string;
  readonly token: string;
  readonly numItems: number;
  readonly profileDim: number;
  readonly encoder: EncoderIdentity;
  /** Registered clients (a join under their id needs their secret). */
  readonly registered: readonly string[];
  /** A client the teacher removed (its joins are refused as kicked). */
  readonly kicked: string;
}

/** A first join from a connection that has not joined, broken in one field. */
export function hostileJoin(rng: Rng, ctx: JoinContext, n: number): Expected {
  const base = {
    protocol: PROTOCOL_VERSION,
    code: ctx.code,
    token: ctx.token,
    clientId: `stranger-${n}-${rng.int(1e9)}`,
    secret: null as string | null,
    numItems: ctx.numItems,
    profileDim: ctx.profileDim,
    encoder: ctx.encoder,
    label: null,
  };
  const encoder = (changes: object) => ({ ...base, encoder: { ...ctx.encoder, ...changes } });
  const variants: (() => Expected)[] = [
    () => ({
      what: "another protocol",
      payload: {
        ...base,
        protocol: pick(rng, [
          PROTOCOL_VERSION - 1,
          PROTOCOL_VERSION + 1,
          0,
          -3,
          String(PROTOCOL_VERSION),
          null,
          true,
          PROTOCOL_VERSION + 0.5,
          [PROTOCOL_VERSION],
        ]),
      },
      code: "protocol-version",
    }),
    () => ({
      what: "no federation with the code",
      payload: { ...base, code: pick(rng, ["NOPE99", "TEST43", "ZZZZ"]) },
      code: "unknown-federation",
    }),
    () => ({
      what: "an invalid code",
      payload: { ...base, code: pick(rng, ["", "abc", "x".repeat(33), "TEST-42", 42, null]) },
      code: "malformed",
    }),
    () => ({ what: "a wrong token", payload: { ...base, token: `wrong-token-${rng.int(1e6)}` }, code: "bad-token" }),
    () => ({
      what: "an invalid token",
      payload: { ...base, token: pick(rng, ["short", "", 7, null, "x".repeat(129), "bad token!!"]) },
      code: "malformed",
    }),
    () => ({
      what: "a registered id without its secret, or with a wrong one",
      payload: { ...base, clientId: pick(rng, ctx.registered), secret: pick(rng, [null, `wrong-secret-${rng.int(1e6)}`]) },
      code: "bad-token",
    }),
    () => ({ what: "a new id with a secret", payload: { ...base, secret: `some-secret-${rng.int(1e6)}` }, code: "bad-token" }),
    () => ({
      what: "an invalid id or secret",
      payload: { ...base, [pick(rng, ["clientId", "secret"])]: pick(rng, ["x", "", "a b c d e f g", 5, true, {}]) },
      code: "malformed",
    }),
    () => ({ what: "a kicked client", payload: { ...base, clientId: ctx.kicked }, code: "kicked" }),
    () => ({
      what: "another catalogue",
      payload: pick(rng, [
        { ...base, numItems: pick(rng, [ctx.numItems - 1, ctx.numItems + 1, ctx.numItems * 2]) },
        { ...base, profileDim: pick(rng, [ctx.profileDim - 1, ctx.profileDim + 1]) },
      ]),
      code: "catalogue-mismatch",
    }),
    () => ({
      what: "counts out of range",
      payload: pick(rng, [
        { ...base, numItems: pick(rng, [0, -1, 1.5, 100_000_001, 1e300, "40", null]) },
        { ...base, profileDim: pick(rng, [0, -1, 65_537, 1.5, "32", null]) },
      ]),
      code: "malformed",
    }),
    () => ({
      what: "another encoder",
      payload: pick(rng, [
        encoder({ checksum: `sha256:${"0".repeat(64)}` }),
        encoder({ pooling: ctx.encoder.pooling === "mean" ? "cls" : "mean" }),
        encoder({ model: "other/model" }),
        encoder({ dimension: ctx.encoder.dimension * 2 }),
      ]),
      code: "encoder-mismatch",
    }),
    () => ({
      what: "an invalid encoder",
      payload: pick(rng, [
        { ...base, encoder: pick(rng, [null, {}, "minilm", [ctx.encoder]]) },
        encoder({ extra: 1 }),
        encoder({ pooling: "max" }),
        encoder({ checksum: "md5:abc" }),
        encoder({ dimension: 0 }),
        encoder({ model: "" }),
      ]),
      code: "malformed",
    }),
    () => ({
      what: "an invalid label",
      payload: { ...base, label: pick(rng, ["", "x".repeat(81), "bad\u0000label", "\n", 42, {}, []]) },
      code: "malformed",
    }),
    () => ({
      what: "an extra field",
      payload: { ...base, [pick(rng, ["extra", "constructor", "round"])]: 1 },
      code: "malformed",
    }),
    () => {
      const key = pick(rng, ["protocol", "code", "token", "clientId", "numItems", "profileDim", "encoder"]);
      const missing: Record<string, unknown> = { ...base };
      delete missing[key];
      return { what: "a missing field", payload: missing, code: key === "protocol" ? "protocol-version" : "malformed" };
    },
    () => ({ what: "not an object", payload: pick(rng, [null, 3, "join", [base], new Uint8Array(4)]), code: "malformed" }),
  ];
  return pick(rng, variants)();
}

/** Settings values no live setting accepts (null is a valid uploadClipNorm, so it is not among them). */
const BAD_SETTING_VALUES = ["5", "bogus", true, [1], {}, 1e300, -1e300];
const LIVE_KEYS = ["rounds", "fractionTrain", "minTrainClients", "minClientsToStart", "roundDeadlineSeconds", "quorum"] as const;
const MORE_LIVE_KEYS = [
  "neighbourhood",
  "propagationLayers",
  "globalUpdate",
  "serverOptimizer",
  "serverLearningRate",
  "distribution",
] as const;

/** An admin `control` request that must be refused (`malformed`) and change nothing. */
export function hostileControl(rng: Rng, precision: "float32" | "float16"): { what: string; payload: unknown } {
  const variants: (() => { what: string; payload: unknown })[] = [
    () => ({
      what: "not a command",
      payload: pick(rng, [
        null,
        "start",
        5,
        [],
        {},
        { action: "explode" },
        { action: null },
        { action: 1 },
        { action: ["start"] },
      ]),
    }),
    () => ({ what: "settings not an object", payload: { settings: pick(rng, [null, "rounds=5", [], 5, true]) } }),
    () => ({
      what: "a live setting with a bad value",
      payload: { settings: { [pick(rng, [...LIVE_KEYS, ...MORE_LIVE_KEYS, "uploadClipNorm"])]: pick(rng, BAD_SETTING_VALUES) } },
    }),
    () => ({
      what: "a setting fixed at join",
      payload: {
        settings: pick(rng, [
          { seed: 7 },
          { uploadPrecision: precision === "float32" ? "float16" : "float32" },
          { itemDim: 8 },
          { pooling: "cls" },
          { learningRate: 0.1 },
        ]),
      },
    }),
    () => ({
      what: "an unknown setting",
      payload: { settings: { [pick(rng, ["roundz", "constructor", "__proto__", "toString"])]: 1 } },
    }),
  ];
  return pick(rng, variants)();
}
