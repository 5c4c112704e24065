/**
 * A self-describing binary record: a JSON header followed by typed arrays, each 4-byte aligned.
 * Checkpoints and accepted uploads are stored this way (exact float bits, no text rounding).
 * Layout: "FRB1" | u32 header length | header JSON | padding | arrays in order.
 */
import * as v from "valibot";
import { isErrorReply, parseMessage } from "@fedrec/common";
import { fields, integerIn, list, oneOf } from "@fedrec/common/schema";

const MAGIC = 0x31425246; // "FRB1" little-endian

export type StoredArray = Float32Array | Int32Array;

const RecordLayoutSchema = fields({
  header: v.unknown(),
  arrays: list(fields({ kind: oneOf(["f32", "i32"]), length: integerIn(0, 2 ** 31 - 1) }), 10_000_000),
});
type ArrayInfo = v.InferOutput<typeof RecordLayoutSchema>["arrays"][number];

/** The header as `schema` describes it, or an error naming the record and the field. */
export function recordHeader<S extends v.GenericSchema>(schema: S, header: unknown, what: string): v.InferOutput<S> {
  const parsed = parseMessage(schema, header, `${what} header`);
  if (isErrorReply(parsed)) throw new Error(parsed.message);
  return parsed;
}

export function encodeRecord(header: unknown, arrays: readonly StoredArray[]): Uint8Array {
  const info: ArrayInfo[] = arrays.map((a) => ({ kind: a instanceof Float32Array ? "f32" : "i32", length: a.length }));
  const json = new TextEncoder().encode(JSON.stringify({ header, arrays: info }));
  const start = align4(8 + json.length);
  const total = start + arrays.reduce((sum, a) => sum + a.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  let offset = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  return out;
}

export function decodeRecord(bytes: Uint8Array, what: string): { header: unknown; arrays: StoredArray[] } {
  const fail = (problem: string): never => {
    throw new Error(`${what}: ${problem}`);
  };
  if (bytes.byteLength < 8) fail("too short to be a record");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail("not a FedRec record (bad magic)");
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > bytes.byteLength) fail("header runs past the end");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength)));
  } catch (error) {
    return fail(`header is not JSON (${(error as Error).message})`);
  }
  const parsed = recordHeader(RecordLayoutSchema, json, what);
  let offset = align4(8 + jsonLength);
  const arrays = parsed.arrays.map(({ kind, length }) => {
    const end = offset + length * 4;
    if (end > bytes.byteLength) fail("array runs past the end");
    // Copy into a fresh buffer: a Buffer from SQLite may sit at any offset of a shared
    // ArrayBuffer, and Buffer#slice is a view, not a copy.
    const copy = new Uint8Array(end - offset);
    copy.set(bytes.subarray(offset, end));
    offset = end;
    return kind === "f32" ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  });
  if (offset !== bytes.byteLength) fail(`${bytes.byteLength - offset} trailing bytes`);
  return { header: parsed.header, arrays };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
