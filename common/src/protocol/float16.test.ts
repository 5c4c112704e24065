import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { randomFloat32 } from "../testing/random-arrays.ts";
import { FLOAT16_MAX, float16Bits, float16Table, float16Value, roundToFloat16 } from "./float16.ts";

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

  it("every finite bit pattern decodes and encodes back to itself; NaN patterns stay NaN", () => {
    const table = float16Table();
    const wrong: string[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      const value = float16Value(bits);
      const finite = (bits & 0x7c00) !== 0x7c00;
      if (!Object.is(table[bits], value)) wrong.push(`table[${bits}]`); // exact: every half is a float32
      if (finite && float16Bits(value) !== bits) wrong.push(`bits ${bits}`);
      if (!finite && bits & 0x3ff && (float16Bits(value) & 0x7e00) !== 0x7e00) wrong.push(`NaN ${bits}`);
    }
    expect(wrong).toEqual([]);
  });

  it("rounds random float32 values to a neighbouring half, monotonically and sign-symmetrically", () => {
    const rng = createRng(7);
    const values = randomFloat32(rng, 20_000);
    const rounded = roundToFloat16(values);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const r = rounded[i]!;
      const bits = float16Bits(v);
      expect(float16Bits(-v)).toBe(bits ^ 0x8000);
      if (Math.abs(v) >= FLOAT16_MAX) expect(Math.abs(r)).toBe(FLOAT16_MAX);
      else {
        // The nearest half: no representable value lies strictly between v and r's neighbours' midpoints.
        const up = float16Value(Math.min((bits & 0x7fff) + 1, 0x7bff) | (bits & 0x8000));
        const down = (bits & 0x7fff) === 0 ? r : float16Value(((bits & 0x7fff) - 1) | (bits & 0x8000));
        expect(Math.abs(r - v)).toBeLessThanOrEqual(Math.abs(up - v));
        expect(Math.abs(r - v)).toBeLessThanOrEqual(Math.abs(down - v));
      }
      if (i > 0 && values[i - 1]! <= v) expect(rounded[i - 1]!).toBeLessThanOrEqual(r);
    }
  });
});
