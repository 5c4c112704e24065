import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { bagOfWordsEncoder } from "../testing/bag-of-words-encoder.ts";
import { FederatedSimulation } from "./federated-simulation.ts";

const dataset = generateSyntheticDataset({ numUsers: 120, numItems: 300 });
const profiles = await bagOfWordsEncoder().encode(dataset.users.map((u) => u.profileText));
let ticks = 0;
const fakeClock = () => ticks++; // every phase "takes" one second

function run(overrides: object, rounds: number) {
  const sim = new FederatedSimulation(resolveConfig(DEFAULT_CONFIG, { rounds, ...overrides }), dataset, profiles, fakeClock);
  for (let r = 0; r < rounds; r++) sim.runRound();
  return sim;
}

describe("FederatedSimulation on the synthetic dataset", () => {
  it("lifts HR@10 far above the random level within a few rounds", () => {
    const sim = run({}, 12);
    const result = sim.result();
    expect(result.dataset.randomHr10).toBeLessThan(0.13);
    expect(result.summary!.test.hr10).toBeGreaterThan(3 * result.dataset.randomHr10);
    expect(result.rounds.at(-1)!.loss).toBeLessThan(result.rounds[0]!.loss);
  });
});
