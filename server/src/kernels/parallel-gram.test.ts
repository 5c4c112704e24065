import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockedGram, createRng } from "@fedrec/common";
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
});
