/**
 * HTTP on a two-gateway cluster: any gateway serves the catalogue a browser needs to join; the
 * admin API answers on the leader and is forwarded there by the other gateway, with the same
 * answer; a wrong token is refused on both.
 */
import { afterEach, describe, expect, it } from "vitest";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { ADMIN_TOKEN, CODE, JOIN_TOKEN, testWorld, waitUntil } from "../testing/live-federation.ts";
import { redisServerPath } from "../testing/redis-server.ts";
import { startLedCluster } from "../testing/test-cluster.ts";

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(missing !== null)(`HTTP on a cluster gateway${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("serves the catalogue anywhere and the admin API through whichever gateway is asked", async () => {
    const world = await testWorld(4, { rounds: 2 });
    const { cluster } = await startLedCluster(world, cleanups);
    const leader = cluster.nodes.find((n) => n.isLeader)!;
    const follower = cluster.nodes.find((n) => !n.isLeader)!;

    const fleet = new HeadlessFleet({ url: follower.url, code: CODE, token: JOIN_TOKEN, ...world, users: [0, 1, 2, 3] });
    cleanups.push(() => fleet.close());
    await fleet.connect();
    await waitUntil(() => cluster.status()?.phase === "finished", 30_000, "2 rounds");

    for (const node of [leader, follower]) {
      const catalogue = await fetch(`${node.url}/api/federations/${CODE}/catalogue?token=${JOIN_TOKEN}`);
      expect(catalogue.status).toBe(200);
      expect(((await catalogue.json()) as { catalogue: { numItems: number } }).catalogue.numItems).toBe(world.dataset.numItems);
      const refused = await fetch(`${node.url}/api/federations/${CODE}/catalogue?token=wrong-token`);
      expect(refused.status).toBe(401);
    }
    const rounds = async (url: string, token: string) =>
      fetch(`${url}/api/federations/${CODE}/rounds`, { headers: { authorization: `Bearer ${token}` } });
    const atLeader = await rounds(leader.url, ADMIN_TOKEN);
    const forwarded = await rounds(follower.url, ADMIN_TOKEN);
    expect(forwarded.status).toBe(200);
    const body = (await atLeader.json()) as { rounds: { round: number }[] };
    expect(body.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(await forwarded.json()).toEqual(body);
    expect((await rounds(follower.url, "wrong-admin-token")).status).toBe(401);
    // Control commands through the follower reach the leader's round machine: one more round, then start.
    const control = (body: object) =>
      fetch(`${follower.url}/api/federations/${CODE}/control`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await control({ settings: { rounds: 3 } })).status).toBe(200);
    expect(cluster.status()?.phase).toBe("paused");
    expect((await control({ action: "start" })).status).toBe(200);
    await waitUntil(() => cluster.status()?.completedRounds === 3, 30_000, "the third round the follower asked for");
  }, 60_000);
});
