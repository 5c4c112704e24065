import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { spentEpsilon } from "../privacy/client-level-dp.ts";
import { FederatedSimulation } from "./federated-simulation.ts";

const dataset = generateSyntheticDataset({ numUsers: 40, numItems: 60 });
const profiles = dataset.users.map((_, u) => Float32Array.from({ length: 8 }, (_, k) => Math.cos(u * 8 + k)));

async function run(overrides: object) {
  let t = 0;
  const config = resolveConfig(DEFAULT_CONFIG, { rounds: 4, neighbourhood: "none", fractionTrain: 0.5, ...overrides });
  const sim = FederatedSimulation.inProcess(config, dataset, profiles, () => t++);
  for (let r = 0; r < config.rounds; r++) await sim.runRound();
  return sim;
}

describe("FederatedSimulation with client-level DP", () => {
  it("reports the ε spent after every round, ending at or below the target, and its settings", async () => {
    const sim = await run({ dpEpsilon: 3 });
    const result = sim.result();
    const dp = result.privacy!;
    expect(dp.targetEpsilon).toBe(3);
    const spent = result.rounds.map((r) => r.dpEpsilon!);
    expect(spent).toEqual([1, 2, 3, 4].map((t) => spentEpsilon(dp, t)));
    for (let i = 1; i < spent.length; i++) expect(spent[i]!).toBeGreaterThan(spent[i - 1]!);
    expect(spent[3]!).toBeLessThanOrEqual(3);
    expect(spent[3]!).toBeGreaterThan(2.99);
  });

  it("samples each client independently (Poisson): round sizes vary around q·N", async () => {
    const sizes = (await run({ dpNoiseMultiplier: 1 })).result().rounds.map((r) => r.participants);
    expect(new Set(sizes).size).toBeGreaterThan(1);
    for (const n of sizes) expect(Math.abs(n - 20)).toBeLessThan(14);
  });

  it("changes every row of the global table, with noise of the configured size", async () => {
    const sigma = 2;
    const clip = 0.05;
    const sim = await run({ dpNoiseMultiplier: sigma, dpClipNorm: clip, rounds: 1 });
    const before = (await run({ rounds: 1, dpNoiseMultiplier: 1e-9, dpClipNorm: clip })).globalTable;
    let changedRows = 0;
    const itemDim = sim.config.itemDim;
    for (let row = 0; row < dataset.numItems; row++) {
      const a = sim.globalTable.subarray(row * itemDim, (row + 1) * itemDim);
      const b = before.subarray(row * itemDim, (row + 1) * itemDim);
      if (a.some((v, k) => Math.abs(v - b[k]!) > 1e-6)) changedRows++;
    }
    expect(changedRows).toBe(dataset.numItems);
    // The difference is (almost) the noise σ·C per entry (server rate 1): its RMS is near 0.1.
    let squares = 0;
    sim.globalTable.forEach((v, k) => (squares += (v - before[k]!) ** 2));
    const rms = Math.sqrt(squares / sim.globalTable.length);
    expect(rms).toBeGreaterThan(0.09);
    expect(rms).toBeLessThan(0.11);
  });
});
