/**
 * The int8 encoder (onnx/model_quantized.onnx, built by scripts/fetch-model.mjs) against the fp32 one
 * it was derived from: the cosine of each pair of embeddings on 200 profile texts (a committed
 * fixture), and — when MovieLens 100K is on this machine — how many of each user's 10 nearest
 * users in the profile (text) graph stay the same.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cosineSimilarityMatrix, loadDataset } from "@fedrec/common";
import { REPO_ROOT, resolveDataDir } from "../cli/dataset-location.ts";
import { createNodeFileSource } from "../data/node-file-source.ts";
import { miniLmModelPresent } from "../testing/model-present.ts";
import { withEmbeddingCache } from "./embedding-cache.ts";
import { createMiniLmEncoder } from "./minilm-encoder.ts";

const FIXTURE = join(REPO_ROOT, "server", "test", "fixtures", "profile-texts-200.json");
const dataDir = resolveDataDir(null);
const ml100k = dataDir !== null && existsSync(join(dataDir, "ml-100k", "u.data")) ? join(dataDir, "ml-100k") : null;
const requireModel = (process.env["CI"] ?? "") !== "" || process.env["FEDREC_REQUIRE_MODEL"] === "1";

const fp32 = createMiniLmEncoder("mean", "fp32");
const int8 = createMiniLmEncoder("mean", "int8");
afterAll(async () => {
  await fp32.dispose();
  await int8.dispose();
});

/** Both are unit vectors (L2-normalised by the pooling), so the dot product is the cosine. */
function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Each row's k largest off-diagonal entries of an n×n similarity matrix, as sets of column indices. */
function topNeighbours(similarity: Float64Array, n: number, k: number): Set<number>[] {
  return Array.from({ length: n }, (_, i) => {
    const row = [...similarity.subarray(i * n, (i + 1) * n)].map((s, j) => ({ s, j })).filter(({ j }) => j !== i);
    row.sort((a, b) => b.s - a.s || a.j - b.j);
    return new Set(row.slice(0, k).map(({ j }) => j));
  });
}

describe.skipIf(!miniLmModelPresent && !requireModel)("int8 MiniLM against fp32", () => {
  it("embeds 200 profile texts with cosine ≥ 0.99 each (mean ≥ 0.998) to the fp32 embeddings", async () => {
    const { texts } = JSON.parse(await readFile(FIXTURE, "utf8")) as { texts: string[] };
    expect(texts).toHaveLength(200);
    const [a, b] = [await fp32.encode(texts), await int8.encode(texts)];
    const cosines = a.map((row, i) => dot(row, b[i]!));
    const mean = cosines.reduce((s, c) => s + c, 0) / cosines.length;
    console.log(`int8 vs fp32 on 200 profile texts: min cosine ${Math.min(...cosines).toFixed(5)}, mean ${mean.toFixed(5)}`);
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.99);
    expect(mean).toBeGreaterThanOrEqual(0.998);
    // Not the same vectors: the int8 graph really is another model (else this test proves nothing).
    expect(Math.max(...cosines)).toBeLessThan(1 - 1e-7);
  }, 120_000);

  it.skipIf(ml100k === null)(
    "keeps ≥ 90 % of each ML-100K user's 10 nearest users in the profile graph",
    async () => {
      const dataset = await loadDataset({ kind: "ml-100k" }, createNodeFileSource(ml100k!));
      const texts = dataset.users.map((u) => u.profileText);
      const [a, b] = [await withEmbeddingCache(fp32).encode(texts), await withEmbeddingCache(int8).encode(texts)];
      const n = texts.length;
      const [na, nb] = [topNeighbours(cosineSimilarityMatrix(a), n, 10), topNeighbours(cosineSimilarityMatrix(b), n, 10)];
      const overlap = na.reduce((sum, set, i) => sum + [...set].filter((j) => nb[i]!.has(j)).length / 10, 0) / n;
      console.log(`int8 vs fp32 on ML-100K (${n} users): mean top-10 neighbour overlap ${overlap.toFixed(4)}`);
      expect(overlap).toBeGreaterThanOrEqual(0.9);
    },
    300_000,
  );
});
