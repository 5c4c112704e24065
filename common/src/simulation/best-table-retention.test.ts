/**
 * Best-validation retention and early stopping in the simulator, over a scripted run: a fake
 * ClientPool reports validation HR@10 that rises, then falls, and records (as copies) every table
 * it was sent, so the retained table can be compared bit for bit with what was sent that round.
 */
import { describe, expect, it } from "vitest";
import { modelDimensions } from "../config/derived-settings.ts";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import type { ClientPool, ClientReport, ClientTask } from "./client-pool.ts";
import { FederatedSimulation } from "./federated-simulation.ts";

const PROFILE_DIM = 8;
const dataset = generateSyntheticDataset({ numUsers: 6, numItems: 20 });
/** Rises to round 3, ties it in round 5, then falls. */
const VALIDATION = [0.1, 0.3, 0.5, 0.4, 0.5, 0.45, 0.2, 0.3, 0.25, 0.1];

class ScriptedClients implements ClientPool {
  /** Per round: what each participant was sent (the reference, and a copy taken at send time). */
  readonly sent: Map<number, { table: Float32Array; copy: Float32Array }>[] = [];

  constructor(private readonly dims: { numItems: number; itemDim: number; jointDim: number }) {}

  async runRound(tasks: readonly ClientTask[]): Promise<ClientReport[]> {
    const round = this.sent.length + 1;
    this.sent.push(new Map(tasks.map((t) => [t.client, { table: t.table, copy: t.table.slice() }])));
    const hr10 = VALIDATION[round - 1]!;
    const { numItems, itemDim, jointDim } = this.dims;
    return tasks.map(({ client }) => ({
      client,
      upload: {
        userWeights: Float32Array.from({ length: PROFILE_DIM * jointDim }, (_, k) => Math.sin(client * 7 + k * 0.3 + round)),
        rows: Int32Array.of((client + round) % numItems),
        values: Float32Array.from({ length: itemDim }, (_, k) => round + client / 8 + k / 64),
        numExamples: client + 1,
        metrics: { val: { hr10, ndcg10: hr10 / 2, count: 1 }, test: { hr10: 1 - hr10, ndcg10: 0, count: 1 } },
      },
      loss: 1 / round,
      seconds: { train: 0, evaluate: 0 },
    }));
  }

  async close(): Promise<void> {}
}

function scriptedRun(overrides: object) {
  const config = resolveConfig(DEFAULT_CONFIG, { rounds: VALIDATION.length, ...overrides });
  const dims = modelDimensions(config, PROFILE_DIM, dataset.numItems);
  const clients = new ScriptedClients(dims);
  let t = 0;
  const simulation = new FederatedSimulation(config, dataset, PROFILE_DIM, clients, () => t++);
  return { simulation, clients };
}

describe("best-validation retention in the simulator", () => {
  it("keeps exactly the global table sent in the best round (not the last), earlier round winning a tie", async () => {
    const { simulation, clients } = scriptedRun({});
    while (!simulation.finished) await simulation.runRound();
    expect(simulation.rounds).toHaveLength(10);
    expect(simulation.stoppedEarlyAt).toBeNull();
    expect(simulation.best!.round).toBe(3);
    expect(simulation.result().summary!.bestRound).toBe(3);
    const sentInRound3 = clients.sent[2]!.get(0)!;
    expect(simulation.recommendationTable(0)).toBe(sentInRound3.table); // kept, not copied
    expect(simulation.recommendationTable(0)).toEqual(sentInRound3.copy); // and unchanged since it was sent
    expect(simulation.best!.tables.global).toEqual(sentInRound3.copy);
    expect(simulation.recommendationTable(0)).not.toEqual(simulation.globalTable);
  });

  it("keeps each client's personalised table of the best round", async () => {
    const { simulation, clients } = scriptedRun({ distribution: "personalized", serverOptimizer: "none", globalUpdate: "mean" });
    while (!simulation.finished) await simulation.runRound();
    expect(simulation.best!.round).toBe(3);
    const sent = clients.sent[2]!;
    expect(sent.size).toBe(6);
    for (const [client, { copy }] of sent) {
      expect(simulation.recommendationTable(client)).toEqual(copy);
      expect(simulation.recommendationTable(client)).not.toEqual(simulation.globalTable);
    }
  });

  it("stops early `earlyStoppingPatience` rounds after the best round and records it", async () => {
    const { simulation, clients } = scriptedRun({ earlyStoppingPatience: 3 });
    while (!simulation.finished) await simulation.runRound();
    expect(simulation.rounds).toHaveLength(6); // best 3 + patience 3 (the tie in round 5 is no improvement)
    expect(simulation.stoppedEarlyAt).toBe(6);
    const result = simulation.result();
    expect(result.stoppedEarlyAt).toBe(6);
    expect(result.summary!.bestRound).toBe(3);
    expect(simulation.recommendationTable(1)).toEqual(clients.sent[2]!.get(1)!.copy);
    await expect(simulation.runRound()).rejects.toThrow(/stopped early after round 6/);
  });

  it("does not stop early with patience 0 (the default) or when the patience outlasts the rounds", async () => {
    expect(DEFAULT_CONFIG.earlyStoppingPatience).toBe(0);
    const { simulation } = scriptedRun({ earlyStoppingPatience: 8 });
    while (!simulation.finished) await simulation.runRound();
    expect(simulation.rounds).toHaveLength(10);
    expect(simulation.result().stoppedEarlyAt).toBeNull();
  });
});
