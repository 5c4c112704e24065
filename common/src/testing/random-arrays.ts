/**
 * Test support for property tests of the binary codecs: seeded random typed arrays that reach the
 * corners (±0, subnormals, the largest finite values, arbitrary bit patterns), sorted distinct row
 * sets, bit-exact comparison, and bytes placed at an odd offset of a larger buffer (as Node hands
 * over a pooled Buffer).
 */
import { float16Value } from "../protocol/float16.ts";
import type { Rng } from "../random/rng.ts";

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** A finite float32 drawn from an arbitrary bit pattern (NaN and ±Inf patterns are redrawn). */
function anyFiniteFloat32(rng: Rng): number {
  for (;;) {
    U32[0] = rng.int(2 ** 32);
    if (Number.isFinite(F32[0]!)) return F32[0]!;
  }
}

const FLOAT32_CORNERS = [
  0, -0, 1.401298464324817e-45, -1.401298464324817e-45, 1.1754943508222875e-38, 3.4028234663852886e38, -3.4028234663852886e38,
];

/** `length` finite float32 values: arbitrary bit patterns, corners and ordinary N(0, 1) weights. */
export function randomFloat32(rng: Rng, length: number): Float32Array {
  return Float32Array.from({ length }, () => {
    const kind = rng.int(4);
    if (kind === 0) return anyFiniteFloat32(rng);
    if (kind === 1) return FLOAT32_CORNERS[rng.int(FLOAT32_CORNERS.length)]!;
    return rng.normal();
  });
}

/** `length` float16-representable finite values (every finite half bit pattern is possible, ±0 included). */
export function randomFloat16Values(rng: Rng, length: number): Float32Array {
  return Float32Array.from({ length }, () => {
    for (;;) {
      const bits = rng.int(65536);
      if ((bits & 0x7c00) !== 0x7c00) return float16Value(bits); // exponent 31: ±Inf or NaN
    }
  });
}

/** An ascending, distinct set of at most `maxCount` rows of [0, numItems). */
export function randomRows(rng: Rng, numItems: number, maxCount: number): Int32Array {
  const chosen = new Uint8Array(numItems);
  const count = rng.int(Math.min(maxCount, numItems) + 1);
  for (let i = 0; i < count; i++) chosen[rng.int(numItems)] = 1;
  const rows: number[] = [];
  chosen.forEach((c, row) => c && rows.push(row));
  return Int32Array.from(rows);
}

/** `bytes` copied into a larger buffer at an odd byte offset, as a view (a misaligned Buffer). */
export function atOddOffset(bytes: Uint8Array, rng: Rng): Uint8Array {
  const offset = 1 + 2 * rng.int(4); // 1, 3, 5 or 7
  const pooled = new Uint8Array(offset + bytes.byteLength + rng.int(16));
  pooled.fill(0xa5); // bytes around the view that a decoder must not read
  pooled.set(bytes, offset);
  return pooled.subarray(offset, offset + bytes.byteLength);
}

/** Whether two typed arrays hold the same kind, length and bytes (tells -0 from 0, and NaN payloads apart). */
export function sameBits(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}
