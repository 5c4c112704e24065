/**
 * Secure aggregation on the socket (docs/secure-aggregation.md, "How it plugs into the round
 * machine"): the events of one session, their envelope and their binary codec. Every secagg frame
 * is `{round, session, body}`: the envelope says which round and session it belongs to, the body is
 * the protocol core's message (secure-aggregation/messages.ts) with its keys, envelopes, shares and
 * masked input as binary attachments. Decoding copies every binary field into a fresh, aligned
 * array (Node hands over Buffers at any offset of a pooled buffer, browsers ArrayBuffers) and then
 * the core's parser checks the body completely; a refusal is an ErrorReply with a protocol code.
 */
import * as v from "valibot";
import { fields, finiteNumber, integerIn, text } from "../schema/message-fields.ts";
import { SESSION_PATTERN } from "./messages.ts";
import { SecureAggregationError, type SecureAggregationFailure } from "../secure-aggregation/secure-aggregation-error.ts";
import { errorReply, isErrorReply, type ErrorCode, type ErrorReply } from "./protocol-error.ts";
import { parseMessage } from "./validation.ts";

/** Client → coordinator, each with an acknowledgement (`{ok: true, round}` or an error). */
export const SECAGG_CLIENT_EVENTS = {
  keys: "secagg:keys",
  shareKeys: "secagg:share-keys",
  masked: "secagg:masked",
  unmasking: "secagg:unmasking",
} as const;

/** Coordinator → client. */
export const SECAGG_SERVER_EVENTS = {
  roster: "secagg:roster",
  delivery: "secagg:delivery",
  weight: "secagg:weight",
  survivors: "secagg:survivors",
} as const;

export type SecaggClientEvent = (typeof SECAGG_CLIENT_EVENTS)[keyof typeof SECAGG_CLIENT_EVENTS];
export type SecaggServerEvent = (typeof SECAGG_SERVER_EVENTS)[keyof typeof SECAGG_SERVER_EVENTS];

const CLIENT_EVENT_NAMES: readonly string[] = Object.values(SECAGG_CLIENT_EVENTS);

export function isSecaggClientEvent(event: unknown): event is SecaggClientEvent {
  return typeof event === "string" && CLIENT_EVENT_NAMES.includes(event);
}

/** The envelope of every secagg frame; `body` is checked by the core's parser after decoding. */
export const SecaggFrameSchema = fields({
  round: integerIn(1, 100_000),
  session: text(SESSION_PATTERN),
  body: v.unknown(),
});

export interface SecaggFrame<B = unknown> {
  readonly round: number;
  readonly session: string;
  readonly body: B;
}

/**
 * secagg:weight's body: c_j (this client's coefficient from the round's graph), the group's
 * fixed-point scale S and the clipping range B (fixed-point.ts).
 */
export const WeightSchema = fields({
  coefficient: finiteNumber(),
  scale: v.pipe(
    finiteNumber(),
    v.check((x) => x > 0, "expected a scale > 0"),
  ),
  range: v.pipe(
    finiteNumber(),
    v.check((x) => x > 0, "expected a range > 0"),
  ),
});
export type Weight = v.InferOutput<typeof WeightSchema>;

/** How the core's refusals are answered on the wire. */
const FAILURE_CODES: Record<SecureAggregationFailure, ErrorCode> = {
  malformed: "malformed",
  "unknown-client": "not-sampled",
  duplicate: "duplicate",
  "wrong-phase": "wrong-round",
  "too-few-clients": "wrong-round",
  "decryption-failed": "malformed",
  "reconstruction-failed": "malformed",
};

export function secureAggregationReply(error: SecureAggregationError, event: string): ErrorReply {
  return errorReply(FAILURE_CODES[error.code], `${event}: ${error.message}`);
}

/** Runs a core step; its SecureAggregationError becomes the matching ErrorReply (anything else is a bug and propagates). */
export function refusalOf<T>(event: string, step: () => T): T | ErrorReply {
  try {
    return step();
  } catch (error) {
    if (error instanceof SecureAggregationError) return secureAggregationReply(error, event);
    throw error;
  }
}

/** The envelope of a received frame with its binary fields copied into Uint8Arrays (the body's shape is the core's to check). */
export function parseSecaggFrame(value: unknown, event: string): SecaggFrame | ErrorReply {
  const frame = parseMessage(SecaggFrameSchema, value, event);
  if (isErrorReply(frame)) return frame;
  return { round: frame.round, session: frame.session, body: bytesFromWire(frame.body, 0) };
}

/** A masked input's body as the core reads it: `masked` as a Uint32Array (little-endian, as every client host is). */
export function maskedBodyFromWire(body: unknown, event: string): unknown {
  if (typeof body !== "object" || body === null || !("masked" in body)) return body;
  const masked = (body as { masked: unknown }).masked;
  if (!(masked instanceof Uint8Array)) return body;
  if (masked.byteLength % 4 !== 0) {
    throw new SecureAggregationError("malformed", `${event}.masked: ${masked.byteLength} bytes is not a whole number of uint32`);
  }
  const words = new Uint32Array(masked.byteLength / 4);
  new Uint8Array(words.buffer).set(masked);
  return { ...body, masked: words };
}

/** A body for the wire: typed arrays as exact copies of their bytes (a view would ship its whole buffer). */
export function bytesToWire(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  if (Array.isArray(value)) return value.map(bytesToWire);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, bytesToWire(field)]));
  }
  return value;
}

/** The deepest a secagg body nests (a list of objects holding binary fields). */
const MAX_DEPTH = 4;

function bytesFromWire(value: unknown, depth: number): unknown {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  // A plain Uint8Array copy: Node's Buffer.slice() would be a view of socket.io's pooled buffer, and a Buffer, not a Uint8Array, to strict checks.
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => bytesFromWire(item, depth + 1));
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, bytesFromWire(field, depth + 1)]));
  }
  return value;
}

/** A secagg:weight body, checked. */
export function parseWeight(body: unknown, event: string): Weight | ErrorReply {
  return parseMessage(WeightSchema, body, `${event}.body`);
}
