import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { aggregateTrain, type GraphStrategyOptions, type ServerTables, type TrainResult } from "../aggregation/graph-strategy.ts";
import { createRng } from "../random/rng.ts";
import { secureAggregateTrain } from "./secure-aggregate-train.ts";

const ITEMS = 40;
const DIM = 4;
const CLIENTS = 13; // groups of 7 and 6 with groupSize 8

function round(seed: number): { tables: ServerTables; results: TrainResult[] } {
  const rng = createRng(seed);
  const global = Float32Array.from({ length: ITEMS * DIM }, () => rng.normal());
  const results = Array.from({ length: CLIENTS }, (_, i) => {
    const rows = Int32Array.from(new Set(Array.from({ length: 8 }, () => rng.int(ITEMS)))).sort();
    const values = Float32Array.from(
      { length: rows.length * DIM },
      (_, k) => global[rows[Math.floor(k / DIM)]! * DIM + (k % DIM)]! + 0.3 * rng.normal(),
    );
    return {
      client: 100 + 3 * i,
      userWeights: Float32Array.from({ length: 6 }, () => rng.normal()),
      items: { base: global, rows, values },
      numExamples: 1 + rng.int(50),
    };
  });
  return { tables: { global, personal: new Map() }, results };
}

const options = (o: Partial<GraphStrategyOptions>): GraphStrategyOptions => ({
  graphSource: "user",
  neighbourhood: { kind: "topk", k: 3 },
  graphSearch: "exact",
  propagationLayers: 1,
  globalUpdate: "mean",
  serverOptimizer: "none",
  serverLearningRate: 1,
  distribution: "global",
  uploadClipNorm: null,
  dp: null,
  ...o,
});

describe("secureAggregateTrain equals the plain global update within the fixed-point error", () => {
  const cases: Partial<GraphStrategyOptions>[] = [
    { globalUpdate: "mean" },
    { globalUpdate: "fedavg", neighbourhood: { kind: "dense" } },
    { globalUpdate: "sum", serverOptimizer: "sgd", serverLearningRate: 0.7 },
    { globalUpdate: "fedavg", serverOptimizer: "adam", serverLearningRate: 0.1, uploadClipNorm: 0.5 },
  ];
  for (const [i, o] of cases.entries()) {
    it(`${o.globalUpdate} with server optimiser ${o.serverOptimizer ?? "none"}${o.uploadClipNorm ? ", clipped uploads" : ""}`, async () => {
      const { tables, results } = round(i + 1);
      const plain = aggregateTrain(options(o), tables, results, DIM);
      const settings = { range: 2, groupSize: 8, round: 1, randomBytes };
      const secure = await secureAggregateTrain(options(o), settings, tables, results, DIM);
      expect(secure.participants).toEqual(plain.participants);
      expect(secure.neighbourhood).toEqual(plain.neighbourhood);
      // Fixed point: ≤ 7·2·Σ|c| / 2^32 per group (Σ|c| ≤ 13 for sum); float32 rounding of |x| ≤ 4: 2.4e-7 per operation.
      let worst = 0;
      plain.tables.global.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - secure.tables.global[k]!))));
      expect(worst).toBeLessThan(1e-6);
      expect(worst).toBeGreaterThan(0); // the secure path really ran through fixed point
      expect(Boolean(secure.tables.serverMoments)).toBe(o.serverOptimizer === "adam");
    });
  }

  it("clips changes beyond ±B (range 0.1 moves rows far less than the plain update)", async () => {
    const { tables, results } = round(9);
    const plain = aggregateTrain(options({}), tables, results, DIM);
    const secure = await secureAggregateTrain(
      options({}),
      { range: 0.1, groupSize: 8, round: 1, randomBytes },
      tables,
      results,
      DIM,
    );
    const moved = (t: Float32Array) => t.reduce((s, v, k) => s + Math.abs(v - tables.global[k]!), 0);
    expect(moved(secure.tables.global)).toBeLessThan(0.7 * moved(plain.tables.global));
  });

  it("counts every client's protocol bytes: at least one dense masked vector each", async () => {
    const { tables, results } = round(3);
    const secure = await secureAggregateTrain(
      options({}),
      { range: 2, groupSize: 8, round: 1, randomBytes },
      tables,
      results,
      DIM,
    );
    expect(secure.traffic.up).toBeGreaterThan(CLIENTS * ITEMS * DIM * 4);
    expect(secure.traffic.down).toBeGreaterThan(0);
  });
});
