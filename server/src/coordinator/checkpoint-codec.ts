/**
 * Checkpoints and accepted uploads as bytes, deterministically: the same state always gives the
 * same bytes, so a checksum identifies a state (the restart test compares them).
 */
import { createHash } from "node:crypto";
import type { LocalEvaluation } from "@fedrec/common";
import type { AcceptedUpload, Checkpoint } from "./federation-types.ts";
import { decodeRecord, encodeRecord } from "./binary-record.ts";

interface CheckpointHeader {
  readonly completedRounds: number;
  readonly personalSlots: number[];
  readonly latestMetrics: [string, LocalEvaluation][];
}

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const slots = [...checkpoint.tables.personal.keys()].sort((a, b) => a - b);
  const metrics = [...checkpoint.latestMetrics.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: CheckpointHeader = { completedRounds: checkpoint.completedRounds, personalSlots: slots, latestMetrics: metrics };
  return encodeRecord(header, [checkpoint.tables.global, ...slots.map((s) => checkpoint.tables.personal.get(s)!)]);
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const { header, arrays } = decodeRecord(bytes, "checkpoint");
  const h = header as CheckpointHeader;
  const [global, ...personal] = arrays as Float32Array[];
  if (!global || personal.length !== h.personalSlots.length) throw new Error("checkpoint: table count does not match its header");
  return {
    completedRounds: h.completedRounds,
    tables: { global, personal: new Map(h.personalSlots.map((slot, i) => [slot, personal[i]!])) },
    latestMetrics: new Map(h.latestMetrics),
  };
}

export function checksumOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function encodeUpload(upload: AcceptedUpload): Uint8Array {
  const { numExamples, loss, metrics } = upload;
  return encodeRecord({ numExamples, loss, metrics }, [upload.userWeights, upload.rows, upload.values]);
}

export function decodeUpload(bytes: Uint8Array): AcceptedUpload {
  const { header, arrays } = decodeRecord(bytes, "stored upload");
  const h = header as Pick<AcceptedUpload, "numExamples" | "loss" | "metrics">;
  const [userWeights, rows, values] = arrays;
  if (!(userWeights instanceof Float32Array && rows instanceof Int32Array && values instanceof Float32Array)) {
    throw new Error("stored upload: expected θ_user, rows and values");
  }
  return { userWeights, rows, values, numExamples: h.numExamples, loss: h.loss, metrics: h.metrics };
}
