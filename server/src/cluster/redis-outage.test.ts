/**
 * Redis dies (SIGKILL) while a round is open and comes back on the same port and append-only
 * file. Meanwhile the gateways say so, refuse the upload they cannot persist as `unavailable`
 * (the client retries), and once Redis is back the federation finishes as if nothing happened:
 * every round counted once, the simulator's tables bit for bit. Two gateways in this process.
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { FederatedSimulation, type SessionSocket } from "@fedrec/common";
import type { ClientSocket } from "../headless/client-socket.ts";
import { heldRoundStarts } from "../testing/held-round-starts.ts";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { freePort } from "../testing/free-port.ts";
import { CODE, JOIN_TOKEN, testWorld, waitUntil } from "../testing/live-federation.ts";
import { redisServerPath } from "../testing/redis-server.ts";
import { startLedCluster, startTestCluster, storedRounds } from "../testing/test-cluster.ts";
import { loadFederation } from "./redis-federation-store.ts";

const USERS = 8;
const ROUNDS = 4;
const OUTAGE_ROUND = 2;

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(missing !== null)(`a Redis outage${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("gateways refuse what they cannot persist and resume when Redis returns; nothing accepted is lost, no round counted twice", async () => {
    const world = await testWorld(USERS, { rounds: ROUNDS, roundDeadlineSeconds: 600 });
    const { redis, cluster } = await startLedCluster(world, cleanups);
    const { nodes, logs, status } = cluster;

    // The last client holds its upload of the outage round until Redis is down.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const wrapSocket = (socket: ClientSocket, user: number): SessionSocket =>
      user !== USERS - 1 ? socket : heldRoundStarts(socket, (round) => (round === OUTAGE_ROUND ? held : undefined));
    const refusals: string[] = [];
    // Users 0–3 at the first gateway, 4–7 at the second (joined in user order: slot = user, as in the simulator).
    for (const [i, users] of [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ].entries()) {
      const fleet = new HeadlessFleet({
        url: nodes[i]!.url,
        code: CODE,
        token: JOIN_TOKEN,
        ...world,
        users,
        wrapSocket,
        onError: (_user, error) => refusals.push(error.code),
      });
      cleanups.push(() => fleet.close());
      await fleet.connect();
    }
    await waitUntil(
      () => status()?.round?.round === OUTAGE_ROUND && status()!.round!.uploaded === USERS - 1,
      30_000,
      "the outage round",
    );

    await redis.kill();
    release(); // the last upload now meets a gateway without Redis
    await waitUntil(() => refusals.includes("unavailable"), 10_000, "the upload refused as unavailable");
    expect(logs.some((l) => l.includes("unreachable") && l.includes('refused as "unavailable"'))).toBe(true);
    await waitUntil(() => status() === null, 10_000, "the leader to step down without Redis");

    await redis.start();
    await waitUntil(() => status()?.phase === "finished", 30_000, "all rounds after Redis returned");
    expect(logs.some((l) => l.includes("reachable again"))).toBe(true);

    const reader = new Redis(redis.url);
    cleanups.push(() => void reader.disconnect());
    await storedRounds(reader, CODE, ROUNDS);
    const stored = await loadFederation(reader, CODE);
    expect(stored.history.map((h) => [h.round, h.aggregated])).toEqual([...Array(ROUNDS).keys()].map((r) => [r + 1, USERS]));
    const simulation = FederatedSimulation.inProcess(world.config, world.dataset, world.profiles, () => 0);
    for (let r = 0; r < ROUNDS; r++) await simulation.runRound();
    expect(stored.checkpoint!.tables.global).toEqual(simulation.globalTable);
    expect(stored.history.map((h) => h.loss)).toEqual(simulation.rounds.map((r) => r.loss));
  }, 90_000);

  it("a gateway started while Redis is unreachable refuses to start and says why", async () => {
    const world = await testWorld(2);
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    await expect(startTestCluster(world, nobody, 1)).rejects.toThrow(
      `cannot reach Redis at ${nobody} (connect ECONNREFUSED 127.0.0.1:${nobody.split(":").at(-1)}); start redis-server or check --redis`,
    );
  });
});
