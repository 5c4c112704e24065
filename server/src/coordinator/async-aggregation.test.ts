/**
 * The coordinator with an asynchronous aggregator: uploads that arrive while a round is being
 * aggregated are answered as stale, and a large aggregation in worker threads leaves the event
 * loop free — HTTP requests and socket acknowledgements keep being answered while it runs.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PRESETS, aggregateTrain, strategyOptions, uploadedUserWeightsLength } from "@fedrec/common";
import { createWorkerAggregator, type AsyncTableAggregator } from "../aggregation/worker-aggregator.ts";
import { CODE, JOIN_TOKEN, startTestCoordinator, testWorld, waitUntil, type TestWorld } from "../testing/live-federation.ts";
import { RawClient, zeroUpload } from "../testing/raw-client.ts";
import { syntheticRound } from "../testing/synthetic-round.ts";
import type { Coordinator } from "./coordinator.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PROFILE_DIM = 32;

async function joined(coordinator: Coordinator, world: TestWorld, clientId: string): Promise<RawClient> {
  const client = await new RawClient(coordinator.url).connected();
  cleanups.push(() => client.close());
  await client.join({ code: CODE, token: JOIN_TOKEN, clientId, numItems: world.dataset.numItems, profileDim: PROFILE_DIM });
  return client;
}

const upload = (world: TestWorld, round: number, clientId: string) =>
  zeroUpload(round, clientId, uploadedUserWeightsLength(world.config, PROFILE_DIM), [0, 3], world.config.itemDim);

/** An aggregator that starts when called and finishes when the test opens its gate. */
function gatedAggregator(): { aggregate: AsyncTableAggregator; started: () => boolean; open: () => void } {
  let started = false;
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    aggregate: async (options, tables, results, itemDim) => {
      started = true;
      await gate;
      return aggregateTrain(options, tables, results, itemDim);
    },
    started: () => started,
    open: () => release(),
  };
}

describe("asynchronous aggregation in the coordinator", () => {
  it("answers an upload that arrives during aggregation as stale and completes the round with what it accepted", async () => {
    const world = await testWorld(3, { minClientsToStart: 3, roundDeadlineSeconds: 0.3, quorum: 0.6, rounds: 2 }, 40);
    const gated = gatedAggregator();
    const coordinator = await startTestCoordinator(world, { aggregator: gated.aggregate });
    cleanups.push(() => coordinator.close());
    const ids = ["client-aaaa", "client-bbbb", "client-cccc"];
    const clients = await Promise.all(ids.map((id) => joined(coordinator, world, id)));
    await Promise.all(clients.map((c) => c.roundStart(1)));
    for (const i of [0, 1])
      expect(await clients[i]!.request("upload", upload(world, 1, ids[i]!))).toEqual({ ok: true, round: 1 });
    await waitUntil(gated.started, 5000, "the deadline to start the aggregation");
    const late = (await clients[2]!.request("upload", upload(world, 1, ids[2]!))) as { code: string };
    expect(late.code).toBe("stale-round");
    // A retry of an accepted upload is still answered as accepted.
    expect(await clients[0]!.request("upload", upload(world, 1, ids[0]!))).toEqual({ ok: true, round: 1 });
    const federation = coordinator.find(CODE)!;
    expect(federation.history).toHaveLength(0);
    gated.open();
    await waitUntil(() => federation.history.length === 1, 5000, "the aggregation to finish");
    expect(federation.history[0]).toMatchObject({ round: 1, sampled: 3, aggregated: 2 });
    await clients[2]!.roundStart(2); // the next round opens, the late client is in it
  });

  it("keeps answering HTTP and socket requests while a large aggregation runs in worker threads", async () => {
    const workers = await createWorkerAggregator(2);
    cleanups.push(() => workers.close());
    // The coordinator's own round is tiny; the aggregation it awaits includes a large one
    // (600 participants × 12,288-dimensional θ_user, ML-100K's table, the text graph's top-10
    // neighbourhood over θ_user: a Gram matrix) to keep the workers busy.
    const textGraph = strategyOptions(PRESETS["text-graph"]);
    const large = syntheticRound({
      clients: 600,
      userDim: 12_288,
      numItems: 1682,
      itemDim: 32,
      rowsPerClient: 100,
      clusters: 8,
      spread: 0.5,
      seed: 3,
    });
    let running = false;
    const aggregate: AsyncTableAggregator = async (options, tables, results, itemDim) => {
      running = true;
      try {
        await workers.aggregate(textGraph, large.tables, large.results, 32);
        return await workers.aggregate(options, tables, results, itemDim);
      } finally {
        running = false;
      }
    };
    const world = await testWorld(1, { minClientsToStart: 1, rounds: 1 }, 40);
    const coordinator = await startTestCoordinator(world, { aggregator: aggregate });
    cleanups.push(() => coordinator.close());
    const client = await joined(coordinator, world, "client-aaaa");
    const probe = await joined(coordinator, world, "client-probe");
    await client.roundStart(1);
    expect(await client.request("upload", upload(world, 1, "client-aaaa"))).toEqual({ ok: true, round: 1 });
    await waitUntil(() => running, 5000, "the aggregation to start");
    let httpAnswers = 0;
    let socketAnswers = 0;
    while (running) {
      const health = await fetch(`${coordinator.url}/healthz`);
      if (running && health.ok) httpAnswers++;
      // The round is closed while it is aggregated: the machine says so (open-round.ts).
      const reply = (await probe.request("upload", upload(world, 1, "client-probe"))) as { code?: string; message?: string };
      if (running && reply.code === "stale-round" && /being aggregated/.test(reply.message ?? "")) socketAnswers++;
    }
    expect(httpAnswers).toBeGreaterThanOrEqual(5);
    expect(socketAnswers).toBeGreaterThanOrEqual(5);
    expect(client.socket.connected && probe.socket.connected).toBe(true);
    await waitUntil(() => coordinator.find(CODE)!.history.length === 1, 10_000, "the round to complete");
  }, 60_000);
});
