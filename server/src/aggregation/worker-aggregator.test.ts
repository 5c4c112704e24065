import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aggregateTrain, blockedGram, createRng, type GraphStrategyOptions } from "@fedrec/common";
import { syntheticRound } from "../testing/synthetic-round.ts";
import { createWorkerAggregator, type WorkerAggregator } from "./worker-aggregator.ts";
import { isShared } from "./shared-arrays.ts";

const options = (o: Partial<GraphStrategyOptions>): GraphStrategyOptions => ({
  graphSource: "user",
  neighbourhood: { kind: "topk", k: 3 },
  graphSearch: "exact",
  propagationLayers: 2,
  globalUpdate: "fedavg",
  serverOptimizer: "none",
  serverLearningRate: 1,
  distribution: "personalized",
  uploadClipNorm: null,
  dp: null,
  ...o,
});

const shape = { clients: 23, userDim: 96, numItems: 40, itemDim: 4, rowsPerClient: 6, clusters: 3, spread: 0.3, seed: 5 };

describe("createWorkerAggregator", () => {
  let worker: WorkerAggregator;
  beforeAll(async () => {
    worker = await createWorkerAggregator(2);
  }, 60_000); // worker threads start slowly on a busy machine
  afterAll(() => worker.close());

  // The approximate graph runs usearch and the threads' re-ranking in the worker, the exact scan inline: on 23 rows HNSW finds every candidate.
  for (const o of [
    {},
    { distribution: "global" as const, serverOptimizer: "adam" as const, serverLearningRate: 0.1 },
    { graphSearch: "approximate" as const },
  ]) {
    it(`gives the inline aggregateTrain's graph and tables (${JSON.stringify(o)}), in shared memory`, async () => {
      const { tables, results } = syntheticRound(shape);
      const inline = aggregateTrain(options(o), tables, results, shape.itemDim, blockedGram);
      const off = await worker.aggregate(options(o), tables, results, shape.itemDim);
      expect(off.participants).toEqual(inline.participants);
      expect(off.neighbourhood.columns.map((c) => Array.from(c))).toEqual(inline.neighbourhood.columns.map((c) => Array.from(c)));
      expect(Array.from(off.tables.global)).toEqual(Array.from(inline.tables.global));
      expect(isShared(off.tables.global)).toBe(true);
      expect([...off.tables.personal.keys()]).toEqual([...inline.tables.personal.keys()]);
      for (const [client, table] of inline.tables.personal) {
        expect(Array.from(off.tables.personal.get(client)!)).toEqual(Array.from(table));
      }
      expect(off.tables.serverMoments?.m.length).toBe(inline.tables.serverMoments?.m.length);
    });
  }

  it("aggregates a DP round in this thread, with this thread's noise (a random source cannot cross into the worker)", async () => {
    const { tables, results } = syntheticRound(shape);
    const dp = options({
      neighbourhood: { kind: "none" },
      distribution: "global",
      globalUpdate: "sum",
      serverOptimizer: "sgd",
      dp: { clipNorm: 0.5, noiseStd: 0.25 },
    });
    const inline = aggregateTrain(dp, tables, results, shape.itemDim, undefined, createRng(7));
    const viaWorker = await worker.aggregate(dp, tables, results, shape.itemDim, createRng(7));
    expect(Array.from(viaWorker.tables.global)).toEqual(Array.from(inline.tables.global));
    const otherNoise = await worker.aggregate(dp, tables, results, shape.itemDim, createRng(8));
    expect(Array.from(otherNoise.tables.global)).not.toEqual(Array.from(inline.tables.global));
  });

  it("takes its own shared outputs as the next round's inputs without copying them", async () => {
    const { tables, results } = syntheticRound(shape);
    const first = await worker.aggregate(options({}), tables, results, shape.itemDim);
    const next = results.map((r) => ({ ...r, items: { ...r.items, base: first.tables.personal.get(r.client)! } }));
    const inline = aggregateTrain(options({}), first.tables, next, shape.itemDim, blockedGram);
    const second = await worker.aggregate(options({}), first.tables, next, shape.itemDim);
    for (const [client, table] of inline.tables.personal) {
      expect(Array.from(second.tables.personal.get(client)!)).toEqual(Array.from(table));
    }
  });

  it("rejects with the worker's error and keeps serving", async () => {
    const { tables, results } = syntheticRound(shape);
    const broken = results.map((r, i) => (i === 3 ? { ...r, userWeights: r.userWeights.subarray(1) } : r));
    await expect(worker.aggregate(options({}), tables, broken, shape.itemDim)).rejects.toThrow(
      /vector 3 has length 95, expected 96/,
    );
    const fine = await worker.aggregate(options({}), tables, results, shape.itemDim);
    expect(fine.participants.length).toBe(shape.clients);
  });
});
