/**
 * The teacher's reset and kick in a cluster: sent to any gateway's admin API, decided by the
 * leader, and carried out at whichever gateway each client is connected to — every client hears
 * `federation:reset`; the kicked one is told `kicked`, closed, and refused when it comes back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SERVER_EVENTS, isErrorReply, type Welcome } from "@fedrec/common";
import { ADMIN_TOKEN, CODE, JOIN_TOKEN, testWorld, waitUntil } from "../testing/live-federation.ts";
import { RawClient } from "../testing/raw-client.ts";
import { redisServerPath } from "../testing/redis-server.ts";
import { startLedCluster } from "../testing/test-cluster.ts";

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(missing !== null)(`the teacher's controls in a cluster${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("reset reaches the clients of every gateway; a kicked client is closed at its gateway and refused on return", async () => {
    const world = await testWorld(3); // minClientsToStart 3: no round opens with two clients
    const { cluster } = await startLedCluster(world, cleanups);
    const [first, second] = cluster.nodes;
    const join = (clientId: string) => ({
      code: CODE,
      token: JOIN_TOKEN,
      clientId,
      numItems: world.dataset.numItems,
      profileDim: world.profiles[0]!.length,
    });
    const clients = [await new RawClient(first!.url).connected(), await new RawClient(second!.url).connected()];
    const resets = [0, 0];
    for (const [i, client] of clients.entries()) {
      cleanups.push(() => client.close());
      client.socket.on(SERVER_EVENTS.reset, () => resets[i]++);
      expect(isErrorReply((await client.join(join(`student-${i}`))) as Welcome)).toBe(false);
    }
    await waitUntil(() => cluster.status()?.clients.connected === 2, 5_000, "both clients connected");
    const control = async (gateway: string, body: object) => {
      const response = await fetch(`${gateway}/api/federations/${CODE}/control`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { ok: boolean; code?: string };
    };

    expect(await control(second!.url, { action: "reset" })).toMatchObject({ ok: true });
    await waitUntil(() => resets[0] === 1 && resets[1] === 1, 5_000, "federation:reset at both gateways' clients");

    expect(await control(first!.url, { kick: "student-nobody" })).toMatchObject({ ok: false, code: "unknown-client" });
    expect(await control(first!.url, { kick: "student-1" })).toMatchObject({ ok: true });
    await waitUntil(() => !clients[1]!.socket.connected, 5_000, "the kicked client's connection closed at its gateway");
    expect(clients[1]!.errors).toEqual([expect.objectContaining({ ok: false, code: "kicked" })]);
    expect(clients[0]!.socket.connected).toBe(true);
    expect(clients[0]!.errors).toEqual([]);
    await waitUntil(() => cluster.status()?.clients.connected === 1, 5_000, "the kicked client offline");

    const back = await new RawClient(first!.url).connected();
    cleanups.push(() => back.close());
    expect(await back.join(join("student-1"))).toMatchObject({ ok: false, code: "kicked" });
  }, 30_000);
});
