/**
 * Typed arrays on the wire. Sending: an exact copy of the array's bytes (a view into a larger
 * buffer would otherwise ship the whole buffer). Receiving: Node hands over a Buffer that may sit
 * at any byte offset of a pooled ArrayBuffer, so `new Float32Array(buffer)` would convert byte by
 * byte and a view could be misaligned: always copy into a fresh, aligned array. Values are checked
 * (finite floats), so no NaN or Inf gets into the aggregation.
 */
import { float16Bits, float16Table } from "./float16.ts";
import { errorReply, isErrorReply, type ErrorReply } from "./protocol-error.ts";

export function toWire(array: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength));
}

function bytesOf(value: unknown): Uint8Array | null {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Uint8Array) return value; // Node's Buffer is a Uint8Array
  return null;
}

/** The binary bytes of exactly `length` values of `width` bytes, or an error naming `field`. */
function exactBytes(value: unknown, field: string, kind: string, length: number, width: number): Uint8Array | ErrorReply {
  const bytes = bytesOf(value);
  if (bytes === null) return errorReply("malformed", `${field}: expected binary ${kind} data`);
  if (bytes.byteLength !== length * width) {
    return errorReply(
      "wrong-shape",
      `${field}: expected ${length} ${kind} values (${length * width} bytes), got ${bytes.byteLength} bytes`,
    );
  }
  return bytes;
}

/** A float32 array of exactly `length` finite values, or an error naming `field`. */
export function float32FromWire(value: unknown, field: string, length: number): Float32Array | ErrorReply {
  const bytes = exactBytes(value, field, "float32", length, 4);
  if (isErrorReply(bytes)) return bytes;
  const out = new Float32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(out[i]!)) return errorReply("not-finite", `${field}[${i}] is ${out[i]}`);
  }
  return out;
}

/** An int32 array of at most `maxLength` values, or an error naming `field`. */
export function int32FromWire(value: unknown, field: string, maxLength: number): Int32Array | ErrorReply {
  const bytes = bytesOf(value);
  if (bytes === null) return errorReply("malformed", `${field}: expected binary int32 data`);
  if (bytes.byteLength % 4 !== 0)
    return errorReply("wrong-shape", `${field}: ${bytes.byteLength} bytes is not a whole number of int32 values`);
  if (bytes.byteLength / 4 > maxLength) return errorReply("too-large", `${field}: more than ${maxLength} values`);
  const out = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Float16 on the wire: 2 bytes per value (the values should already be float16-representable). */
export function toWireFloat16(array: Float32Array): Uint8Array {
  const bits = new Uint16Array(array.length);
  for (let i = 0; i < array.length; i++) bits[i] = float16Bits(array[i]!);
  return new Uint8Array(bits.buffer);
}

/** A float16 array of exactly `length` finite values, widened to float32, or an error naming `field`. */
export function float16FromWire(value: unknown, field: string, length: number): Float32Array | ErrorReply {
  const bytes = exactBytes(value, field, "float16", length, 2);
  if (isErrorReply(bytes)) return bytes;
  const bits = new Uint16Array(length);
  new Uint8Array(bits.buffer).set(bytes);
  const lookup = float16Table();
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = lookup[bits[i]!]!;
    if (!Number.isFinite(v)) return errorReply("not-finite", `${field}[${i}] is ${v}`);
    out[i] = v;
  }
  return out;
}
