import { describe, expect, it } from "vitest";
import { approximateTopK, exactCandidates } from "./approximate-top-k.ts";
import { cosineSimilarityMatrix } from "./cosine-similarity.ts";
import { countSketch } from "./count-sketch.ts";
import { normaliseNeighbourhood } from "./neighbourhood.ts";
import { createRng } from "../random/rng.ts";

/** n vectors around `clusters` random centres (taste groups), dim-wide. */
function clustered(n: number, dim: number, clusters: number, spread: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, () => rng.normal()));
  return Array.from({ length: n }, () => Float32Array.from(centres[rng.int(clusters)]!, (c) => c + rng.normal() * spread));
}

function recall(approximate: readonly Int32Array[], exact: readonly Int32Array[]): number {
  let found = 0;
  let total = 0;
  exact.forEach((row, i) => {
    const mine = new Set(approximate[i]);
    for (const j of row) found += mine.has(j) ? 1 : 0;
    total += row.length;
  });
  return found / total;
}

describe("exactCandidates", () => {
  it("lists each point's nearest points (itself included), nearest first, ties to the lower index", () => {
    // Points (0,0), (3,4), (1,0), (0,0): squared distances from (0,0) are 0, 25, 1, 0;
    // from (3,4): 25, 0, 20, 25; from (1,0): 1, 20, 0, 1.
    const points = Float32Array.of(0, 0, 3, 4, 1, 0, 0, 0);
    const found = exactCandidates(points, 4, 2, 3);
    expect(Array.from(found[0]!)).toEqual([0, 3, 2]);
    expect(Array.from(found[1]!)).toEqual([1, 2, 0]);
    expect(Array.from(found[2]!)).toEqual([2, 0, 3]);
  });
});

describe("countSketch", () => {
  it("keeps dot products of unit rows close (sketch 512 of dim 4,096) and is reproducible", () => {
    const [n, dim] = [20, 4096];
    const rng = createRng(2);
    const rows = Float32Array.from({ length: n * dim }, () => rng.normal() / Math.sqrt(dim));
    const vectors = Array.from({ length: n }, (_, i) => rows.subarray(i * dim, (i + 1) * dim));
    const scale = Float64Array.from(vectors, (v) => 1 / Math.sqrt(v.reduce((s, x) => s + x * x, 0)));
    const a = countSketch(vectors, 512, 7, { scale });
    expect(Array.from(countSketch(vectors, 512, 7, { scale }))).toEqual(Array.from(a));
    const exact = cosineSimilarityMatrix(vectors);
    let worst = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let b = 0; b < 512; b++) s += a[i * 512 + b]! * a[j * 512 + b]!;
        worst = Math.max(worst, Math.abs(s - exact[i * n + j]!));
      }
    expect(worst).toBeLessThan(0.25); // ≈ 5 standard deviations of 1/√512
    expect(worst).toBeGreaterThan(0); // a sketch, not the identity
  });

  it("sketches scale · row − offset, the offset subtracted before the sum (a small move on a large common part stays exact)", () => {
    // Hand-computed: with sketchDim 1 every coordinate lands in one bucket, so the sketch is Σ σ(c)·(scale·v_c − offset_c).
    const common = Float32Array.of(1e6, 1e6);
    const moved = Float32Array.of(1e6 + 0.125, 1e6);
    const offset = Float64Array.of(1e6, 1e6);
    const [a, b] = countSketch([common, moved], 1, 3, { offset });
    expect(a).toBe(0);
    expect(Math.abs(b!)).toBe(0.125);
  });
});

describe("approximateTopK", () => {
  it("equals the exact topk graph when every row is a candidate", () => {
    const vectors = clustered(30, 64, 3, 0.8, 1);
    const exact = normaliseNeighbourhood(cosineSimilarityMatrix(vectors), 30, { kind: "topk", k: 4 });
    const approximate = approximateTopK(vectors, 4, { search: exactCandidates }, { sketchDim: 8, candidates: 30, seed: 1 });
    expect(approximate.n).toBe(30);
    expect(approximate.columns.map((c) => Array.from(c))).toEqual(exact.columns.map((c) => Array.from(c)));
    expect(approximate.weights.every((w) => w.every((x) => x === 0.25))).toBe(true);
  });

  it("finds ≥ 95 % of the exact top-10 neighbours when the vectors differ only in the sixth decimal (round 1's θ_user)", () => {
    // Sketching the raw rows in float32 and subtracting the mean's sketch cancels these digits away.
    const common = clustered(1, 1024, 1, 0, 5)[0]!;
    const vectors = clustered(200, 1024, 8, 1, 6).map((v) => Float32Array.from(v, (x, c) => common[c]! + 2e-4 * x));
    const exact = normaliseNeighbourhood(cosineSimilarityMatrix(vectors), 200, { kind: "topk", k: 10 });
    expect(recall(approximateTopK(vectors, 10).columns, exact.columns)).toBeGreaterThanOrEqual(0.95);
  });

  it("finds ≥ 95 % of the exact top-10 neighbours when the vectors share a large common part (400 × 1,536)", () => {
    // As θ_user after a few rounds: one shared start, small client-specific moves in taste groups.
    const common = clustered(1, 1536, 1, 0, 9)[0]!;
    const vectors = clustered(400, 1536, 12, 1.5, 4).map((v) => Float32Array.from(v, (x, c) => 20 * common[c]! + x));
    const exact = normaliseNeighbourhood(cosineSimilarityMatrix(vectors), 400, { kind: "topk", k: 10 });
    const approximate = approximateTopK(vectors, 10);
    const r = recall(approximate.columns, exact.columns);
    expect(r).toBeGreaterThanOrEqual(0.95);
    // Too few candidates from a coarse sketch lose neighbours: the measurement can fail.
    const coarse = approximateTopK(vectors, 10, { search: exactCandidates }, { sketchDim: 2, candidates: 10, seed: 1 });
    expect(recall(coarse.columns, exact.columns)).toBeLessThan(0.9);
  });
});
