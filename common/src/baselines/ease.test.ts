import { describe, expect, it } from "vitest";
import { easeWeights, fitEase } from "./ease.ts";
import { coOccurrence, type BinaryMatrix } from "./interaction-matrix.ts";

// X (4 users × 3 items): u0 = {0, 1}, u1 = {1, 2}, u2 = {0, 1, 2}, u3 = {0}.
const X: BinaryMatrix = {
  numItems: 3,
  rows: [Int32Array.of(0, 1), Int32Array.of(1, 2), Int32Array.of(0, 1, 2), Int32Array.of(0)],
};

describe("EASE", () => {
  // XᵀX = [[3,2,1],[2,3,2],[1,2,2]]; with λ = 1, G = [[4,2,1],[2,4,2],[1,2,3]],
  // P = G⁻¹ = (1/24)·[[8,−4,0],[−4,11,−6],[0,−6,12]] (det 24), diag(P) = (8, 11, 12)/24.
  // B_ij = −P_ij / P_jj:  B_10 = 4/8 = 1/2,  B_20 = 0/8 = 0,  B_01 = 4/11,  B_21 = 6/11,
  // B_02 = 0,  B_12 = 6/12 = 1/2;  B_jj = 0.
  const B = [0, 4 / 11, 0, 1 / 2, 0, 1 / 2, 0, 6 / 11, 0];

  it("computes B = −P / diag(P) with a zero diagonal (λ = 1, by hand)", () => {
    const gram = coOccurrence(X);
    const weights = easeWeights(gram, 3, 1);
    weights.forEach((w, k) => expect(w).toBeCloseTo(B[k]!, 14));
    expect(Array.from(gram)).toEqual([3, 2, 1, 2, 3, 2, 1, 2, 2]); // G without the ridge, untouched
  });

  it("scores X·B: score(u, i) = Σ_{j ∈ train(u)} B_ji", () => {
    const scorer = fitEase(X, 1);
    // u0 = rows 0 + 1 of B = (1/2, 4/11, 1/2); u1 = rows 1 + 2 = (1/2, 6/11, 1/2);
    // u2 = all rows = (1/2, 10/11, 1/2); u3 = row 0 = (0, 4/11, 0).
    const expected = [
      [1 / 2, 4 / 11, 1 / 2],
      [1 / 2, 6 / 11, 1 / 2],
      [1 / 2, 10 / 11, 1 / 2],
      [0, 4 / 11, 0],
    ];
    expected.forEach((row, u) => Array.from(scorer(u)).forEach((s, i) => expect(s).toBeCloseTo(row[i]!, 14)));
  });

  it("shrinks B towards 0 as λ grows and rejects a negative λ", () => {
    const gram = coOccurrence(X);
    const small = easeWeights(gram, 3, 1);
    const large = easeWeights(gram, 3, 1000);
    expect(Math.abs(large[1]!)).toBeLessThan(Math.abs(small[1]!) / 100);
    expect(() => easeWeights(gram, 3, -1)).toThrow(/λ must be a finite number ≥ 0/);
  });
});
