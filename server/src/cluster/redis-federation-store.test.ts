/**
 * What the aggregation leader restores from Redis, on a real redis-server: everything the journal
 * wrote comes back (client-level DP's ε in the round summaries, FedAdam's moments in the
 * checkpoint), and state that does not fit the protocol's schemas is refused with the federation
 * and the field named, as the SQLite coordinator refuses it (stored-state.ts).
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Checkpoint, FederationSetup, RoundSummary } from "@fedrec/common";
import { nodeCredentials } from "../coordinator/credentials.ts";
import { CODE, testFederation, testWorld, type TestWorld } from "../testing/live-federation.ts";
import { prepareNewFederation } from "../coordinator/coordinator.ts";
import { redisServerPath, startTestRedis, type TestRedis } from "../testing/redis-server.ts";
import { RedisJournal } from "./redis-journal.ts";
import { createFederationIfAbsent, loadFederation, loadSetup } from "./redis-federation-store.ts";
import { LEADER_LEASE_KEY, federationKeys } from "./redis-keys.ts";

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

describe.skipIf(missing !== null)(`federations restored from Redis${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let server: TestRedis;
  let redis: Redis;
  let world: TestWorld;
  let setup: FederationSetup;
  const keys = federationKeys(CODE);

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
    world = await testWorld(4);
    setup = prepareNewFederation(testFederation(world)).setup;
  });
  afterAll(async () => {
    redis.disconnect();
    await server.close();
  });
  beforeEach(async () => {
    await redis.flushall();
    await redis.set(LEADER_LEASE_KEY, "the-holder");
    expect(await createFederationIfAbsent(redis, setup, world.config, "waiting")).toBe(true);
  });

  const summary: RoundSummary = {
    round: 1,
    sampled: 2,
    aggregated: 2,
    loss: 0.5,
    metrics: { val: { hr10: 0.5, ndcg10: 0.25, count: 2 }, test: { hr10: 1, ndcg10: 1, count: 1 } },
    bytes: { in: 10, out: 20 },
    seconds: { total: 1.5, aggregate: 0.25 },
    rejected: { "stale-round": 1 },
    bestRound: 1,
    dpEpsilon: 0.75,
  };
  const f = (...xs: number[]) => Float32Array.from(xs);
  const checkpoint: Checkpoint = {
    completedRounds: 1,
    tables: {
      global: f(1, 2, 3),
      personal: new Map([[1, f(4, 5, 6)]]),
      serverMoments: { m: f(0.1, 0.2, 0.3), v: f(0.01, 0.04, 0.09) },
    },
    latestMetrics: new Map([["client-0001", summary.metrics]]),
  };

  async function journalled(): Promise<string> {
    const journal = new RedisJournal(redis, "the-holder", (error) => {
      throw error;
    });
    const { digest } = nodeCredentials.issue();
    journal.clientRegistered(CODE, { clientId: "client-0001", slot: 1, secretDigest: digest });
    journal.roundOpened(CODE, 1, ["client-0001"]);
    journal.roundCompleted(CODE, summary, checkpoint, null);
    journal.roundOpened(CODE, 2, ["client-0001"]);
    journal.settingsChanged(CODE, "training", world.config);
    await journal.confirmed();
    return digest;
  }

  it("gives back what the journal wrote: clients, phase, history with DP's ε, the checkpoint with FedAdam's moments, the open round", async () => {
    const digest = await journalled();
    const restored = await loadFederation(redis, CODE);
    expect(restored.setup).toEqual(setup);
    expect(restored.config).toEqual(world.config);
    expect(restored.phase).toBe("training");
    expect(restored.clients).toEqual([{ clientId: "client-0001", slot: 1, secretDigest: digest }]);
    expect(restored.history).toEqual([summary]);
    expect(restored.history[0]!.dpEpsilon).toBe(0.75);
    expect(restored.checkpoint!.completedRounds).toBe(1);
    expect([...restored.checkpoint!.tables.serverMoments!.m]).toEqual([...checkpoint.tables.serverMoments!.m]);
    expect([...restored.checkpoint!.tables.serverMoments!.v]).toEqual([...checkpoint.tables.serverMoments!.v]);
    expect(restored.openRound).toEqual({ round: 2, participants: ["client-0001"], accepted: new Map() });
  });

  it("keeps a warm start's tables, as the round-0 checkpoint and for a reset", async () => {
    await redis.flushall();
    await redis.set(LEADER_LEASE_KEY, "the-holder");
    const starting = { global: f(9, 8, 7), personal: new Map<number, Float32Array>(), serverMoments: null };
    expect(await createFederationIfAbsent(redis, setup, world.config, "paused", starting)).toBe(true);
    const restored = await loadFederation(redis, CODE);
    expect([...restored.starting!.global]).toEqual([9, 8, 7]);
    expect(restored.checkpoint!.completedRounds).toBe(0);
    expect([...restored.checkpoint!.tables.global]).toEqual([9, 8, 7]);
  });

  it("resets: rounds, best tables, the open round and its uploads dropped, the given tables as round 0's checkpoint, paused", async () => {
    const digest = await journalled();
    const uploads = keys.uploads(2);
    await redis.hset(uploads, "client-0001", "an upload of the round the reset drops");
    await redis.set(keys.best, "best tables");
    const journal = new RedisJournal(redis, "the-holder", (error) => {
      throw error;
    });
    journal.federationReset(CODE, { global: f(5, 5, 5), personal: new Map(), serverMoments: null });
    await journal.confirmed();
    expect(await redis.exists(keys.history, keys.best, keys.open, uploads)).toBe(0);
    const restored = await loadFederation(redis, CODE);
    expect(restored.phase).toBe("paused");
    expect(restored.history).toEqual([]);
    expect(restored.openRound).toBeNull();
    expect(restored.checkpoint!.completedRounds).toBe(0);
    expect([...restored.checkpoint!.tables.global]).toEqual([5, 5, 5]);
    expect(restored.clients).toEqual([{ clientId: "client-0001", slot: 1, secretDigest: digest }]);
  });

  it.each([
    [
      "a configuration outside its ranges",
      () => redis.hset(keys.settings, "config", JSON.stringify({ ...world.config, rounds: 0 })),
      /federation TEST42: saved .*rounds/,
    ],
    ["an unknown phase", () => redis.hset(keys.settings, "phase", "dancing"), /federation TEST42: saved phase/],
    [
      "a setup whose tokens are not tokens",
      () => redis.set(keys.setup, JSON.stringify({ ...setup, joinToken: "no" })),
      /federation TEST42: saved setup\.joinToken/,
    ],
    [
      "a setup of another federation",
      () => redis.set(keys.setup, JSON.stringify({ ...setup, code: "OTHER1" })),
      /federation TEST42: saved setup names the federation OTHER1/,
    ],
    [
      "a client record without its digest",
      () => redis.hset(keys.clients, "client-0002", JSON.stringify({ slot: 2 })),
      /federation TEST42: saved client\.secretDigest/,
    ],
    [
      "a round summary missing its counts",
      () => redis.hset(keys.history, "1", JSON.stringify({ ...summary, sampled: undefined })),
      /federation TEST42: saved round summary\.sampled/,
    ],
    ["an open round that is not JSON", () => redis.set(keys.open, "{round"), /federation TEST42: saved open round is not JSON/],
  ])("refuses %s, naming the federation and the field", async (_what, corrupt, message) => {
    await journalled();
    await corrupt();
    await expect(loadFederation(redis, CODE)).rejects.toThrow(message);
  });

  it("refuses a tampered setup for the gateways that only serve the catalogue too", async () => {
    await redis.set(keys.setup, JSON.stringify({ ...setup, catalogue: { ...setup.catalogue, profileDim: 7 } }));
    await expect(loadSetup(redis, CODE)).rejects.toThrow(
      /federation TEST42: saved setup\.catalogue: encoder\.dimension \d+ differs from profileDim 7/,
    );
  });
});
