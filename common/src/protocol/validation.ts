/**
 * Runtime validation of every message that reaches the coordinator or a client. Incoming data is
 * `unknown` until its schema (messages.ts) has checked it; the answer is either the typed message
 * or an ErrorReply that names the first problem: where, what was expected, what came.
 * Relations between fields that a schema cannot see (a best round among the completed ones, the
 * encoder's width and the profile width) are checked here after the shape.
 */
import * as v from "valibot";
import { issueLines } from "../schema/issue-lines.ts";
import { isNotFiniteIssue, isPlainObject } from "../schema/message-fields.ts";
import {
  CatalogueResponseSchema,
  CatalogueSchema,
  FederationFinishedSchema,
  FederationResetSchema,
  FederationStateSchema,
  JoinRequestSchema,
  PROTOCOL_VERSION,
  RoundStartSchema,
  RoundSummarySchema,
  UploadMessageSchema,
  WelcomeSchema,
  type Catalogue,
  type CatalogueResponse,
  type FederationFinished,
  type FederationReset,
  type FederationState,
  type JoinRequest,
  type RoundStart,
  type RoundSummary,
  type UploadMessage,
  type Welcome,
} from "./messages.ts";
import { ErrorReplySchema, errorReply, isErrorReply, type ErrorReply } from "./protocol-error.ts";
import { FLOAT16_MAX } from "./float16.ts";
import { float16FromWire, float32FromWire, int32FromWire } from "./wire-arrays.ts";

/**
 * The largest magnitude an uploaded float may have: float16's largest finite value, so a float32
 * federation accepts exactly the range a float16 one can carry. Sums of many such values stay far
 * below float32's overflow (≈ 3.4e38), which larger finite values reach in aggregation.
 */
export const MAX_UPLOAD_MAGNITUDE = FLOAT16_MAX;

/**
 * `value` checked by `schema`; the first problem as an ErrorReply (`not-finite` for NaN or ±Inf,
 * else `malformed`) whose message starts with `what` and the field's path.
 */
export function parseMessage<S extends v.GenericSchema>(schema: S, value: unknown, what: string): v.InferOutput<S> | ErrorReply {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  return errorReply(isNotFiniteIssue(issue) ? "not-finite" : "malformed", issueLines([issue], what, ": ")[0]!);
}

/** The error for a best (or stopping) round that is not one of the completed rounds, or null. */
function roundBeyond(what: string, value: number | null, completedRounds: number): ErrorReply | null {
  return value !== null && value > completedRounds
    ? errorReply("malformed", `${what}: expected a completed round in [1, ${completedRounds}] or null, got ${value}`)
    : null;
}

export function parseJoinRequest(value: unknown): JoinRequest | ErrorReply {
  if (isPlainObject(value) && value.protocol !== PROTOCOL_VERSION) {
    return errorReply(
      "protocol-version",
      `this coordinator speaks protocol ${PROTOCOL_VERSION}, the client sent ${JSON.stringify(value.protocol)}; reload or update the client`,
    );
  }
  return parseMessage(JoinRequestSchema, value, "join");
}

/** The upload's JSON fields; its binary fields are checked against the shapes by `parseUploadArrays`. */
export function parseUploadMessage(value: unknown): UploadMessage | ErrorReply {
  return parseMessage(UploadMessageSchema, value, "upload");
}

// ---------------------------------------------------------------- coordinator → client

/** A federation's catalogue (in the welcome, or as the coordinator's store read it back). */
export function parseCatalogue(value: unknown, what = "welcome.catalogue"): Catalogue | ErrorReply {
  const catalogue = parseMessage(CatalogueSchema, value, what);
  if (isErrorReply(catalogue)) return catalogue;
  const { encoder, profileDim } = catalogue;
  if (encoder.dimension !== profileDim)
    return errorReply("malformed", `${what}: encoder.dimension ${encoder.dimension} differs from profileDim ${profileDim}`);
  return catalogue;
}

/** The catalogue endpoint's answer, as the web client reads it before embedding and joining. */
export function parseCatalogueResponse(value: unknown): CatalogueResponse | ErrorReply {
  const response = parseMessage(CatalogueResponseSchema, value, "catalogue response");
  if (isErrorReply(response)) return response;
  const catalogue = parseCatalogue(response.catalogue, "catalogue response.catalogue");
  return isErrorReply(catalogue) ? catalogue : response;
}

export function parseWelcome(value: unknown): Welcome | ErrorReply {
  if (isPlainObject(value) && value.protocol !== PROTOCOL_VERSION) {
    return errorReply(
      "protocol-version",
      `the coordinator speaks protocol ${JSON.stringify(value.protocol)}, this client ${PROTOCOL_VERSION}`,
    );
  }
  const welcome = parseMessage(WelcomeSchema, value, "welcome");
  if (isErrorReply(welcome)) return welcome;
  const catalogue = parseCatalogue(welcome.catalogue);
  if (isErrorReply(catalogue)) return catalogue;
  if (welcome.config.pooling !== catalogue.encoder.pooling) {
    return errorReply(
      "malformed",
      `welcome: the configuration pools "${welcome.config.pooling}", the catalogue's encoder "${catalogue.encoder.pooling}"`,
    );
  }
  if (welcome.config.encoderPrecision !== catalogue.encoder.precision) {
    return errorReply(
      "malformed",
      `welcome: the configuration's encoder has ${welcome.config.encoderPrecision} weights, the catalogue's ${catalogue.encoder.precision}`,
    );
  }
  return roundBeyond("welcome.bestRound", welcome.bestRound, welcome.completedRounds) ?? welcome;
}

export function parseRoundStart(value: unknown): RoundStart | ErrorReply {
  return parseMessage(RoundStartSchema, value, "round:start");
}

export function parseRoundSummary(value: unknown): RoundSummary | ErrorReply {
  const summary = parseMessage(RoundSummarySchema, value, "round:end");
  if (isErrorReply(summary)) return summary;
  return roundBeyond("round:end.bestRound", summary.bestRound, summary.round) ?? summary;
}

export function parseFederationState(value: unknown): FederationState | ErrorReply {
  return parseMessage(FederationStateSchema, value, "federation:state");
}

export function parseFederationReset(value: unknown): FederationReset | ErrorReply {
  return parseMessage(FederationResetSchema, value, "federation:reset");
}

/** A `protocol:error` event as the coordinator sent it; anything else becomes a `malformed` error saying so. */
export function parseProtocolError(value: unknown): ErrorReply {
  return parseMessage(ErrorReplySchema, value, "protocol:error");
}

export function parseFederationFinished(value: unknown): FederationFinished | ErrorReply {
  const finished = parseMessage(FederationFinishedSchema, value, "federation:finished");
  if (isErrorReply(finished)) return finished;
  return (
    roundBeyond("federation:finished.stoppedEarlyAt", finished.stoppedEarlyAt, finished.completedRounds) ??
    roundBeyond("federation:finished.bestRound", finished.bestRound, finished.completedRounds) ??
    finished
  );
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
