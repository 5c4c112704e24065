/**
 * The released-table observer on one hand-computed round: two clients, 3 items × 1 dimension, the
 * sent table all zeros, η_s 0.5, noise e = (0.1, −0.2, 0.05).
 */
import { describe, expect, it } from "vitest";
import type { ClientPool, ClientReport, ClientTask } from "../../simulation/client-pool.ts";
import { ReleasedTableObserver, releasedTableAttackApplies } from "./released-table-observer.ts";
import { DEFAULT_CONFIG, TEXT_GRAPH_PRESET } from "../../config/presets.ts";

/** Client 0 trains item 0 to 0.3; client 1 items 1 and 2 to 0.4 and −0.3. */
const UPLOADS = [
  { rows: Int32Array.of(0), values: Float32Array.of(0.3) },
  { rows: Int32Array.of(1, 2), values: Float32Array.of(0.4, -0.3) },
];

const twoClients: ClientPool = {
  runRound: async (tasks: readonly ClientTask[]): Promise<ClientReport[]> =>
    tasks.map(({ client }) => ({
      client,
      upload: {
        userWeights: new Float32Array(0),
        ...UPLOADS[client]!,
        numExamples: 1,
        metrics: { val: { hr10: 0, ndcg10: 0, count: 1 }, test: { hr10: 0, ndcg10: 0, count: 1 } },
      },
      loss: 0,
      seconds: { train: 0, evaluate: 0 },
    })),
  close: async () => {},
};

describe("ReleasedTableObserver", () => {
  it("isolates each client's change plus the round's noise: membership statistics and the largest rows", async () => {
    const observer = new ReleasedTableObserver(twoClients, 1, 0.5, null);
    const sent = new Float32Array(3);
    await observer.runRound([
      { client: 0, table: sent },
      { client: 1, table: sent },
    ]);
    // T_1 = 0 + 0.5·(c_0 + c_1 + e) with c_0 = (0.3, 0, 0), c_1 = (0, 0.4, −0.3).
    observer.observeRelease(Float32Array.of(0.5 * (0.3 + 0.1), 0.5 * (0.4 - 0.2), 0.5 * (-0.3 + 0.05)));
    // Client 0: ⟨e, c_0⟩/‖c_0‖ = 0.1; with it: + ‖c_0‖ = 0.4. Client 1: (−0.08 − 0.015)/0.5 = −0.19; + 0.5.
    const m0 = observer.membership.get(0)!;
    const m1 = observer.membership.get(1)!;
    expect(m0.out).toBeCloseTo(0.1, 6);
    expect(m0.in).toBeCloseTo(0.4, 6);
    expect(m1.out).toBeCloseTo(-0.19, 6);
    expect(m1.in).toBeCloseTo(0.31, 6);
    expect([m0.rounds, m1.rounds]).toEqual([1, 1]);
    // c_0 + e = (0.4, −0.2, 0.05): its one largest row is 0. c_1 + e = (0.1, 0.2, −0.25): rows 1 and 2.
    expect(Array.from(observer.latestGuess.get(0)!.changed)).toEqual([0]);
    expect(Array.from(observer.latestGuess.get(1)!.changed)).toEqual([1, 2]);
  });

  it("applies where the release is the plain sum: the default, not a graph or secure aggregation", () => {
    expect(releasedTableAttackApplies(DEFAULT_CONFIG)).toBe(true);
    expect(releasedTableAttackApplies(TEXT_GRAPH_PRESET)).toBe(false);
    expect(releasedTableAttackApplies({ ...DEFAULT_CONFIG, secureAggregation: true })).toBe(false);
  });
});
