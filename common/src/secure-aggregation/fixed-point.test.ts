import { describe, expect, it } from "vitest";
import { dequantiseSum, fixedPointScale, quantiseChange } from "./fixed-point.ts";

const INT32_MAX = 2 ** 31 - 1;

/** A 3-row × 2-column table with row 1 changed. */
function update(changedRow: number[]) {
  return { base: new Float32Array([0, 0, 1, 1, 0, 0]), rows: Int32Array.of(1), values: Float32Array.from(changedRow) };
}

describe("fixed-point encoding", () => {
  it("scales so that S·B·Σ|c| + n leaves room below 2^31", () => {
    expect(fixedPointScale(1, [0.5, -0.25, 0.25])).toBe(INT32_MAX - 3);
    expect(fixedPointScale(2, [1, 1])).toBe((INT32_MAX - 2) / 4);
  });

  it("encodes c·clip(A − T) densely: zeros off the changed rows, two's complement below zero, clipped at ±B", () => {
    const scale = 1000;
    const q = quantiseChange(update([1.5, -2]), 2, 0.5, 1, scale);
    // Row 1 changed by +0.5 and −3 (clipped to −1); times c = 0.5 and S = 1000.
    expect(Array.from(q)).toEqual([0, 0, 250, 2 ** 32 - 500, 0, 0]);
    expect(Array.from(dequantiseSum(q, scale))).toEqual([0, 0, 0.25, -0.5, 0, 0]);
  });

  it("refuses a non-finite change instead of encoding it as 0", () => {
    expect(() => quantiseChange(update([Number.NaN, 1]), 2, 1, 1, 10)).toThrow(/item row 1 entry 0 changed by NaN/);
  });

  it("the sum of 255 clients at the extremes of the range does not wrap", () => {
    const n = 255;
    const coefficients = new Array<number>(n).fill(1);
    const scale = fixedPointScale(0.5, coefficients);
    for (const extreme of [0.5, -0.5]) {
      const sum = new Uint32Array(6);
      const q = quantiseChange(update([1 + extreme * 4, 1 + extreme * 4]), 2, 1, 0.5, scale); // clipped to ±0.5
      for (let j = 0; j < n; j++) for (let k = 0; k < 6; k++) sum[k] += q[k]!;
      const decoded = dequantiseSum(sum, scale);
      expect(decoded[2]).toBeCloseTo(n * extreme, 4);
      expect(Math.sign(decoded[3]!)).toBe(Math.sign(extreme));
    }
  });

  it("decodes a sum within n/(2S) of the exact weighted sum", () => {
    const coefficients = [0.3, 0.7, 0.1234567];
    const scale = fixedPointScale(1, coefficients);
    const sum = new Uint32Array(6);
    let exact = 0;
    coefficients.forEach((c, j) => {
      const change = 0.1 * (j + 1) + 1e-3;
      const q = quantiseChange(update([1 + change, 1]), 2, c, 1, scale);
      for (let k = 0; k < 6; k++) sum[k] += q[k]!;
      exact += c * Math.fround(1 + change) - c;
    });
    expect(Math.abs(dequantiseSum(sum, scale)[2]! - exact)).toBeLessThanOrEqual(3 / (2 * scale));
  });
});
