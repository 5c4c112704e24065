/**
 * The round machine's rules under client-level DP, on a fake clock with scripted randomness:
 * Poisson sampling from the injected source (not the seed's stream), no top-up at the deadline,
 * a round that sampled nobody still closing (and releasing its noise), the ε spent in each
 * summary and the status, and the refusal to run DP without a random source.
 */
import { describe, expect, it } from "vitest";
import { clientLevelDp, spentEpsilon } from "../privacy/client-level-dp.ts";
import type { RandomSource } from "../random/rng.ts";
import { clientId, harnessUpload, machineHarness } from "../testing/machine-harness.ts";
import type { DpRandomness } from "./federation-types.ts";

const DP = { dpNoiseMultiplier: 2, dpClipNorm: 0.5, fractionTrain: 0.5, minClientsToStart: 4, rounds: 3 } as const;

/** Each round's draws from a script: uniforms per round and purpose (cycled); every normal is 1. */
function scripted(uniforms: (round: number) => number[]): { randomness: DpRandomness; asked: string[] } {
  const asked: string[] = [];
  const randomness: DpRandomness = (round, purpose) => {
    asked.push(`${purpose} ${round}`);
    const script = uniforms(round);
    let i = 0;
    const source: RandomSource = { next: () => script[i++ % script.length]!, normal: () => 1 };
    return source;
  };
  return { randomness, asked };
}

describe("round rules under client-level DP", () => {
  it("refuses to run without a random source for the sampling and the noise", () => {
    expect(() => machineHarness(DP, { clients: 4 })).toThrow(/client-level DP needs a secret random source/);
  });

  it("Poisson-samples the connected clients with the injected source, each against q = fractionTrain", async () => {
    // Slots 0..3 draw 0.2, 0.9, 0.4, 0.6 against q = 0.5: slots 0 and 2 take part.
    const { randomness, asked } = scripted(() => [0.2, 0.9, 0.4, 0.6]);
    const h = machineHarness(DP, { clients: 4, dpRandomness: randomness });
    for (const slot of [0, 1, 2, 3]) h.machine.connect(clientId(slot));
    expect(asked).toEqual(["sampling 1"]);
    expect(h.sent.map((s) => s.clientId)).toEqual([clientId(0), clientId(2)]);
    expect(h.journal.at(-1)).toBe("opened 1 client-0,client-2");
    for (const slot of [0, 2]) h.machine.submit(clientId(slot), 1, harnessUpload(h.machine, slot));
    await h.machine.settled();
    expect(asked.slice(1, 3)).toEqual(["noise 1", "sampling 2"]);
    const dp = clientLevelDp(h.machine.config)!;
    expect(h.summaries[0]).toMatchObject({ round: 1, sampled: 2, aggregated: 2, dpEpsilon: spentEpsilon(dp, 1) });
    expect(h.machine.status().privacy).toEqual({ ...dp, spentEpsilon: spentEpsilon(dp, 1) });
  });

  it("closes at the deadline below the quorum without adding idle clients", async () => {
    const { randomness } = scripted(() => [0.1, 0.1, 0.9, 0.9]);
    const h = machineHarness({ ...DP, quorum: 1 }, { clients: 4, dpRandomness: randomness });
    for (const slot of [0, 1, 2, 3]) h.machine.connect(clientId(slot));
    expect(h.sent.map((s) => s.clientId)).toEqual([clientId(0), clientId(1)]);
    h.machine.submit(clientId(0), 1, harnessUpload(h.machine, 0));
    const sentBefore = h.sent.length;
    h.clock.now += 9_999;
    h.machine.tick();
    await h.machine.settled();
    expect(h.summaries).toEqual([]); // before the deadline it waits for client-1
    h.clock.now += 1;
    h.machine.tick(); // 1 of 2 < ⌈1 · 2⌉, yet it closes: a top-up would break the Poisson sampling
    await h.machine.settled();
    expect(h.summaries[0]).toMatchObject({ round: 1, sampled: 2, aggregated: 1 });
    expect(h.journal.filter((line) => line.startsWith("opened 1"))).toEqual(["opened 1 client-0,client-1"]);
    // Round 2 went to the newly sampled clients only, with a fresh deadline; nobody was added to round 1.
    expect(h.sent.slice(sentBefore).map((s) => [s.clientId, s.round])).toEqual([
      [clientId(0), 2],
      [clientId(1), 2],
    ]);
  });

  it("a round that sampled nobody closes at once and still moves every entry by the noise", async () => {
    const { randomness } = scripted(() => [0.99]);
    const h = machineHarness({ ...DP, rounds: 2 }, { clients: 4, dpRandomness: randomness });
    const before = h.machine.checkpoint().tables.global;
    for (const slot of [0, 1, 2, 3]) h.machine.connect(clientId(slot));
    await h.machine.settled();
    expect(h.sent).toEqual([]);
    const dp = clientLevelDp(h.machine.config)!;
    expect(h.summaries.map((s) => [s.round, s.sampled, s.aggregated, s.dpEpsilon])).toEqual([
      [1, 0, 0, spentEpsilon(dp, 1)],
      [2, 0, 0, spentEpsilon(dp, 2)],
    ]);
    expect(h.machine.phase).toBe("finished");
    // Each round: N(0, (σC)²) with every normal 1 is σ·C = 1 per entry, server SGD at η_s = 1.
    const after = h.machine.checkpoint().tables.global;
    const step = 2 * 0.5 * h.machine.config.serverLearningRate;
    for (const k of [0, 1, after.length - 1]) expect(after[k]).toBeCloseTo(before[k]! + 2 * step, 5);
  });

  it("keeps rounds and fractionTrain fixed while the federation runs", () => {
    const { randomness } = scripted(() => [0.9]);
    const h = machineHarness(DP, { clients: 4, dpRandomness: randomness });
    expect(() => h.machine.configure({ rounds: 30 })).toThrow(/cannot change rounds or fractionTrain under differential privacy/);
    expect(() => h.machine.configure({ fractionTrain: 1 })).toThrow(/cannot change rounds or fractionTrain/);
    expect(h.machine.configure({ roundDeadlineSeconds: 5 }).roundDeadlineSeconds).toBe(5);
  });

  it("refuses a reset (the spent ε would restart from zero while the same data trains again), changing nothing", async () => {
    const { randomness } = scripted(() => [0.2]);
    const h = machineHarness(DP, { clients: 4, dpRandomness: randomness });
    for (const slot of [0, 1, 2, 3]) h.machine.connect(clientId(slot));
    for (const slot of [0, 1, 2, 3]) h.machine.submit(clientId(slot), 1, harnessUpload(h.machine, slot));
    await h.machine.settled();
    const journalled = h.journal.length;
    expect(() => h.machine.control("reset")).toThrow(
      /cannot reset federation .* under differential privacy: its ε spent \(\d+\.\d{3}\)/,
    );
    expect(h.machine.completedRounds).toBe(1);
    expect(h.journal.length).toBe(journalled);
    expect(h.notices).toEqual([]);
  });
});
