import { describe, expect, it } from "vitest";
import {
  DEFAULT_CONFIG,
  FederatedSimulation,
  generateSyntheticDataset,
  resolveConfig,
  type SimulationResult,
} from "@fedrec/common";
import { WorkerClients } from "./worker-clients.ts";

const dataset = generateSyntheticDataset({ numUsers: 40, numItems: 90, emptyUserFraction: 0.05 });
const profiles = dataset.users.map((_, u) => Float32Array.from({ length: 24 }, (_, k) => Math.cos(u * 3 + k)));
const config = resolveConfig(DEFAULT_CONFIG, {
  rounds: 3,
  fractionTrain: 0.7,
  distribution: "personalized",
  serverOptimizer: "none",
  globalUpdate: "mean",
});

async function run(simulation: FederatedSimulation): Promise<{ result: SimulationResult; table: number[] }> {
  try {
    for (let r = 0; r < config.rounds; r++) await simulation.runRound();
    return { result: simulation.result(), table: Array.from(simulation.globalTable) };
  } finally {
    await simulation.close();
  }
}

const withoutSeconds = (r: SimulationResult) => r.rounds.map(({ seconds: _seconds, ...rest }) => rest);

describe("WorkerClients", () => {
  it("gives exactly the in-process results with clients spread over 3 worker threads", async () => {
    const clock = () => performance.now() / 1000;
    const inProcess = await run(FederatedSimulation.inProcess(config, dataset, profiles, clock));
    const pool = WorkerClients.create(config, dataset, profiles, 3);
    const threaded = await run(new FederatedSimulation(config, dataset, 24, pool, clock));
    expect(threaded.table).toEqual(inProcess.table);
    expect(withoutSeconds(threaded.result)).toEqual(withoutSeconds(inProcess.result));
  });

  it("rejects a bad worker count", () => {
    expect(() => WorkerClients.create(config, dataset, profiles, 0)).toThrow(/workers must be an integer ≥ 1/);
  });
});
