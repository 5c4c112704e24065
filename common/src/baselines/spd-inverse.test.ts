import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { choleskyFactor, spdInverse } from "./spd-inverse.ts";

function product(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * n + k]! * b[k * n + j]!;
  return c;
}

describe("spdInverse", () => {
  it("factors [[4, 2], [2, 5]] as L = [[2, 0], [1, 2]]", () => {
    // L11 = √4 = 2, L21 = 2 / 2 = 1, L22 = √(5 − 1²) = 2.
    expect(Array.from(choleskyFactor(Float64Array.of(4, 2, 2, 5), 2))).toEqual([2, 0, 1, 2]);
  });

  it("inverts a 3 × 3 matrix to its hand-computed inverse", () => {
    // G = [[4,2,1],[2,4,2],[1,2,3]]: det = 4·(12−4) − 2·(6−2) + 1·(4−4) = 24, and the cofactors give
    // G⁻¹ = (1/24)·[[8,−4,0],[−4,11,−6],[0,−6,12]].
    const g = Float64Array.of(4, 2, 1, 2, 4, 2, 1, 2, 3);
    const expected = [8, -4, 0, -4, 11, -6, 0, -6, 12].map((x) => x / 24);
    const inverse = spdInverse(g, 3);
    inverse.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 14));
    expect(Array.from(g)).toEqual([4, 2, 1, 2, 4, 2, 1, 2, 3]); // input untouched
  });

  it("gives A·A⁻¹ = I for a random 40 × 40 SPD matrix, symmetric", () => {
    const n = 40;
    const rng = createRng(9);
    const r = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = product(
      r,
      Float64Array.from({ length: n * n }, (_, k) => r[(k % n) * n + Math.floor(k / n)]!),
      n,
    );
    for (let i = 0; i < n; i++) a[i * n + i] += 0.5; // RRᵀ + 0.5·I
    const inverse = spdInverse(a, n);
    const identity = product(a, inverse, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(identity[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 8);
        expect(inverse[i * n + j]).toBe(inverse[j * n + i]);
      }
    }
  });

  it("rejects matrices that are not positive definite or have the wrong size", () => {
    expect(() => spdInverse(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/not positive definite \(pivot 1/);
    expect(() => spdInverse(Float64Array.of(0), 1)).toThrow(/not positive definite/);
    expect(() => spdInverse(Float64Array.of(1, 2, 3), 2)).toThrow(/expected 2 × 2 = 4 entries, got 3/);
    expect(Array.from(spdInverse(Float64Array.of(4), 1))).toEqual([0.25]);
  });
});
