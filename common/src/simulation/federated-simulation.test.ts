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

async function run(overrides: object, rounds: number) {
  const sim = FederatedSimulation.inProcess(
    resolveConfig(DEFAULT_CONFIG, { rounds, ...overrides }),
    dataset,
    profiles,
    fakeClock,
  );
  for (let r = 0; r < rounds; r++) await sim.runRound();
  return sim;
}

describe("FederatedSimulation on the synthetic dataset", () => {
  it("lifts HR@10 far above the random level within 30 rounds, even with honest negatives", async () => {
    const sim = await run({ negativeExclusion: "train" }, 30);
    const result = sim.result();
    expect(result.dataset.randomHr10).toBeLessThan(0.13);
    expect(result.summary!.test.hr10).toBeGreaterThan(2.5 * result.dataset.randomHr10);
    expect(result.rounds.at(-1)!.loss).toBeLessThan(result.rounds[0]!.loss);
  });
});

describe("FederatedSimulation determinism", () => {
  const small = generateSyntheticDataset({ numUsers: 30, numItems: 80, emptyUserFraction: 0.1 });
  const smallProfiles = small.users.map((_, u) => Float32Array.from({ length: 16 }, (_, k) => Math.sin(u * 16 + k)));
  const runSmall = async (seed: number) => {
    let t = 0;
    const sim = FederatedSimulation.inProcess(
      resolveConfig(DEFAULT_CONFIG, { rounds: 3, seed, fractionTrain: 0.5 }),
      small,
      smallProfiles,
      () => t++,
    );
    for (let r = 0; r < 3; r++) await sim.runRound();
    return { json: JSON.stringify(sim.result()), table: Array.from(sim.globalTable) };
  };

  it("gives identical results and tables for the same seed, different ones for another", async () => {
    const a = await runSmall(5);
    expect(await runSmall(5)).toEqual(a);
    expect((await runSmall(6)).table).not.toEqual(a.table);
  });

  it("runs with users that have no interactions and samples the fraction of clients", async () => {
    const { json } = await runSmall(7);
    const result = JSON.parse(json) as { rounds: { participants: number; loss: number }[] };
    expect(small.users.filter((u) => u.interactions.length === 0)).toHaveLength(3);
    expect(result.rounds.map((r) => r.participants)).toEqual([15, 15, 15]);
    for (const r of result.rounds) expect(Number.isFinite(r.loss)).toBe(true);
  });

  it("rejects a profile count that does not match the users", () => {
    expect(() => FederatedSimulation.inProcess(DEFAULT_CONFIG, small, smallProfiles.slice(1), () => 0)).toThrow(
      /29 profile embeddings for 30 users/,
    );
  });
});
