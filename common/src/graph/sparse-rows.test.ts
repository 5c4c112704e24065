import { describe, expect, it } from "vitest";
import { multiplySparse, sparsePower, weightedColumnSums, type SparseRows } from "./sparse-rows.ts";

const m: SparseRows = {
  n: 3,
  columns: [Int32Array.of(0, 1), Int32Array.of(1), Int32Array.of(0, 2)],
  weights: [Float64Array.of(0.5, 0.5), Float64Array.of(1), Float64Array.of(0.25, 0.75)],
};

describe("sparse rows", () => {
  it("multiplies like dense matrices (hand-computed M²)", () => {
    const sq = multiplySparse(m, m);
    // Row 0: 0.5·[0.5, 0.5, 0] + 0.5·[0, 1, 0] = [0.25, 0.75, 0]
    expect(Array.from(sq.columns[0]!)).toEqual([0, 1]);
    expect(Array.from(sq.weights[0]!)).toEqual([0.25, 0.75]);
    // Row 2: 0.25·[0.5, 0.5, 0] + 0.75·[0.25, 0, 0.75] = [0.3125, 0.125, 0.5625]
    expect(Array.from(sq.weights[2]!)).toEqual([0.3125, 0.125, 0.5625]);
    expect(sparsePower(m, 2)).toEqual(sq);
    expect(sparsePower(m, 1)).toBe(m);
    expect(() => sparsePower(m, 0)).toThrow(/layers must be an integer ≥ 1/);
  });

  it("computes weighted column sums c = wᵀM", () => {
    expect(Array.from(weightedColumnSums(m, Float64Array.of(1, 2, 4)))).toEqual([0.5 + 1, 0.5 + 2, 3]);
  });
});
