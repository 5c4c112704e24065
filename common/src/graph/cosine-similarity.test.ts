import { describe, expect, it } from "vitest";
import { randomVector } from "../testing/tiny-model.ts";
import { blockedGram, cosineSimilarityMatrix } from "./cosine-similarity.ts";

const v = (...xs: number[]) => Float32Array.from(xs);

describe("cosineSimilarityMatrix", () => {
  it("gives the true cosine similarity (not the distance 1 − cos), hand-computed", () => {
    const s = cosineSimilarityMatrix([v(1, 0), v(1, 1), v(0, 3), v(-2, 0)]);
    const r = Math.SQRT1_2;
    const expected = [
      [1, r, 0, -1],
      [r, 1, r, -r],
      [0, r, 1, 0],
      [-1, -r, 0, 1],
    ].flat();
    expected.forEach((e, i) => expect(s[i]).toBeCloseTo(e, 6));
  });

  it("gives a zero vector similarity 0 to others and 1 to itself", () => {
    const s = cosineSimilarityMatrix([v(0, 0), v(1, 2)]);
    expect(Array.from(s)).toEqual([1, 0, 0, 1]);
  });

  it("blocked kernel equals a naive pairwise loop for sizes that are not multiples of the block", () => {
    for (const [n, dim] of [
      [1, 3],
      [5, 7],
      [9, 1030],
      [13, 2],
    ] as const) {
      const rows = randomVector(n * dim, n + dim);
      const gram = blockedGram(rows, n, dim);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let k = 0; k < dim; k++) dot += rows[i * dim + k]! * rows[j * dim + k]!;
          expect(gram[i * n + j]).toBeCloseTo(dot, 3);
        }
      }
    }
  });

  it("rejects vectors of different lengths", () => {
    expect(() => cosineSimilarityMatrix([v(1, 2), v(1)])).toThrow(/vector 1 has length 1, expected 2/);
  });
});
