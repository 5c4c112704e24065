import { describe, expect, it } from "vitest";
import { FLOAT16_MAX, float16Bits, float16Value, roundToFloat16 } from "./float16.ts";

describe("float16", () => {
  it("encodes known values exactly as IEEE 754 binary16", () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(0.5)).toBe(0x3800);
    expect(float16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float16Bits(0)).toBe(0);
    expect(float16Value(float16Bits(0.1))).toBe(0.0999755859375);
    expect(float16Value(0x3555)).toBeCloseTo(1 / 3, 3);
  });

  it("rounds to nearest, ties to even, and clamps instead of overflowing", () => {
    expect(float16Value(float16Bits(1 + 2 ** -11))).toBe(1); // tie → even (1.0)
    expect(float16Value(float16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9); // tie → even (up)
    expect(float16Value(float16Bits(1e6))).toBe(FLOAT16_MAX);
    expect(float16Value(float16Bits(-Infinity))).toBe(-FLOAT16_MAX);
    expect(float16Value(float16Bits(1e-9))).toBe(0);
  });

  it("keeps every value within half a unit in the last place", () => {
    const values = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const rounded = roundToFloat16(values);
    values.forEach((v, i) => {
      const ulp = Math.abs(v) >= 2 ** -14 ? 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10) : 2 ** -24;
      expect(Math.abs(rounded[i]! - v)).toBeLessThanOrEqual(ulp / 2 + 1e-12);
    });
    expect(roundToFloat16(rounded)).toEqual(rounded); // idempotent: representable values stay
  });
});
