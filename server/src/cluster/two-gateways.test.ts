/**
 * Two gateway processes (`npm start -- --redis …`) share one federation through a real
 * redis-server, behind a round-robin TCP balancer; headless clients are split across them. The
 * aggregation leader is killed with SIGKILL while a round is open with all uploads but one
 * accepted: the other gateway takes the lease, restores the round with those uploads, the killed
 * gateway's clients reconnect through the balancer, and the run finishes exactly as the
 * in-process simulator (bit for bit). Needs Debian's redis-server (.ci/run installs it).
 */
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { bagOfWordsEncoder } from "@fedrec/common/testing";
import {
  DEFAULT_CONFIG,
  FederatedSimulation,
  generateSyntheticDataset,
  resolveConfig,
  type FederationStatus,
  type SessionSocket,
} from "@fedrec/common";
import type { ClientSocket } from "../headless/client-socket.ts";
import { heldRoundStarts } from "../testing/held-round-starts.ts";
import { miniLmIdentity } from "../encoder/model-identity.ts";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { createWasmGramKernel } from "../kernels/wasm-gram.ts";
import { spawnCoordinatorCli } from "../testing/coordinator-cli.ts";
import { freePort } from "../testing/free-port.ts";
import { waitUntil } from "../testing/live-federation.ts";
import { redisServerPath, startTestRedis } from "../testing/redis-server.ts";
import { startTcpBalancer } from "../testing/tcp-balancer.ts";
import { storedRounds } from "../testing/test-cluster.ts";
import { loadFederation } from "./redis-federation-store.ts";
import { federationKeys } from "./redis-keys.ts";

const CODE = "REDIS1";
const JOIN = "redis-join-token";
const ADMIN = "redis-admin-token";
const USERS = 16;
const ITEMS = 200;
const ROUNDS = 5;
/** The round in which the leader is killed. */
const KILL_ROUND = 3;
const SETTINGS = { rounds: ROUNDS, minClientsToStart: USERS, roundDeadlineSeconds: 600 };
const CLI_FEDERATION = { code: CODE, joinToken: JOIN, adminToken: ADMIN, users: USERS, items: ITEMS, settings: SETTINGS };

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startGateway(port: number, redisUrl: string): ChildProcess {
  return spawnCoordinatorCli(port, ["--redis", redisUrl], CLI_FEDERATION);
}

interface ClusterView {
  readonly leader: boolean;
  readonly connections: number;
  readonly federations: FederationStatus[];
}

