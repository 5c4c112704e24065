import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { FederatedSimulation } from "./federated-simulation.ts";

const dataset = generateSyntheticDataset({ numUsers: 30, numItems: 80 });
const profiles = dataset.users.map((_, u) => Float32Array.from({ length: 16 }, (_, k) => Math.sin(u * 16 + k)));

async function tablesAfter(rounds: number, overrides: object): Promise<Float32Array[]> {
  let t = 0;
  const config = resolveConfig(DEFAULT_CONFIG, { rounds, fractionTrain: 0.5, ...overrides });
  const sim = FederatedSimulation.inProcess(config, dataset, profiles, () => t++);
  const tables: Float32Array[] = [];
  for (let r = 0; r < rounds; r++) {
    await sim.runRound();
    tables.push(sim.globalTable);
  }
  return tables;
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((worst, v, k) => Math.max(worst, Math.abs(v - b[k]!)), 0);
}

describe("the simulator with secure aggregation", () => {
  const secure = { secureAggregation: true, secureAggregationGroupSize: 8 }; // 15 participants: groups of 8 and 7

  for (const strategy of [{}, { globalUpdate: "mean", serverOptimizer: "none" }]) {
    it(`computes the plain run's global tables within the fixed-point error (${JSON.stringify(strategy)})`, async () => {
      const plain = await tablesAfter(3, strategy);
      const masked = await tablesAfter(3, { ...strategy, ...secure });
      expect(largestDifference(plain[0]!, masked[0]!)).toBeGreaterThan(0);
      expect(largestDifference(plain[0]!, masked[0]!)).toBeLessThan(1e-6);
      // Later rounds train on the slightly different tables: the gap stays at float noise.
      expect(largestDifference(plain[2]!, masked[2]!)).toBeLessThan(1e-5);
    });
  }

  it("is refused with a personalised distribution", () => {
    expect(() => resolveConfig(DEFAULT_CONFIG, { ...secure, serverOptimizer: "none", distribution: "personalized" })).toThrow(
      /secureAggregation sums the changes into the one global table: it needs distribution "global", not "personalized"/,
    );
  });
});
