/**
 * Errors the coordinator answers with: a stable code a program can branch on, and a message a
 * person can act on. Every rejected message is answered with one and counted under its code.
 */
import * as v from "valibot";
import { anyText, fields, oneOf } from "../schema/message-fields.ts";

export const ERROR_CODES = [
  "malformed", // not the shape of any message (wrong types, missing fields)
  "too-large", // above a size limit
  "not-finite", // NaN or ±Inf in numeric data, or an uploaded float beyond ±65504 (it would overflow in aggregation)
  "wrong-shape", // arrays of the wrong length, rows out of range or unsorted
  "protocol-version", // the client speaks another protocol version
  "unknown-federation", // no federation has this code
  "bad-token", // wrong join token, admin token or client secret
  "catalogue-mismatch", // the client's items or embedding width differ from the federation's
  "encoder-mismatch", // the client embedded its profile with another encoder (model, pooling or model files)
  "not-joined", // a message that needs a joined client came from a socket that has not joined
  "unknown-client", // the upload names a client id this socket is not
  "stale-round", // an upload for a round that is already closed (or being aggregated)
  "wrong-round", // an upload for a round that has not started
  "not-sampled", // an upload from a client not sampled this round
  "duplicate", // a second, different upload for the same round
  "finished", // the federation has completed its rounds
  "unknown-event", // an event name the coordinator does not handle
  "replaced", // the same client connected again elsewhere; this connection is closed
  "kicked", // the teacher removed this client from the federation; it cannot join again
  "internal", // the coordinator failed unexpectedly (logged); the message changed nothing
  "unavailable", // a gateway of a Redis cluster cannot persist or decide it now (Redis or the aggregation leader unreachable); retry later
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorReplySchema = fields({
  ok: v.literal(false),
  code: oneOf(ERROR_CODES),
  message: anyText(100_000),
});
export type ErrorReply = v.InferOutput<typeof ErrorReplySchema>;

export function errorReply(code: ErrorCode, message: string): ErrorReply {
  return { ok: false, code, message };
}

export function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;
}
