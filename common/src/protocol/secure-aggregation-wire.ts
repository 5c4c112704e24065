/**
 * Secure aggregation on the socket (docs/secure-aggregation.md, "Live rounds"): the events of one
 * session, their envelope and their binary codec. Every secagg frame
 * is `{round, session, body, bytes}`: the envelope says which round and session it belongs to, the
 * body is the protocol core's message (secure-aggregation/messages.ts) in JSON with each binary
 * field (keys, envelopes, shares, the masked input) replaced by `{"$bytes": [offset, length]}` into
 * `bytes`, the frame's one binary attachment — socket.io's parser refuses a packet of more than 10
 * attachments, and a roster of g clients has 2g keys. Decoding copies every field out of `bytes`
 * into a fresh array (Node hands over a Buffer at any offset of a pooled buffer, browsers an
 * ArrayBuffer), then the core's parser checks the body completely; a refusal is an ErrorReply.
 */
import * as v from "valibot";
import { binary, fields, finiteNumber, integerIn, text } from "../schema/message-fields.ts";
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
  /** Every binary field of the body, one after another. */
  bytes: binary,
});

/** A frame as it crosses the wire. */
export type SecaggFrame = v.InferOutput<typeof SecaggFrameSchema>;

/** A received frame: its body with the binary fields back in place, as Uint8Arrays. */
export interface DecodedSecaggFrame {
  readonly round: number;
  readonly session: string;
  readonly body: unknown;
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

/** A frame for the wire: the body's typed arrays packed into one attachment, each replaced by its place in it. */
export function secaggFrame(round: number, session: string, body: unknown): SecaggFrame {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const pack = (value: unknown): unknown => {
    if (ArrayBuffer.isView(value)) {
      parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      offset += value.byteLength;
      return { $bytes: [offset - value.byteLength, value.byteLength] };
    }
    if (Array.isArray(value)) return value.map(pack);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, pack(field)]));
    }
    return value;
  };
  const packed = pack(body);
  const bytes = new Uint8Array(offset);
  parts.reduce((at, part) => (bytes.set(part, at), at + part.byteLength), 0);
  return { round, session, body: packed, bytes };
}

/** A received frame's envelope checked and its binary fields copied back out of `bytes` (the body's shape is the core's to check). */
export function parseSecaggFrame(value: unknown, event: string): DecodedSecaggFrame | ErrorReply {
  const frame = parseMessage(SecaggFrameSchema, value, event);
  if (isErrorReply(frame)) return frame;
  const bytes = frame.bytes instanceof ArrayBuffer ? new Uint8Array(frame.bytes) : frame.bytes;
  try {
    return { round: frame.round, session: frame.session, body: unpack(frame.body, bytes, 0) };
  } catch (error) {
    return errorReply("malformed", `${event}.body: ${(error as Error).message}`);
  }
}

/** The deepest a secagg body nests (a list of objects holding binary fields). */
const MAX_DEPTH = 4;

function unpack(value: unknown, bytes: Uint8Array, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((item) => unpack(item, bytes, depth + 1));
  const ref = (value as { $bytes?: unknown }).$bytes;
  if (ref !== undefined) {
    const [offset, length] = Array.isArray(ref) ? (ref as unknown[]) : [];
    if (!isIndex(offset) || !isIndex(length) || offset + length > bytes.byteLength) {
      throw new Error(
        `a binary field's place ${JSON.stringify(ref)} is not [offset, length] within the ${bytes.byteLength} bytes sent`,
      );
    }
    // A copy into a plain Uint8Array: a Buffer's slice() would be a view of socket.io's pooled buffer, and a Buffer.
    return new Uint8Array(bytes.subarray(offset, offset + length));
  }
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, unpack(field, bytes, depth + 1)]));
}

function isIndex(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= 0;
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

/** A secagg:weight body, checked. */
export function parseWeight(body: unknown, event: string): Weight | ErrorReply {
  return parseMessage(WeightSchema, body, `${event}.body`);
}