async function clusterView(port: number): Promise<ClusterView | null> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/api/cluster`)).json()) as ClusterView;
  } catch {
    return null; // not up (yet), or killed
  }
}

describe.skipIf(missing !== null)(`two gateways and Redis${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("the leader is killed mid-round: the other gateway takes over, its clients move, nothing accepted is lost, the result equals the simulator's", async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.close());
    const ports = [await freePort(), await freePort()];
    const gateways = new Map<number, ChildProcess>();
    cleanups.push(() => gateways.forEach((child) => child.kill("SIGKILL")));
    const views = new Map<number, ClusterView | null>();
    const poll = setInterval(() => ports.forEach((p) => void clusterView(p).then((v) => views.set(p, v))), 20);
    cleanups.push(() => clearInterval(poll));
    const leaderStatus = () => {
      const leaders = ports.filter((p) => gateways.has(p) && views.get(p)?.leader);
      return leaders.length === 1 ? { port: leaders[0]!, status: views.get(leaders[0]!)!.federations[0] ?? null } : null;
    };
    const until = (predicate: (s: FederationStatus) => boolean, what: string) =>
      waitUntil(
        () => {
          const s = leaderStatus()?.status;
          return s !== null && s !== undefined && predicate(s);
        },
        60_000,
        what,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}; views ${JSON.stringify([...views.values()].map((v) => v && { ...v, federations: v.federations.map((f) => ({ phase: f.phase, completedRounds: f.completedRounds })) }))}`,
        );
      });

    // The first gateway creates the federation in Redis; the second finds it there.
    for (const port of ports) {
      gateways.set(port, startGateway(port, redis.url));
      await waitUntil(() => views.get(port) !== null && views.get(port) !== undefined, 60_000, `the gateway on port ${port}`);
    }
    await until((s) => s.phase === "waiting", "a leader");
    const balancer = await startTcpBalancer(ports);
    cleanups.push(() => balancer.close());

    const dataset = generateSyntheticDataset({ numUsers: USERS, numItems: ITEMS });
    const profiles = await bagOfWordsEncoder(384).encode(dataset.users.map((u) => u.profileText));
    // The last client is held back in the kill round, so the leader dies with all other uploads accepted.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const wrapSocket = (socket: ClientSocket, user: number): SessionSocket =>
      user !== USERS - 1 ? socket : heldRoundStarts(socket, (round) => (round === KILL_ROUND ? held : undefined));
    const fleet = new HeadlessFleet({
      url: balancer.url,
      code: CODE,
      token: JOIN,
      dataset,
      profiles,
      encoder: await miniLmIdentity("mean", "int8"),
      users: [...Array(USERS).keys()],
      wrapSocket,
    });
    cleanups.push(() => fleet.close());
    await fleet.connect();
    // The balancer split the clients across both gateways.
    await waitUntil(() => ports.every((p) => views.get(p)?.connections === USERS / 2), 10_000, "8 clients at each gateway");

    // Killed once every client but the held one has uploaded in the kill round and Redis holds
    // those uploads (the leader acknowledges an upload only after Redis confirmed it).
    await until(
      (s) => s.round?.round === KILL_ROUND && s.round.uploaded === USERS - 1,
      `${USERS - 1} uploads in round ${KILL_ROUND}`,
    );
    const reader = new Redis(redis.url);
    cleanups.push(() => void reader.disconnect());
    let confirmed = 0;
    const count = setInterval(() => void reader.hlen(federationKeys(CODE).uploads(KILL_ROUND)).then((n) => (confirmed = n)), 10);
    await waitUntil(() => confirmed === USERS - 1, 10_000, "the uploads confirmed by Redis").finally(() => clearInterval(count));
    expect(leaderStatus()!.status!.round!.round).toBe(KILL_ROUND);
    const killed = leaderStatus()!.port;
    const survivor = ports.find((p) => p !== killed)!;
    gateways.get(killed)!.kill("SIGKILL");
    gateways.delete(killed);
    // The survivor takes the lease and restores the open round with every acknowledged upload.
    await until((s) => s.round?.round === KILL_ROUND, "the survivor to lead");
    expect(leaderStatus()!.port).toBe(survivor);
    expect(leaderStatus()!.status!.round!.uploaded).toBe(USERS - 1);
    await waitUntil(() => views.get(survivor)?.connections === USERS, 30_000, "every client at the survivor");
    release();
    await until((s) => s.phase === "finished", "all rounds");

    await storedRounds(reader, CODE, ROUNDS);
    const stored = await loadFederation(reader, CODE);
    expect(stored.history.map((h) => [h.round, h.aggregated])).toEqual([...Array(ROUNDS).keys()].map((r) => [r + 1, USERS]));
    const config = resolveConfig(DEFAULT_CONFIG, SETTINGS);
    const simulation = FederatedSimulation.inProcess(config, dataset, profiles, () => 0, await createWasmGramKernel());
    for (let r = 0; r < ROUNDS; r++) await simulation.runRound();
    expect(stored.checkpoint!.tables.global).toEqual(simulation.globalTable);
    expect(stored.history.map((h) => h.loss)).toEqual(simulation.rounds.map((r) => r.loss));
    expect(stored.best!.round).toBe(simulation.best!.round);
    expect(stored.best!.tables.global).toEqual(simulation.best!.tables.global);
  }, 120_000);
});
