/**
 * Runtime validation of every message that reaches the coordinator or a client. Incoming data is
 * `unknown` until one of these functions has checked it field by field; the answer is either the
 * typed message or an ErrorReply that names the first problem.
 */
import { validateFullConfig, type FederationConfig } from "../config/federation-config.ts";
import { ENCODER_CHECKSUM_PATTERN, type EncoderIdentity } from "../encoder/encoder-identity.ts";
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import type {
  Catalogue,
  FederationFinished,
  FederationPhase,
  JoinRequest,
  RoundStart,
  RoundSummary,
  UploadMessage,
  Welcome,
} from "./messages.ts";
import { errorReply, isErrorReply, type ErrorReply } from "./protocol-error.ts";
import { PROTOCOL_VERSION } from "./messages.ts";
import { FLOAT16_MAX } from "./float16.ts";
import { float16FromWire, float32FromWire, int32FromWire } from "./wire-arrays.ts";

/** Client ids and secrets: URL-safe tokens, so they can sit in links, logs and file names. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
const CODE_PATTERN = /^[A-Za-z0-9]{4,32}$/;
/** Model ids such as "Xenova/all-MiniLM-L6-v2". */
const MODEL_PATTERN = /^[A-Za-z0-9._:/-]{1,128}$/;
/** A client's label: 1–80 printable characters (no control characters). */
const LABEL_PATTERN = /^[^\p{Cc}]{1,80}$/u;

/** Held-out items a client evaluates per split (leave-one-out: one validation, one test item). */
const MAX_HELD_OUT_PER_CLIENT = 1;

/**
 * The largest magnitude an uploaded float may have: float16's largest finite value, so a float32
 * federation accepts exactly the range a float16 one can carry. Sums of many such values stay far
 * below float32's overflow (≈ 3.4e38), which larger finite values reach in aggregation.
 */
export const MAX_UPLOAD_MAGNITUDE = FLOAT16_MAX;

type Fields = Record<string, unknown>;

function objectOf(value: unknown, what: string): Fields | ErrorReply {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    return errorReply("malformed", `${what}: expected an object, got ${describe(value)}`);
  }
  return value as Fields;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return "binary data";
  return typeof value;
}

function unexpectedKeys(fields: Fields, allowed: readonly string[], what: string): ErrorReply | null {
  const extra = Object.keys(fields).filter((k) => !allowed.includes(k));
  return extra.length > 0 ? errorReply("malformed", `${what}: unexpected field(s) ${extra.join(", ")}`) : null;
}

function integerField(fields: Fields, key: string, what: string, min: number, max: number): number | ErrorReply {
  const v = fields[key];
  if (typeof v !== "number" || !Number.isInteger(v))
    return errorReply("malformed", `${what}.${key}: expected an integer, got ${describe(v)}`);
  if (v < min || v > max) return errorReply("malformed", `${what}.${key}: ${v} is outside [${min}, ${max}]`);
  return v;
}

/** null, or an integer in [min, max]. */
function optionalRoundField(fields: Fields, key: string, what: string, min: number, max: number): number | null | ErrorReply {
  if (!(key in fields)) return errorReply("malformed", `${what}.${key}: missing (an integer or null)`);
  return fields[key] === null ? null : integerField(fields, key, what, min, max);
}

function stringField(fields: Fields, key: string, what: string, pattern: RegExp): string | ErrorReply {
  const v = fields[key];
  if (typeof v !== "string") return errorReply("malformed", `${what}.${key}: expected a string, got ${describe(v)}`);
  if (!pattern.test(v)) return errorReply("malformed", `${what}.${key}: must match ${pattern.source}`);
  return v;
}

/**
 * `maxCount` bounds the number of evaluated items: a client evaluates at most one held-out item
 * per split (leave-one-out), so its upload's count is 0 or 1; a round summary's is a sum.
 */
function metricsField(value: unknown, what: string, maxCount = 1_000_000): RankingMetrics | ErrorReply {
  const m = objectOf(value, what);
  if (isErrorReply(m)) return m;
  const extra = unexpectedKeys(m, ["hr10", "ndcg10", "count"], what);
  if (extra) return extra;
  for (const key of ["hr10", "ndcg10"] as const) {
    const v = m[key];
    // JSON carries NaN and ±Inf as null: null is a non-finite number, any other type a malformed one.
    if (v === null || (typeof v === "number" && !Number.isFinite(v)))
      return errorReply("not-finite", `${what}.${key}: expected a finite number, got ${String(v)}`);
    if (typeof v !== "number") return errorReply("malformed", `${what}.${key}: expected a number, got ${describe(v)}`);
    if (v < 0 || v > 1) return errorReply("malformed", `${what}.${key}: ${v} is outside [0, 1]`);
  }
  const count = integerField(m, "count", what, 0, maxCount);
  if (isErrorReply(count)) return count;
  return { hr10: m.hr10 as number, ndcg10: m.ndcg10 as number, count };
}

