/**
 * What a cluster gateway checks before it serves, and a new aggregation leader before it restores,
 * on a real redis-server: the schema Redis holds (redis-schema.ts) and each federation's catalogue
 * against its configuration (catalogue-check.ts, the single coordinator's check). A mismatch is
 * refused in one line naming what is wrong; nothing is written. A gateway without a code of its
 * own serves the federation Redis holds instead of adding one.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../coordinator/stored-state.ts";
import { CODE, testFederation, testWorld, waitUntil, type TestWorld } from "../testing/live-federation.ts";
import { redisServerPath, startTestRedis, type TestRedis } from "../testing/redis-server.ts";
import { LEASE_MS, startTestCluster } from "../testing/test-cluster.ts";
import { ClusterNode, type ClusterNodeOptions } from "./cluster-node.ts";
import { federationCodes } from "./redis-federation-store.ts";
import { SCHEMA_KEY } from "./redis-keys.ts";
import { UNVERSIONED_SCHEMA, claimRedisSchema } from "./redis-schema.ts";
import { pubsubBufferWarning } from "./pubsub-buffer-check.ts";

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

describe.skipIf(missing !== null)(`checks before a cluster gateway serves${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let server: TestRedis;
  let redis: Redis;
  let world: TestWorld;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
    world = await testWorld(2);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.close();
  });
  beforeEach(() => redis.flushall());

  const startGateway = (options: Partial<ClusterNodeOptions> = {}) =>
    ClusterNode.start({ redisUrl: server.url, port: 0, leaseMs: LEASE_MS, log: () => {}, ...options });

  it("writes this gateway's schema into an empty Redis, and takes a Redis with federations but no schema as schema 8", async () => {
    await claimRedisSchema(redis, "here");
    expect(await redis.get(SCHEMA_KEY)).toBe(String(SCHEMA_VERSION));
    await redis.flushall();
    await redis.sadd("fedrec:federations", CODE);
    const claim = claimRedisSchema(redis, "here");
    // Accepted while this gateway's schema is still 8; refused as older once it moves on (no upgrade of Redis state yet).
    if (SCHEMA_VERSION === UNVERSIONED_SCHEMA) await expect(claim).resolves.toBeUndefined();
    else await expect(claim).rejects.toThrow(`here holds federation state of schema ${UNVERSIONED_SCHEMA}, older`);
    expect(await redis.get(SCHEMA_KEY)).toBe(String(UNVERSIONED_SCHEMA));
  });

  it.each([
    [
      String(SCHEMA_VERSION + 1),
      `holds federation state of schema ${SCHEMA_VERSION + 1}, newer than this gateway's ${SCHEMA_VERSION}: run the FedRec Live version that wrote it`,
    ],
    [
      String(SCHEMA_VERSION - 1),
      `holds federation state of schema ${SCHEMA_VERSION - 1}, older than this gateway's ${SCHEMA_VERSION}, and Redis state has no upgrade yet`,
    ],
    ["eight", `fedrec:schema is "eight", not a schema number`],
  ])("refuses to start on a Redis of schema %s, creating nothing", async (stored, message) => {
    await redis.set(SCHEMA_KEY, stored);
    const cluster = startTestCluster(world, server.url, 1);
    await expect(cluster).rejects.toThrow(`Redis at ${server.url}${stored === "eight" ? ": " : " "}${message}`);
    expect(await federationCodes(redis)).toEqual([]);
    expect(await redis.get(SCHEMA_KEY)).toBe(stored);
  });

  it("refuses a new federation whose catalogue's encoder does not pool as its configuration says", async () => {
    const mismatched = {
      ...world,
      config: { ...world.config, pooling: world.config.pooling === "mean" ? "cls" : "mean" },
    } as const;
    await expect(startTestCluster(mismatched, server.url, 1)).rejects.toThrow(
      `a new federation: the catalogue's encoder pools "${world.config.pooling}", the configuration "${mismatched.config.pooling}"`,
    );
    expect(await federationCodes(redis)).toEqual([]);
  });

  it("refuses to serve, and to lead, a federation in Redis whose catalogue does not fit its configuration", async () => {
    const cluster = await startTestCluster(world, server.url, 2);
    try {
      await waitUntil(() => cluster.status() !== null, 10_000, "a leader");
      // Someone else's writes: the stored configuration now asks for other encoder weights.
      const settings = `fedrec:fed:${CODE}:settings`;
      const config = JSON.parse((await redis.hget(settings, "config"))!) as Record<string, unknown>;
      const other = config.encoderPrecision === "int8" ? "fp32" : "int8";
      await redis.hset(settings, "config", JSON.stringify({ ...config, encoderPrecision: other }));
      const refusal = `federation ${CODE} in Redis: the catalogue's encoder has ${world.config.encoderPrecision} weights, the configuration ${other}`;

      await expect(startGateway()).rejects.toThrow(refusal.replace("in Redis", `in Redis at ${server.url}`));
      const leader = cluster.nodes.find((n) => n.isLeader)!;
      const follower = cluster.nodes.find((n) => !n.isLeader)!;
      await leader.close();
      await waitUntil(() => cluster.logs.some((line) => line.includes(`cannot take the lead: ${refusal}`)), 10_000, "refusal");
      expect(follower.isLeader).toBe(false);
    } finally {
      await cluster.close();
    }
  });

  it("a new leader refuses a Redis whose schema changed under it", async () => {
    const cluster = await startTestCluster(world, server.url, 2);
    try {
      await waitUntil(() => cluster.status() !== null, 10_000, "a leader");
      await redis.set(SCHEMA_KEY, String(SCHEMA_VERSION + 1));
      await cluster.nodes.find((n) => n.isLeader)!.close();
      const refusal = `cannot take the lead: Redis holds federation state of schema ${SCHEMA_VERSION + 1}, newer than this gateway's`;
      await waitUntil(() => cluster.logs.some((line) => line.includes(refusal)), 10_000, "refusal");
      expect(cluster.nodes.some((n) => n.isLeader)).toBe(false);
    } finally {
      await cluster.close();
    }
  });

  it("warns when Redis would cut off a gateway's subscription for a backlog (and lose its round messages)", async () => {
    expect(await pubsubBufferWarning(redis, "here")).toBeNull();
    await redis.config("SET", "client-output-buffer-limit", "pubsub 33554432 8388608 60");
    try {
      expect(await pubsubBufferWarning(redis, "here")).toBe(
        'here: client-output-buffer-limit is "pubsub 33554432 8388608 60": a gateway that falls behind is disconnected ' +
          'and loses round messages; set "client-output-buffer-limit pubsub 0 0 0" (docs/deploy.md)',
      );
    } finally {
      await redis.config("SET", "client-output-buffer-limit", "pubsub 0 0 0");
    }
  });

  it("a gateway without a code of its own serves the federation Redis holds instead of creating another", async () => {
    const cluster = await startTestCluster(world, server.url, 1);
    try {
      const { code: _given, ...codeless } = testFederation(world);
      const gateway = await startGateway({ federations: [codeless] });
      await gateway.close();
      expect(await federationCodes(redis)).toEqual([CODE]);
    } finally {
      await cluster.close();
    }
  });
});
