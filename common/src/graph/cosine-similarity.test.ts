import { describe, expect, it } from "vitest";
import { randomVector } from "../testing/tiny-model.ts";
import { createRng } from "../random/rng.ts";
import { blockedGram, cosineSimilarityMatrix, type GramKernel } from "./cosine-similarity.ts";
import { normaliseNeighbourhood } from "./neighbourhood.ts";

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

  it("ranks neighbours as float64 cosines do when the vectors share a large common part, even with a float32 Gram kernel", () => {
    // As θ_user after a few rounds: one shared start, small client-specific moves (cosines within ≈ 1e-4 of 1).
    const [n, dim] = [60, 4096];
    const rng = createRng(11);
    const common = Float64Array.from({ length: dim }, () => rng.normal());
    const vectors = Array.from({ length: n }, () => Float32Array.from(common, (c) => c + 0.01 * rng.normal()));
    const float64Cosine = (a: Float32Array, b: Float32Array): number => {
      let [ab, aa, bb] = [0, 0, 0];
      for (let k = 0; k < dim; k++) [ab, aa, bb] = [ab + a[k]! * b[k]!, aa + a[k]! * a[k]!, bb + b[k]! * b[k]!];
      return ab / Math.sqrt(aa * bb);
    };
    const reference = Float64Array.from({ length: n * n }, (_, p) => float64Cosine(vectors[Math.floor(p / n)]!, vectors[p % n]!));
    const float32Gram: GramKernel = (rows, rowCount, width) => {
      const out = new Float32Array(rowCount * rowCount);
      for (let i = 0; i < rowCount; i++)
        for (let j = 0; j < rowCount; j++) {
          let s = 0;
          for (let k = 0; k < width; k++) s = Math.fround(s + Math.fround(rows[i * width + k]! * rows[j * width + k]!));
          out[i * rowCount + j] = s;
        }
      return out;
    };
    const topk = (s: Float64Array): number[][] =>
      normaliseNeighbourhood(s, n, { kind: "topk", k: 5 }).columns.map((c) => Array.from(c));
    const similarity = cosineSimilarityMatrix(vectors, float32Gram);
    for (let p = 0; p < n * n; p++) expect(Math.abs(similarity[p]! - reference[p]!)).toBeLessThan(1e-9);
    expect(topk(similarity)).toEqual(topk(reference));
    // The same kernel on the unit rows themselves (no centring) reorders neighbours: the test can fail.
    const unit = new Float32Array(n * dim);
    vectors.forEach((v, i) => {
      let squared = 0;
      for (let k = 0; k < dim; k++) squared += v[k]! * v[k]!;
      for (let k = 0; k < dim; k++) unit[i * dim + k] = v[k]! / Math.sqrt(squared);
    });
    const uncentred = Float64Array.from(float32Gram(unit, n, dim));
    expect(topk(uncentred)).not.toEqual(topk(reference));
  });

  it("rejects vectors of different lengths", () => {
    expect(() => cosineSimilarityMatrix([v(1, 2), v(1)])).toThrow(/vector 1 has length 1, expected 2/);
  });
});
