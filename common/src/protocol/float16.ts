/**
 * IEEE 754 half precision for uploads (`uploadPrecision: "float16"`): half the bytes of float32
 * at a relative precision of 2⁻¹¹ ≈ 4.9e-4. Rounding is to nearest, ties to even; values beyond
 * the largest half (65504) are clamped to it rather than becoming ±Inf, which the coordinator
 * would refuse.
 */
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

export const FLOAT16_MAX = 65504;

/** The float16 bit pattern nearest to `value` (clamped to ±65504; NaN stays NaN). */
export function float16Bits(value: number): number {
  F32[0] = value;
  const x = U32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return mantissa !== 0 ? sign | 0x7e00 : sign | 0x7bff; // NaN, or ±Inf clamped
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff; // too large: clamp to ±65504
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    const m = mantissa | 0x800000; // implicit leading 1
    const shift = 14 - e;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // may carry into the exponent: still correct
  if ((half & 0x7fff) >= 0x7c00) return sign | 0x7bff;
  return sign | half;
}

export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let table: Float32Array | null = null;

/** Every float16 bit pattern's value (65,536 entries, built once): decoding is one lookup. */
export function float16Table(): Float32Array {
  table ??= Float32Array.from({ length: 65536 }, (_, bits) => float16Value(bits));
  return table;
}

/** A copy of `values` rounded to the nearest float16 values (what a float16 upload carries). */
export function roundToFloat16(values: Float32Array): Float32Array {
  const lookup = float16Table();
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = lookup[float16Bits(values[i]!)]!;
  return out;
}
