/**
 * Checkpoints, best-validation tables and accepted uploads as bytes, deterministically: the same
 * state always gives the same bytes, so a checksum identifies a state (the restart test compares them).
 */
import { createHash } from "node:crypto";
import * as v from "valibot";
import {
  localEvaluationSchema,
  rankingMetricsSchema,
  type AcceptedUpload,
  type BestRound,
  type Checkpoint,
  type ServerTables,
} from "@fedrec/common";
import { finiteOrNull, integerIn, list, fields } from "@fedrec/common/schema";
import { decodeRecord, encodeRecord, recordHeader } from "./binary-record.ts";

const MAX_SLOTS = 100_000_000;
const slots = list(integerIn(0, MAX_SLOTS), MAX_SLOTS);
// As the federation accepted them (its callers check the counts; a restore must not be stricter than the write).
const clientMetrics = localEvaluationSchema(Number.MAX_SAFE_INTEGER);

const CheckpointHeaderSchema = fields({
  completedRounds: integerIn(0, 100_000),
  personalSlots: slots,
  latestMetrics: list(v.pipe(v.tuple([v.string(), clientMetrics]), v.readonly()), MAX_SLOTS),
  /** Whether FedAdam's moments (m, v) follow the tables; absent in checkpoints written before them. */
  serverMoments: v.optional(v.literal(true)),
});
type CheckpointHeader = v.InferOutput<typeof CheckpointHeaderSchema>;

/** The tables as arrays (global, then personalised by ascending slot, then FedAdam's m and v) and their slots. */
function tableArrays(tables: ServerTables): { slots: number[]; arrays: Float32Array[] } {
  const slots = [...tables.personal.keys()].sort((a, b) => a - b);
  const moments = tables.serverMoments ? [tables.serverMoments.m, tables.serverMoments.v] : [];
  return { slots, arrays: [tables.global, ...slots.map((s) => tables.personal.get(s)!), ...moments] };
}

function tablesFrom(arrays: readonly unknown[], slots: readonly number[], withMoments: boolean, what: string): ServerTables {
  const expected = 1 + slots.length + (withMoments ? 2 : 0);
  if (arrays.length !== expected || !arrays.every((a) => a instanceof Float32Array)) {
    throw new Error(`${what}: expected ${expected} float32 tables as the header says, got ${arrays.length}`);
  }
  const tables = arrays as Float32Array[];
  const [m, v] = withMoments ? tables.slice(-2) : [];
  return {
    global: tables[0]!,
    personal: new Map(slots.map((slot, i) => [slot, tables[1 + i]!])),
    serverMoments: m && v ? { m, v } : null,
  };
}

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const { slots, arrays } = tableArrays(checkpoint.tables);
  const metrics = [...checkpoint.latestMetrics.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: CheckpointHeader = {
    completedRounds: checkpoint.completedRounds,
    personalSlots: slots,
    latestMetrics: metrics,
    ...(checkpoint.tables.serverMoments ? { serverMoments: true } : {}),
  };
  return encodeRecord(header, arrays);
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const { header, arrays } = decodeRecord(bytes, "checkpoint");
  const h = recordHeader(CheckpointHeaderSchema, header, "checkpoint");
  return {
    completedRounds: h.completedRounds,
    tables: tablesFrom(arrays, h.personalSlots, h.serverMoments === true, "checkpoint"),
    latestMetrics: new Map(h.latestMetrics),
  };
}

const BestHeaderSchema = fields({
  round: integerIn(1, 100_000),
  val: rankingMetricsSchema(Number.MAX_SAFE_INTEGER),
  personalSlots: slots,
});
type BestHeader = v.InferOutput<typeof BestHeaderSchema>;

/** The best-validation round: its metrics and the tables sent in it (global, then personalised by slot). */
export function encodeBestRound(best: BestRound<ServerTables>): Uint8Array {
  const { slots, arrays } = tableArrays({ ...best.tables, serverMoments: null });
  const header: BestHeader = { round: best.round, val: best.val, personalSlots: slots };
  return encodeRecord(header, arrays);
}

export function decodeBestRound(bytes: Uint8Array): BestRound<ServerTables> {
  const { header, arrays } = decodeRecord(bytes, "best-validation tables");
  const h = recordHeader(BestHeaderSchema, header, "best-validation tables");
  return { round: h.round, val: h.val, tables: tablesFrom(arrays, h.personalSlots, false, "best-validation tables") };
}

export function checksumOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const UploadHeaderSchema = fields({
  numExamples: integerIn(0, 100_000_000),
  loss: finiteOrNull(),
  metrics: clientMetrics,
});

export function encodeUpload(upload: AcceptedUpload): Uint8Array {
  const { numExamples, loss, metrics } = upload;
  return encodeRecord({ numExamples, loss, metrics }, [upload.userWeights, upload.rows, upload.values]);
}

export function decodeUpload(bytes: Uint8Array): AcceptedUpload {
  const { header, arrays } = decodeRecord(bytes, "stored upload");
  const h = recordHeader(UploadHeaderSchema, header, "stored upload");
  const [userWeights, rows, values] = arrays;
  if (!(userWeights instanceof Float32Array && rows instanceof Int32Array && values instanceof Float32Array)) {
    throw new Error("stored upload: expected θ_user, rows and values");
  }
  return { userWeights, rows, values, numExamples: h.numExamples, loss: h.loss, metrics: h.metrics };
}
