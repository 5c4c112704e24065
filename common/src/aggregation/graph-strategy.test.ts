import { describe, expect, it } from "vitest";
import { aggregateTrain, tableFor, type GraphStrategyOptions, type ServerTables, type TrainResult } from "./graph-strategy.ts";
import { materialise } from "./item-table-update.ts";
import { randomVector } from "../testing/tiny-model.ts";

// Two items, item dim 1: tables are [row0, row1].
const G0 = Float32Array.of(0, 0);
const start: ServerTables = { global: G0, personal: new Map() };
const f = (...xs: number[]) => Float32Array.from(xs);

function result(
  client: number,
  user: number[],
  rows: number[],
  values: number[],
  n: number,
  base: Float32Array = G0,
): TrainResult {
  return { client, userWeights: f(...user), items: { base, rows: Int32Array.from(rows), values: f(...values) }, numExamples: n };
}

const options = (o: Partial<GraphStrategyOptions>): GraphStrategyOptions => ({
  graphSource: "user",
  neighbourhood: { kind: "topk", k: 1 },
  graphSearch: "exact",
  propagationLayers: 1,
  globalUpdate: "mean",
  serverOptimizer: "none",
  serverLearningRate: 1,
  distribution: "personalized",
  uploadClipNorm: null,
  dp: null,
  ...o,
});

// Client 0 trained row 0 to 1; client 1 trained row 1 to 2. Sizes 1 and 3.
const A = result(0, [1, 0], [0], [1], 1);
const B = result(1, [0, 1], [1], [2], 3);

describe("aggregateTrain with a server optimiser (global distribution)", () => {
  const server = (o: Partial<GraphStrategyOptions>) => options({ distribution: "global", ...o });
  const base: ServerTables = { global: f(0.5, -1), personal: new Map() };
  // Both clients received the global table; A moved row 0 by +1, B moved row 1 by +2.
  const a = result(0, [1, 0], [0], [1.5], 1, base.global);
  const b = result(1, [0, 1], [1], [1], 3, base.global);

  it("sum + sgd adds the clients' changes: x + η·(Δ_A + Δ_B)", () => {
    const out = aggregateTrain(server({ globalUpdate: "sum", serverOptimizer: "sgd", serverLearningRate: 1 }), base, [a, b], 1);
    expect(Array.from(out.tables.global)).toEqual([1.5, 1]);
    expect(Array.from(base.global)).toEqual([0.5, -1]); // input untouched
  });

  it("fedavg + sgd steps η_s on the n-weighted mean change; n counts at most the catalogue size", () => {
    const out = aggregateTrain(
      server({ globalUpdate: "fedavg", serverOptimizer: "sgd", serverLearningRate: 2 }),
      base,
      [a, b],
      1,
    );
    // b claims 3 interactions in a 2-item catalogue: it counts 2, so the weights are ⅓ and ⅔.
    expect(out.tables.global[0]).toBeCloseTo(0.5 + 2 * (1 / 3) * 1, 6);
    expect(out.tables.global[1]).toBeCloseTo(-1 + 2 * (2 / 3) * 2, 6);
  });

  it("a client claiming 10⁸ interactions weighs as much as one that rated the whole catalogue, no more", () => {
    // 4 items; c rated 1 and moved row 0 by +4, d claims 10⁸ and moved row 1 by +4: weights 1/5, 4/5.
    const table = f(0, 0, 0, 0);
    const c = result(0, [1, 0], [0], [4], 1, table);
    const d = result(1, [0, 1], [1], [4], 1e8, table);
    const fedavg = server({ globalUpdate: "fedavg", serverOptimizer: "sgd", serverLearningRate: 1 });
    const out = aggregateTrain(fedavg, { global: table, personal: new Map() }, [c, d], 1);
    expect(Array.from(out.tables.global)).toEqual([0.8, 3.2, 0, 0].map(Math.fround));
  });

  it("sgd with η_s = 1 on the mean equals the paper's mean of the tables", () => {
    const stepped = aggregateTrain(server({ serverOptimizer: "sgd" }), base, [a, b], 1).tables.global;
    const paper = aggregateTrain(server({}), base, [a, b], 1).tables.global;
    expect(Array.from(stepped)).toEqual(Array.from(paper));
  });

  it("a top-2 graph weighs each client's change by its column sum Σ_i w_i P_ij", () => {
    // cos(A, B) = 0: both rows of S'' are [1/2, 1/2], so each column sums to 1 under `sum`.
    const out = aggregateTrain(
      server({ neighbourhood: { kind: "topk", k: 2 }, globalUpdate: "sum", serverOptimizer: "sgd" }),
      base,
      [a, b],
      1,
    );
    expect(Array.from(out.tables.global)).toEqual([1.5, 1]);
  });

  it("adam (FedAdam, no bias correction) as hand-computed over two rounds, moments carried", () => {
    const opts = server({ globalUpdate: "sum", serverOptimizer: "adam", serverLearningRate: 0.1 });
    const first = aggregateTrain(opts, base, [a, b], 1).tables;
    // Δ = [1, 2]; m = 0.1Δ, v = 0.01Δ²; step = 0.1·m / (√v + 0.001).
    expect(first.global[0]).toBeCloseTo(0.5 + (0.1 * 0.1) / (0.1 + 0.001), 6);
    expect(first.global[1]).toBeCloseTo(-1 + (0.1 * 0.2) / (0.2 + 0.001), 6);
    // Round 2: nobody changed anything (Δ = 0), momentum keeps moving: m = 0.09, v = 0.0099 on row 0.
    const idle = result(0, [1, 0], [], [], 1, first.global);
    const second = aggregateTrain(opts, first, [idle], 1).tables;
    expect(second.global[0]! - first.global[0]!).toBeCloseTo((0.1 * 0.09) / (Math.sqrt(0.0099) + 0.001), 6);
    expect(second.serverMoments!.m[1]).toBeCloseTo(0.9 * 0.2, 6);
  });
});

