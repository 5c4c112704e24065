/**
 * Test helper: gateways of a Redis cluster in this process (ClusterNode on free ports of
 * 127.0.0.1) sharing the test world's federation, with short lease and request budgets.
 */
import type { FederationStatus } from "@fedrec/common";
import type { Redis } from "ioredis";
import { ClusterNode } from "../cluster/cluster-node.ts";
import { federationKeys } from "../cluster/redis-keys.ts";
import { testFederation, waitUntil, type TestWorld } from "./live-federation.ts";
import { startTestRedis, type TestRedis } from "./redis-server.ts";

/** Short enough for quick takeovers, long enough that a busy shared CPU does not cost the lease. */
export const LEASE_MS = 1000;

export interface TestCluster {
  readonly nodes: readonly ClusterNode[];
  /** Everything the gateways logged. */
  readonly logs: readonly string[];
  /** The leader's federation status (null while no gateway leads). */
  status(): FederationStatus | null;
  close(): Promise<void>;
}

export async function startTestCluster(world: TestWorld, redisUrl: string, gateways = 2): Promise<TestCluster> {
  const logs: string[] = [];
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < gateways; i++) {
    nodes.push(
      await ClusterNode.start({
        redisUrl,
        port: 0,
        tickMs: 20,
        leaseMs: LEASE_MS,
        requestBudgetMs: 300,
        log: (line) => logs.push(line),
        federations: [testFederation(world)],
      }),
    );
  }
  return {
    nodes,
    logs,
    status: () =>
      nodes
        .find((n) => n.isLeader)
        ?.aggregationLeader?.all()[0]
        ?.status() ?? null,
    async close() {
      for (const node of nodes) await node.close();
    },
  };
}

/**
 * Resolves once Redis holds `rounds` completed rounds of federation `code`: the leader's status
 * runs ahead of Redis by the journal writes in flight.
 */
export async function storedRounds(redis: Redis, code: string, rounds: number): Promise<void> {
  const started = Date.now();
  while ((await redis.hlen(federationKeys(code).history)) < rounds) {
    if (Date.now() - started > 10_000) throw new Error(`Redis does not hold ${rounds} completed rounds of ${code} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A throwaway redis-server and a test cluster on it, returned once a leader holds the lease; their
 * shutdowns go into `cleanups` (run in reverse: the cluster before Redis).
 */
export async function startLedCluster(
  world: TestWorld,
  cleanups: (() => Promise<void> | void)[],
): Promise<{ redis: TestRedis; cluster: TestCluster }> {
  const redis = await startTestRedis();
  cleanups.push(() => redis.close());
  const cluster = await startTestCluster(world, redis.url);
  cleanups.push(() => cluster.close());
  await waitUntil(() => cluster.status() !== null, 10_000, "a leader");
  return { redis, cluster };
}
