import { describe, expect, it } from "vitest";
import { approximateTopK, cosineSimilarityMatrix, createRng, exactCandidates, normaliseNeighbourhood } from "@fedrec/common";
import { usearchCandidates } from "./usearch-candidates.ts";

describe("usearchCandidates", () => {
  it("proposes nearly the candidates of the exact scan (HNSW recall) and a graph with ≥ 95 % of the exact top-10 neighbours on a clustered fixture", () => {
    const rng = createRng(8);
    const [n, dim] = [500, 1024];
    const centres = Array.from({ length: 10 }, () => Float32Array.from({ length: dim }, () => rng.normal()));
    // θ_user-like: a large shared part, taste groups, client noise.
    const common = Float32Array.from({ length: dim }, () => 20 * rng.normal());
    const vectors = Array.from({ length: n }, () =>
      Float32Array.from(centres[rng.int(10)]!, (c, i) => common[i]! + c + rng.normal() * 1.5),
    );
    const sketches = Float32Array.from({ length: n * 64 }, () => rng.normal());
    const hnsw = usearchCandidates(2)(sketches, n, 64, 20);
    const scan = exactCandidates(sketches, n, 64, 20);
    let shared = 0;
    hnsw.forEach((row, i) => {
      expect(row.length).toBe(20);
      const exact = new Set(scan[i]);
      for (const j of row) shared += exact.has(j) ? 1 : 0;
    });
    expect(shared / (n * 20)).toBeGreaterThanOrEqual(0.95);
    const truth = normaliseNeighbourhood(cosineSimilarityMatrix(vectors), n, { kind: "topk", k: 10 });
    const graph = approximateTopK(vectors, 10, { search: usearchCandidates(2) });
    let found = 0;
    truth.columns.forEach((row, i) => row.forEach((j) => (found += graph.columns[i]!.includes(j) ? 1 : 0)));
    expect(found / (n * 10)).toBeGreaterThanOrEqual(0.95);
  });
});