describe("aggregateTrain", () => {
  it("k = 1 (self only): R_i = A_i; mean and fedavg global tables as hand-computed", () => {
    const mean = aggregateTrain(options({}), start, [A, B], 1);
    expect(Array.from(tableFor(mean.tables, 0))).toEqual([1, 0]);
    expect(Array.from(tableFor(mean.tables, 1))).toEqual([0, 2]);
    expect(Array.from(mean.tables.global)).toEqual([0.5, 1]);
    // B claims 3 interactions in a 2-item catalogue: it counts 2, so the weights are ⅓ and ⅔.
    const fedavg = aggregateTrain(options({ globalUpdate: "fedavg" }), start, [A, B], 1);
    expect(fedavg.tables.global[0]).toBeCloseTo(1 / 3, 6);
    expect(fedavg.tables.global[1]).toBeCloseTo(4 / 3, 6);
  });

  it("uploadClipNorm clips each client's change before it is averaged", () => {
    // start is [0, 0]; B's change (0, 2) has norm 2 and is halved to (0, 1); A's (1, 0) is within 1.
    const out = aggregateTrain(options({ uploadClipNorm: 1 }), start, [A, B], 1);
    expect(Array.from(tableFor(out.tables, 1))).toEqual([0, 1]);
    expect(Array.from(out.tables.global)).toEqual([0.5, 0.5]);
  });

  it("top-k averages the most similar users, not the least similar", () => {
    // Client 2 is almost parallel to client 0 and opposite to client 1.
    const C = result(2, [0.9, -0.2], [0], [3], 1);
    const out = aggregateTrain(options({ neighbourhood: { kind: "topk", k: 2 } }), start, [A, B, C], 1);
    expect(Array.from(tableFor(out.tables, 0))).toEqual([2, 0]); // (A + C)/2
    expect(Array.from(tableFor(out.tables, 2))).toEqual([2, 0]);
    // Client 1's nearest other user is A (cos 0) rather than C (cos < 0).
    expect(Array.from(tableFor(out.tables, 1))).toEqual([0.5, 1]);
  });

  it("graphSource item builds the graph from the uploaded item tables instead of θ_user", () => {
    // θ_user says 0~1, but the item tables say 0~2 (same row trained the same way).
    const a = result(0, [1, 0], [0], [1], 1);
    const b = result(1, [1, 0.01], [1], [2], 1);
    const c = result(2, [0, 1], [0], [1], 1);
    const byUser = aggregateTrain(options({ neighbourhood: { kind: "topk", k: 2 } }), start, [a, b, c], 1);
    expect(Array.from(tableFor(byUser.tables, 0))).toEqual([0.5, 1]); // (A + B)/2
    const byItem = aggregateTrain(options({ graphSource: "item", neighbourhood: { kind: "topk", k: 2 } }), start, [a, b, c], 1);
    expect(Array.from(tableFor(byItem.tables, 0))).toEqual([1, 0]); // (A + C)/2
  });

  it("global distribution sends θ_global to everyone and drops personal tables", () => {
    const first = aggregateTrain(options({}), start, [A, B], 1);
    const out = aggregateTrain(
      options({ distribution: "global" }),
      first.tables,
      [result(0, [1, 0], [], [], 1, tableFor(first.tables, 0))],
      1,
    );
    expect(out.tables.personal.size).toBe(0);
    expect(Array.from(tableFor(out.tables, 1))).toEqual(Array.from(out.tables.global));
  });

  it("non-participants keep their personal table", () => {
    const first = aggregateTrain(options({}), start, [A, B], 1);
    const second = aggregateTrain(options({}), first.tables, [result(0, [1, 0], [1], [5], 1, tableFor(first.tables, 0))], 1);
    expect(Array.from(tableFor(second.tables, 0))).toEqual([1, 5]);
    expect(Array.from(tableFor(second.tables, 1))).toEqual([0, 2]);
  });

  it("handles a single client, a zero-norm θ_user and a client with no interactions", () => {
    const lone = aggregateTrain(options({ neighbourhood: { kind: "topk", k: 10 } }), start, [A], 1);
    expect(Array.from(lone.tables.global)).toEqual([1, 0]);
    const zero = result(1, [0, 0], [], [], 0); // nothing trained, zero vector, n = 0
    const out = aggregateTrain(options({ neighbourhood: { kind: "topk", k: 2 }, globalUpdate: "fedavg" }), start, [A, zero], 1);
    // The zero vector has similarity 0 to A: each keeps itself and the other (k = 2).
    expect(Array.from(tableFor(out.tables, 1))).toEqual([0.5, 0]);
    // FedAvg weighs the empty client 0: θ_global = R_A = (A + zero)/2.
    expect(Array.from(out.tables.global)).toEqual([0.5, 0]);
    const noData = aggregateTrain(options({ globalUpdate: "fedavg" }), start, [zero], 1);
    expect(noData.tables.global).toBe(G0); // nothing to weigh: keep the previous table
  });

  it("with no results returns the tables unchanged", () => {
    expect(aggregateTrain(options({}), start, [], 1).tables).toBe(start);
  });

  it("θ_global equals Σ_i w_i R_i computed naively, for L = 2 on a dense graph with personal bases", () => {
    const itemDim = 3;
    const numItems = 5;
    const clients = [0, 1, 2, 3];
    const bases = clients.map((c) => randomVector(numItems * itemDim, 10 + c));
    const tables: ServerTables = { global: bases[0]!, personal: new Map(clients.map((c) => [c, bases[c]!])) };
    const results = clients.map((c) => ({
      client: c,
      userWeights: randomVector(6, 20 + c),
      items: { base: bases[c]!, rows: Int32Array.of(c, 4), values: randomVector(2 * itemDim, 30 + c) },
      numExamples: c + 1,
    }));
    const out = aggregateTrain(
      options({ neighbourhood: { kind: "dense" }, propagationLayers: 2, globalUpdate: "fedavg" }),
      tables,
      results,
      itemDim,
    );
    const A = results.map((r) => materialise(r.items, itemDim));
    const P = clients.map(() => new Array<number>(4).fill(0));
    out.neighbourhood.columns.forEach((cols, i) => cols.forEach((j, p) => (P[i]![j] = out.neighbourhood.weights[i]![p]!)));
    const P2 = P.map((row) => clients.map((j) => row.reduce((s, v, k) => s + v * P[k]![j]!, 0)));
    const R = P2.map((row) =>
      Float64Array.from({ length: numItems * itemDim }, (_, e) => row.reduce((s, v, j) => s + v * A[j]![e]!, 0)),
    );
    const w = [1, 2, 3, 4].map((n) => n / 10);
    for (let e = 0; e < numItems * itemDim; e++) {
      expect(out.tables.global[e]).toBeCloseTo(
        R.reduce((s, r, i) => s + w[i]! * r[e]!, 0),
        5,
      );
      clients.forEach((c, i) => expect(tableFor(out.tables, c)[e]).toBeCloseTo(R[i]![e]!, 5));
    }
  });
});