/** An encoder identity: model id, pooling, weight precision, dimension and the model files' checksum. */
function encoderField(value: unknown, what: string): EncoderIdentity | ErrorReply {
  const f = objectOf(value, what);
  if (isErrorReply(f)) return f;
  const extra = unexpectedKeys(f, ["model", "pooling", "precision", "dimension", "checksum"], what);
  if (extra) return extra;
  const model = stringField(f, "model", what, MODEL_PATTERN);
  if (isErrorReply(model)) return model;
  if (f.pooling !== "mean" && f.pooling !== "cls")
    return errorReply("malformed", `${what}.pooling: must be "mean" or "cls", got ${JSON.stringify(f.pooling)}`);
  if (f.precision !== "fp32" && f.precision !== "int8")
    return errorReply("malformed", `${what}.precision: must be "fp32" or "int8", got ${JSON.stringify(f.precision)}`);
  const dimension = integerField(f, "dimension", what, 1, 65_536);
  if (isErrorReply(dimension)) return dimension;
  const checksum = stringField(f, "checksum", what, ENCODER_CHECKSUM_PATTERN);
  if (isErrorReply(checksum)) return checksum;
  return { model, pooling: f.pooling, precision: f.precision, dimension, checksum };
}

export function parseJoinRequest(value: unknown): JoinRequest | ErrorReply {
  const what = "join";
  const f = objectOf(value, what);
  if (isErrorReply(f)) return f;
  const extra = unexpectedKeys(
    f,
    ["protocol", "code", "token", "clientId", "secret", "numItems", "profileDim", "encoder", "label"],
    what,
  );
  if (extra) return extra;
  if (f.protocol !== PROTOCOL_VERSION) {
    return errorReply(
      "protocol-version",
      `this coordinator speaks protocol ${PROTOCOL_VERSION}, the client sent ${JSON.stringify(f.protocol)}; reload or update the client`,
    );
  }
  const code = stringField(f, "code", what, CODE_PATTERN);
  if (isErrorReply(code)) return code;
  const token = stringField(f, "token", what, TOKEN_PATTERN);
  if (isErrorReply(token)) return token;
  const clientId = stringField(f, "clientId", what, TOKEN_PATTERN);
  if (isErrorReply(clientId)) return clientId;
  const secret = f.secret === null || f.secret === undefined ? null : stringField(f, "secret", what, TOKEN_PATTERN);
  if (isErrorReply(secret)) return secret;
  const numItems = integerField(f, "numItems", what, 1, 100_000_000);
  if (isErrorReply(numItems)) return numItems;
  const profileDim = integerField(f, "profileDim", what, 1, 65_536);
  if (isErrorReply(profileDim)) return profileDim;
  const encoder = encoderField(f.encoder, `${what}.encoder`);
  if (isErrorReply(encoder)) return encoder;
  const label = f.label === null || f.label === undefined ? null : stringField(f, "label", what, LABEL_PATTERN);
  if (isErrorReply(label)) return label;
  return { protocol: PROTOCOL_VERSION, code, token, clientId, secret, numItems, profileDim, encoder, label };
}

/** The upload's JSON fields; its binary fields are checked against the shapes by `parseUploadArrays`. */
export function parseUploadMessage(value: unknown): UploadMessage | ErrorReply {
  const what = "upload";
  const f = objectOf(value, what);
  if (isErrorReply(f)) return f;
  const extra = unexpectedKeys(f, ["round", "clientId", "userWeights", "rows", "values", "numExamples", "loss", "metrics"], what);
  if (extra) return extra;
  const round = integerField(f, "round", what, 1, 100_000);
  if (isErrorReply(round)) return round;
  const clientId = stringField(f, "clientId", what, TOKEN_PATTERN);
  if (isErrorReply(clientId)) return clientId;
  const numExamples = integerField(f, "numExamples", what, 0, 100_000_000);
  if (isErrorReply(numExamples)) return numExamples;
  const loss = f.loss; // null stands for NaN (nothing trained)
  if (loss !== null && typeof loss !== "number")
    return errorReply("malformed", `${what}.loss: expected a number or null, got ${describe(loss)}`);
  if (loss !== null && !Number.isFinite(loss)) return errorReply("not-finite", `${what}.loss: ${loss} is not finite`);
  const metrics = objectOf(f.metrics, `${what}.metrics`);
  if (isErrorReply(metrics)) return metrics;
  const extraMetrics = unexpectedKeys(metrics, ["val", "test"], `${what}.metrics`);
  if (extraMetrics) return extraMetrics;
  // A client's metrics weigh in the round's combined metrics (and the best round) by their count.
  const val = metricsField(metrics.val, `${what}.metrics.val`, MAX_HELD_OUT_PER_CLIENT);
  if (isErrorReply(val)) return val;
  const test = metricsField(metrics.test, `${what}.metrics.test`, MAX_HELD_OUT_PER_CLIENT);
  if (isErrorReply(test)) return test;
  for (const key of ["userWeights", "rows", "values"] as const) {
    if (!(f[key] instanceof Uint8Array || f[key] instanceof ArrayBuffer)) {
      return errorReply("malformed", `${what}.${key}: expected binary data, got ${describe(f[key])}`);
    }
  }
  return {
    round,
    clientId,
    numExamples,
    loss,
    metrics: { val, test },
    userWeights: f.userWeights as Uint8Array,
    rows: f.rows as Uint8Array,
    values: f.values as Uint8Array,
  };
}

