import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approximateTopK, blockedGram, createRng, exactCandidates, rerankRows } from "@fedrec/common";
import { createParallelGramKernel, rowBounds, type ParallelGram } from "./parallel-gram.ts";

describe("rowBounds", () => {
  it("splits n rows into contiguous near-equal shares", () => {
    expect(rowBounds(10, 3)).toEqual([0, 3, 7, 10]);
    expect(rowBounds(1, 2)).toEqual([0, 1, 1]);
  });
});

describe("createParallelGramKernel", () => {
  let parallel: ParallelGram;
  beforeAll(async () => {
    parallel = await createParallelGramKernel(3);
  }, 60_000); // worker threads start slowly on a busy machine
  afterAll(() => parallel.close());

  it("computes the same X·Xᵀ as the JS kernel with the rows split over 3 threads (odd sizes)", () => {
    const rng = createRng(9);
    for (const [n, dim] of [
      [41, 515],
      [2, 7],
    ] as const) {
      const rows = Float32Array.from({ length: n * dim }, () => rng.normal());
      const fast = parallel.gram(rows, n, dim);
      const reference = blockedGram(rows, n, dim);
      expect(fast.length).toBe(n * n);
      for (let i = 0; i < n * n; i++) expect(fast[i]).toBeCloseTo(reference[i]!, 2);
    }
  });

  it("re-ranks candidates as one thread does, rows split over 3 threads, short candidate lists included", () => {
    const rng = createRng(4);
    const [n, dim, size] = [37, 96, 5];
    const vectors = Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => 3 + rng.normal()));
    const scale = Float64Array.from(vectors, (v) => 1 / Math.sqrt(v.reduce((s, x) => s + x * x, 0)));
    // Row i's candidates: 12 random rows, or just 2 for every fifth row (fewer than size − 1).
    const candidates = Array.from({ length: n }, (_, i) => Int32Array.from({ length: i % 5 === 0 ? 2 : 12 }, () => rng.int(n)));
    const parallelRows = parallel.rerank(vectors, scale, candidates, size);
    const oneThread = rerankRows(vectors, scale, candidates, size);
    expect(parallelRows.map((r) => Array.from(r))).toEqual(oneThread.map((r) => Array.from(r)));
    expect(parallelRows[5]!.length).toBe(3); // itself and its 2 candidates
    expect(parallelRows[6]!.length).toBe(size);
    const graph = approximateTopK(vectors, size, { search: exactCandidates, rerank: parallel.rerank });
    expect(graph.columns).toEqual(approximateTopK(vectors, size).columns);
  });
});
