/**
 * One client id, two connections at two gateways: as in the single coordinator, the newer
 * connection replaces the older one (`replaced`, then closed), and the older one's disconnect
 * does not take the client offline.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isErrorReply, type Welcome } from "@fedrec/common";
import { CODE, JOIN_TOKEN, testWorld, waitUntil } from "../testing/live-federation.ts";
import { RawClient } from "../testing/raw-client.ts";
import { redisServerPath } from "../testing/redis-server.ts";
import { startLedCluster } from "../testing/test-cluster.ts";

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(missing !== null)(
  `a client connecting again at another gateway${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("replaces its older connection there, and stays connected", async () => {
      const world = await testWorld(3); // minClientsToStart 3: no round opens with one client
      const { cluster } = await startLedCluster(world, cleanups);
      const [first, second] = cluster.nodes;
      const shapes = { code: CODE, token: JOIN_TOKEN, clientId: "moving-client", numItems: world.dataset.numItems };
      const join = { ...shapes, profileDim: world.profiles[0]!.length };

      const old = await new RawClient(first!.url).connected();
      cleanups.push(() => old.close());
      const welcome = (await old.join(join)) as Welcome;
      expect(isErrorReply(welcome)).toBe(false);
      await waitUntil(() => cluster.status()?.clients.connected === 1, 5_000, "the first connection");

      const replacement = await new RawClient(second!.url).connected();
      cleanups.push(() => replacement.close());
      expect(isErrorReply(await replacement.join({ ...join, secret: welcome.secret }))).toBe(false);
      await waitUntil(() => !old.socket.connected, 5_000, "the older connection closed");
      expect(old.errors).toEqual([expect.objectContaining({ ok: false, code: "replaced" })]);
      expect(replacement.socket.connected).toBe(true);
      expect(replacement.errors).toEqual([]);
      // The older connection's disconnect reached the leader too, and was ignored.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(cluster.status()?.clients).toEqual({ registered: 1, connected: 1 });
    }, 30_000);
  },
);