// ---------------------------------------------------------------- coordinator → client

/** A federation's catalogue (in the welcome, or as the coordinator's store read it back). */
export function parseCatalogue(value: unknown, what = "welcome.catalogue"): Catalogue | ErrorReply {
  const f = objectOf(value, what);
  if (isErrorReply(f)) return f;
  if (typeof f.dataset !== "string") return errorReply("malformed", `${what}.dataset: expected a string`);
  const numItems = integerField(f, "numItems", what, 1, 100_000_000);
  if (isErrorReply(numItems)) return numItems;
  const profileDim = integerField(f, "profileDim", what, 1, 65_536);
  if (isErrorReply(profileDim)) return profileDim;
  const encoder = encoderField(f.encoder, `${what}.encoder`);
  if (isErrorReply(encoder)) return encoder;
  if (encoder.dimension !== profileDim)
    return errorReply("malformed", `${what}: encoder.dimension ${encoder.dimension} differs from profileDim ${profileDim}`);
  return { dataset: f.dataset, numItems, profileDim, encoder };
}

const PHASES: readonly FederationPhase[] = ["waiting", "training", "paused", "finished"];

export function parseWelcome(value: unknown): Welcome | ErrorReply {
  const f = objectOf(value, "welcome");
  if (isErrorReply(f)) return f;
  if (f.protocol !== PROTOCOL_VERSION)
    return errorReply(
      "protocol-version",
      `the coordinator speaks protocol ${JSON.stringify(f.protocol)}, this client ${PROTOCOL_VERSION}`,
    );
  const clientId = stringField(f, "clientId", "welcome", TOKEN_PATTERN);
  if (isErrorReply(clientId)) return clientId;
  const secret = stringField(f, "secret", "welcome", TOKEN_PATTERN);
  if (isErrorReply(secret)) return secret;
  const catalogue = parseCatalogue(f.catalogue);
  if (isErrorReply(catalogue)) return catalogue;
  let config: FederationConfig;
  try {
    config = validateFullConfig(f.config, "welcome.config");
  } catch (e) {
    return errorReply("malformed", (e as Error).message);
  }
  if (config.pooling !== catalogue.encoder.pooling) {
    return errorReply(
      "malformed",
      `welcome: the configuration pools "${config.pooling}", the catalogue's encoder "${catalogue.encoder.pooling}"`,
    );
  }
  if (config.encoderPrecision !== catalogue.encoder.precision) {
    return errorReply(
      "malformed",
      `welcome: the configuration's encoder has ${config.encoderPrecision} weights, the catalogue's ${catalogue.encoder.precision}`,
    );
  }
  if (!PHASES.includes(f.phase as FederationPhase))
    return errorReply("malformed", `welcome.phase: unknown phase ${JSON.stringify(f.phase)}`);
  const completedRounds = integerField(f, "completedRounds", "welcome", 0, 100_000);
  if (isErrorReply(completedRounds)) return completedRounds;
  const bestRound = optionalRoundField(f, "bestRound", "welcome", 1, completedRounds);
  if (isErrorReply(bestRound)) return bestRound;
  if (!(f.table instanceof Uint8Array || f.table instanceof ArrayBuffer))
    return errorReply("malformed", "welcome.table: expected binary data");
  return {
    protocol: PROTOCOL_VERSION,
    clientId,
    secret,
    catalogue,
    config,
    phase: f.phase as FederationPhase,
    completedRounds,
    bestRound,
    table: f.table,
  };
}

