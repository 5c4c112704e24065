/**
 * A gateway killed with SIGKILL sends no disconnects: the leader learns it from the missing
 * heartbeats. Here a stand-in gateway speaks the real cluster bus: it joins a client, announces
 * it, beats for a while — the client stays connected — and falls silent: after one lease TTL the
 * leader counts the client offline.
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, isErrorReply } from "@fedrec/common";
import { CODE, JOIN_TOKEN, testWorld, waitUntil } from "../testing/live-federation.ts";
import { redisServerPath } from "../testing/redis-server.ts";
import { LEASE_MS, startLedCluster } from "../testing/test-cluster.ts";
import { ClusterBus } from "./cluster-bus.ts";

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(missing !== null)(`gateway heartbeats${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("the clients of a gateway that falls silent go offline after one lease TTL, not before", async () => {
    const world = await testWorld(2);
    const { redis, cluster } = await startLedCluster(world, cleanups);

    const publisher = new Redis(redis.url);
    const subscriber = new Redis(redis.url);
    cleanups.push(() => void [publisher, subscriber].forEach((r) => r.disconnect()));
    const ghost = new ClusterBus(publisher, subscriber, "ghost-gateway");
    const announce = () => ghost.notify({ kind: "connect", code: CODE, clientId: "ghost-client", socket: "ghost-socket" });
    await ghost.start(announce, () => {}); // announces again when a new leader arrives, as a gateway does
    const welcome = await ghost.request(
      {
        kind: "join",
        request: {
          protocol: PROTOCOL_VERSION,
          code: CODE,
          token: JOIN_TOKEN,
          clientId: "ghost-client",
          secret: null,
          numItems: world.dataset.numItems,
          profileDim: world.profiles[0]!.length,
          encoder: world.encoder,
          label: null,
        },
      },
      5_000,
      false,
    );
    expect(isErrorReply(welcome)).toBe(false);
    announce();
    await waitUntil(() => cluster.status()?.clients.connected === 1, 5_000, "the client connected");
    const beating = setInterval(() => ghost.notify({ kind: "alive" }), 100);
    cleanups.push(() => clearInterval(beating));
    await new Promise((resolve) => setTimeout(resolve, 2.5 * LEASE_MS)); // 2.5 lease TTLs with heartbeats
    expect(cluster.status()?.clients.connected).toBe(1);

    clearInterval(beating);
    const silentSince = Date.now();
    await waitUntil(() => cluster.status()?.clients.connected === 0, 5_000, "the silent gateway's client offline");
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(LEASE_MS - 200); // the TTL less one beat interval and a tick
  }, 30_000);
});
