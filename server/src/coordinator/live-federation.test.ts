/**
 * A real federation over sockets on 127.0.0.1: the coordinator process object with its SQLite
 * journal (in memory here) and headless clients running the browser's session code.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FederatedSimulation, resolveConfig } from "@fedrec/common";
import type { Coordinator } from "./coordinator.ts";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { CODE, JOIN_TOKEN, startTestCoordinator, testWorld, waitUntil, type TestWorld } from "../testing/live-federation.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function liveRun(world: TestWorld, users: readonly number[]) {
  const coordinator = await startTestCoordinator(world);
  cleanups.push(() => coordinator.close());
  const fleet = new HeadlessFleet({ url: coordinator.url, code: CODE, token: JOIN_TOKEN, ...world, users });
  cleanups.push(() => fleet.close());
  await fleet.connect();
  return { coordinator, fleet };
}

const federation = (c: Coordinator) => c.find(CODE)!;

describe("live federation over sockets", () => {
  it("20 headless clients run 12 rounds and HR@10 rises well above chance", async () => {
    // Honest negatives, so the rise is learning and not the field's leak; chance is 10/50 = 0.2.
    const world = await testWorld(20, { rounds: 12, negativeExclusion: "train" }, 300);
    const { coordinator, fleet } = await liveRun(world, [...Array(20).keys()]);
    await waitUntil(() => federation(coordinator).phase === "finished", 60_000, "12 rounds");
    const history = federation(coordinator).history;
    expect(history.map((h) => h.round)).toEqual([...Array(12).keys()].map((r) => r + 1));
    for (const h of history) {
      expect(h.aggregated).toBe(20);
      expect(h.bytes.in).toBeGreaterThan(0);
      expect(h.bytes.out).toBeGreaterThan(0);
    }
    const lastThree = history.slice(-3).reduce((sum, h) => sum + h.metrics.val.hr10, 0) / 3;
    // The default's item biases learn popularity in round 1 already (0.4 here), so the rise after it
    // is smaller than with the MLP scorer; the absolute bar is higher: 2.5 × chance.
    expect(lastThree).toBeGreaterThan(history[0]!.metrics.val.hr10 + 0.1);
    expect(lastThree).toBeGreaterThan(2.5 * 0.2);
    expect(history.at(-1)!.metrics.val.count).toBe(20);
    // After the run every client recommends with the best-validation round's table.
    const { best } = federation(coordinator);
    const validation = history.map((h) => h.metrics.val.hr10);
    expect(best!.round).toBe(validation.indexOf(Math.max(...validation)) + 1); // the first of equals
    expect(history.at(-1)!.bestRound).toBe(best!.round);
    await waitUntil(() => fleet.sessions.every((s) => s.bestRound !== null), 10_000, "the finish at every client");
    for (const session of fleet.sessions) {
      expect(session.bestRound).toBe(best!.round);
      expect(session.recommendationModel()!.itemTable).toEqual(best!.tables.global);
    }
  });

  it("with client-level DP, rounds of Poisson-sampled clients complete over sockets and report the ε spent", async () => {
    const world = await testWorld(
      12,
      { rounds: 3, neighbourhood: "none", fractionTrain: 0.5, dpEpsilon: 5, roundDeadlineSeconds: 5, minClientsToStart: 12 },
      80,
    );
    const { coordinator } = await liveRun(world, [...Array(12).keys()]);
    await waitUntil(() => federation(coordinator).phase === "finished", 60_000, "3 DP rounds");
    const history = federation(coordinator).history;
    const privacy = federation(coordinator).status().privacy!;
    expect(privacy.targetEpsilon).toBe(5);
    const spent = history.map((h) => h.dpEpsilon!);
    expect(spent).toHaveLength(3);
    for (let i = 1; i < 3; i++) expect(spent[i]!).toBeGreaterThan(spent[i - 1]!);
    expect(spent[2]!).toBeLessThanOrEqual(5);
    expect(privacy.spentEpsilon).toBe(spent[2]);
    for (const h of history) expect(h.aggregated).toBe(h.sampled);
  });

  it.each([
    ["globalUpdate mean", { globalUpdate: "mean" }],
    ["globalUpdate fedavg", { globalUpdate: "fedavg" }],
    ["personalised tables", { distribution: "personalized", globalUpdate: "mean", serverOptimizer: "none" }],
  ] as const)(
    "with %s the coordinator's rounds equal the in-process simulator's, bit for bit (tables, losses, metrics, best round)",
    async (_name, settings) => {
      const world = await testWorld(12, { rounds: 3, fractionTrain: 0.5, minTrainClients: 2, ...settings });
      const { coordinator } = await liveRun(world, [...Array(12).keys()]);
      await waitUntil(() => federation(coordinator).phase === "finished", 60_000, "3 rounds");
      const simulation = FederatedSimulation.inProcess(world.config, world.dataset, world.profiles, () => 0);
      for (let r = 0; r < 3; r++) await simulation.runRound();
      const live = federation(coordinator);
      expect(live.checkpoint().tables.global).toEqual(simulation.globalTable);
      expect(live.checkpoint().tables.personal).toEqual(simulation.tables.personal);
      const pair = (m: { hr10: number; ndcg10: number }) => [m.hr10, m.ndcg10];
      expect(live.history.map((h) => [h.sampled, h.loss, ...pair(h.metrics.val), ...pair(h.metrics.test)])).toEqual(
        simulation.rounds.map((r) => [r.participants, r.loss, ...pair(r.val), ...pair(r.test)]),
      );
      expect(live.best!.round).toBe(simulation.best!.round);
      expect(live.best!.tables.personal).toEqual(simulation.best!.tables.personal);
      expect(live.best!.tables.global).toEqual(simulation.best!.tables.global);
    },
  );

  it("float16 uploads: half the upload bytes, and still exactly the simulator's table", async () => {
    const bytesIn: number[] = [];
    for (const uploadPrecision of ["float32", "float16"] as const) {
      const world = await testWorld(8, { rounds: 2, uploadPrecision });
      const { coordinator, fleet } = await liveRun(world, [...Array(8).keys()]);
      await waitUntil(() => federation(coordinator).phase === "finished", 30_000, "2 rounds");
      const simulation = FederatedSimulation.inProcess(world.config, world.dataset, world.profiles, () => 0);
      for (let r = 0; r < 2; r++) await simulation.runRound();
      expect(federation(coordinator).checkpoint().tables.global).toEqual(simulation.globalTable);
      bytesIn.push(federation(coordinator).history[1]!.bytes.in);
      fleet.close();
      await coordinator.close();
    }
    expect(bytesIn[1]! / bytesIn[0]!).toBeLessThan(0.6);
  });

  it("mean and fedavg differ when clients hold different amounts of data", async () => {
    const tables = [];
    for (const globalUpdate of ["mean", "fedavg"] as const) {
      const world = await testWorld(6, { rounds: 1, globalUpdate });
      const { coordinator, fleet } = await liveRun(world, [...Array(6).keys()]);
      await waitUntil(() => federation(coordinator).phase === "finished", 30_000, "1 round");
      tables.push(federation(coordinator).checkpoint().tables.global);
      fleet.close();
      await coordinator.close();
    }
    expect(tables[0]).not.toEqual(tables[1]);
  });
});

describe("configuration errors", () => {
  it("rejects settings that cannot change while the federation runs", async () => {
    const world = await testWorld(2, { rounds: 1 });
    const coordinator = await startTestCoordinator(world);
    cleanups.push(() => coordinator.close());
    expect(() => federation(coordinator).configure({ learningRate: 1 })).toThrow(/cannot change learningRate/);
    expect(federation(coordinator).configure({ rounds: 5 }).rounds).toBe(5);
    expect(() => resolveConfig(world.config, { quorum: 2 })).toThrow(/quorum/);
  });
});