export function parseRoundStart(value: unknown): RoundStart | ErrorReply {
  const f = objectOf(value, "round:start");
  if (isErrorReply(f)) return f;
  const round = integerField(f, "round", "round:start", 1, 100_000);
  if (isErrorReply(round)) return round;
  const deadline = integerField(f, "deadline", "round:start", 0, Number.MAX_SAFE_INTEGER);
  if (isErrorReply(deadline)) return deadline;
  if (!(f.table instanceof Uint8Array || f.table instanceof ArrayBuffer))
    return errorReply("malformed", "round:start.table: expected binary data");
  return { round, deadline, table: f.table };
}

/** Round summaries are shown, not computed with: a shape check is enough. */
export function parseRoundSummary(value: unknown): RoundSummary | ErrorReply {
  const f = objectOf(value, "round:end");
  if (isErrorReply(f)) return f;
  const round = integerField(f, "round", "round:end", 1, 100_000);
  if (isErrorReply(round)) return round;
  const metrics = objectOf(f.metrics, "round:end.metrics");
  if (isErrorReply(metrics)) return metrics;
  const val = metricsField(metrics.val, "round:end.metrics.val");
  if (isErrorReply(val)) return val;
  const test = metricsField(metrics.test, "round:end.metrics.test");
  if (isErrorReply(test)) return test;
  const bestRound = optionalRoundField(f, "bestRound", "round:end", 1, round);
  if (isErrorReply(bestRound)) return bestRound;
  return value as RoundSummary;
}

export function parseFederationFinished(value: unknown): FederationFinished | ErrorReply {
  const what = "federation:finished";
  const f = objectOf(value, what);
  if (isErrorReply(f)) return f;
  const extra = unexpectedKeys(f, ["completedRounds", "stoppedEarlyAt", "bestRound", "table"], what);
  if (extra) return extra;
  const completedRounds = integerField(f, "completedRounds", what, 0, 100_000);
  if (isErrorReply(completedRounds)) return completedRounds;
  const stoppedEarlyAt = optionalRoundField(f, "stoppedEarlyAt", what, 1, completedRounds);
  if (isErrorReply(stoppedEarlyAt)) return stoppedEarlyAt;
  const bestRound = optionalRoundField(f, "bestRound", what, 1, completedRounds);
  if (isErrorReply(bestRound)) return bestRound;
  if (!(f.table instanceof Uint8Array || f.table instanceof ArrayBuffer))
    return errorReply("malformed", `${what}.table: expected binary data`);
  return { completedRounds, stoppedEarlyAt, bestRound, table: f.table };
}

export interface UploadShapes {
  /** profileDim × jointDim. */
  readonly userWeights: number;
  readonly numItems: number;
  readonly itemDim: number;
  /** Encoding of θ_user and the row values (the federation's `uploadPrecision`). */
  readonly precision: "float32" | "float16";
}

export interface UploadArrays {
  readonly userWeights: Float32Array;
  readonly rows: Int32Array;
  readonly values: Float32Array;
}

/** The first value of `values` beyond ±MAX_UPLOAD_MAGNITUDE, as an error naming `field`, or null. */
function beyondUploadRange(values: Float32Array, field: string): ErrorReply | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > MAX_UPLOAD_MAGNITUDE || v < -MAX_UPLOAD_MAGNITUDE) {
      return errorReply(
        "not-finite",
        `${field}[${i}] = ${v} is beyond ±${MAX_UPLOAD_MAGNITUDE}, the largest value an upload may carry (larger ones overflow in aggregation)`,
      );
    }
  }
  return null;
}

/** Decodes the upload's binary fields and checks them against the federation's shapes. */
export function parseUploadArrays(upload: UploadMessage, shapes: UploadShapes): UploadArrays | ErrorReply {
  const floats = shapes.precision === "float16" ? float16FromWire : float32FromWire;
  const userWeights = floats(upload.userWeights, "upload.userWeights", shapes.userWeights);
  if (isErrorReply(userWeights)) return userWeights;
  const hugeWeight = beyondUploadRange(userWeights, "upload.userWeights");
  if (hugeWeight) return hugeWeight;
  const rows = int32FromWire(upload.rows, "upload.rows", shapes.numItems);
  if (isErrorReply(rows)) return rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row < 0 || row >= shapes.numItems)
      return errorReply("wrong-shape", `upload.rows[${i}] = ${row} is outside [0, ${shapes.numItems})`);
    if (i > 0 && row <= rows[i - 1]!)
      return errorReply("wrong-shape", `upload.rows must be ascending and distinct (rows[${i}] = ${row})`);
  }
  const values = floats(upload.values, "upload.values", rows.length * shapes.itemDim);
  if (isErrorReply(values)) return values;
  const hugeValue = beyondUploadRange(values, "upload.values");
  if (hugeValue) return hugeValue;
  return { userWeights, rows, values };
}
