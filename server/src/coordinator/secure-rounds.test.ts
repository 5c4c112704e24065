/**
 * Secure aggregation in a live federation over sockets on 127.0.0.1: headless clients run the
 * protocol's phases with the coordinator, no upload carries an item row, and the global table is
 * the in-process simulator's (which runs the same protocol in one process); clients that vanish
 * between phases leave a round that still completes, with their masks removed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  FederatedSimulation,
  LocalClients,
  SECAGG_CLIENT_EVENTS,
  SECAGG_SERVER_EVENTS,
  materialise,
  roundGraph,
  strategyOptions,
  type SessionSocket,
} from "@fedrec/common";
import type { ClientSocket } from "../headless/client-socket.ts";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { freePort } from "../testing/free-port.ts";
import { RawClient } from "../testing/raw-client.ts";
import type { Coordinator } from "./coordinator.ts";
import { CODE, JOIN_TOKEN, startTestCoordinator, testWorld, waitUntil, type TestWorld } from "../testing/live-federation.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SECURE = { secureAggregation: true, distribution: "global", globalUpdate: "mean" } as const;

/** The client's socket, `event` dropped whenever `drop()` (which may act, e.g. disconnect) says so. */
function dropping(socket: ClientSocket, event: string, drop: () => boolean): SessionSocket {
  return {
    get connected() {
      return socket.connected;
    },
    disconnect: () => socket.disconnect(),
    timeout: (ms) => socket.timeout(ms),
    on: (name, listener) =>
      socket.on(name, (...args: unknown[]) => {
        if (name === event && drop()) return;
        (listener as (...a: unknown[]) => void)(...args);
      }),
  };
}

/** The client's socket, closed for good when `event` arrives (the event is never seen). */
const vanishingAt = (socket: ClientSocket, event: string) => dropping(socket, event, () => (socket.disconnect(), true));

/**
 * Round 1's table when every user uploads θ_user but only `summed` users' changes are in the sum:
 * T + Σ_summed c_j (A_j − T) · Σ_all c / Σ_summed c (`mean` rescaled), with each client's
 * training replayed by the simulator's clients (the very code the headless clients run).
 */
async function rescaledRound(world: TestWorld, table: Float32Array, summed: readonly number[]): Promise<Float32Array> {
  const users = [...world.dataset.users.keys()];
  const reports = await new LocalClients(world.config, world.dataset, world.profiles, () => 0).runRound(
    users.map((client) => ({ client, table })),
  );
  const itemDim = world.config.itemDim;
  const results = reports.map(({ client, upload }) => ({
    client,
    userWeights: upload.userWeights,
    items: { base: table, rows: upload.rows, values: upload.values },
    numExamples: upload.numExamples,
  }));
  const { coefficients } = roundGraph(strategyOptions(world.config), results, itemDim, world.dataset.numItems, undefined);
  let total = 0;
  let kept = 0;
  const delta = new Float64Array(table.length);
  results.forEach((r, j) => {
    const c = coefficients![j]!;
    total += c;
    if (!summed.includes(r.client)) return;
    kept += c;
    const trained = materialise(r.items, itemDim);
    for (let k = 0; k < table.length; k++) delta[k] += c * (trained[k]! - table[k]!);
  });
  return Float32Array.from(table, (t, k) => total * t + (delta[k]! * total) / kept);
}

describe("secure aggregation over sockets", () => {
  it("8 clients in two sessions run 2 rounds: no item rows go up, and the table is the simulator's", async () => {
    const world = await testWorld(8, { ...SECURE, rounds: 2, secureAggregationGroupSize: 6 });
    const coordinator = await startTestCoordinator(world);
    cleanups.push(() => coordinator.close());
    const errors: string[] = [];
    const fleet = new HeadlessFleet({
      url: coordinator.url,
      code: CODE,
      token: JOIN_TOKEN,
      ...world,
      users: [...Array(8).keys()],
      onError: (user, error) => errors.push(`${user}: ${error.code} ${error.message}`),
    });
    cleanups.push(() => fleet.close());
    await fleet.connect();
    const federation = coordinator.find(CODE)!;
    await waitUntil(() => federation.phase === "finished", 60_000, "2 secure rounds");
    expect(errors).toEqual([]); // an upload with rows would have been refused (round-machine-secure.test.ts)
    for (const h of federation.history) {
      expect(h).toMatchObject({ aggregated: 8, secureAggregation: { sessions: 2, failed: 0, summed: 8, attempts: 1 } });
    }
    const simulation = FederatedSimulation.inProcess(world.config, world.dataset, world.profiles, () => 0);
    for (let r = 0; r < 2; r++) await simulation.runRound();
    expect(federation.checkpoint().tables.global).toEqual(simulation.globalTable);
    expect(federation.history.map((h) => h.metrics.val.hr10)).toEqual(simulation.rounds.map((r) => r.val.hr10));
  });

  it("clients that vanish after their keys, after sharing them and after their upload leave a round that completes", async () => {
    // One session of 10 (t = 7): U1 = 10, U2 = 9, U3 = 7.
    const world = await testWorld(10, { ...SECURE, rounds: 1, secureAggregationGroupSize: 10, roundDeadlineSeconds: 5 });
    const coordinator = await startTestCoordinator(world);
    cleanups.push(() => coordinator.close());
    const vanishAt = new Map([
      [7, SECAGG_SERVER_EVENTS.roster],
      [8, SECAGG_SERVER_EVENTS.delivery],
      [9, SECAGG_SERVER_EVENTS.weight],
    ]);
    const fleet = new HeadlessFleet({
      url: coordinator.url,
      code: CODE,
      token: JOIN_TOKEN,
      ...world,
      users: [...Array(10).keys()],
      wrapSocket: (socket, user) => (vanishAt.has(user) ? vanishingAt(socket, vanishAt.get(user)!) : socket),
    });
    cleanups.push(() => fleet.close());
    await fleet.connect();
    const federation = coordinator.find(CODE)!;
    const initial = federation.checkpoint().tables.global.slice();
    await waitUntil(() => federation.phase === "finished", 30_000, "the round with dropouts");
    const [round] = federation.history;
    // All ten uploaded θ_user before vanishing (the graph has them); the sum has the seven that stayed.
    expect(round).toMatchObject({ aggregated: 10, secureAggregation: { sessions: 1, failed: 0, summed: 7, attempts: 1 } });
    const table = federation.checkpoint().tables.global;
    const expected = await rescaledRound(world, initial, [0, 1, 2, 3, 4, 5, 6]);
    let worst = 0;
    let moved = 0;
    for (let k = 0; k < table.length; k++) {
      worst = Math.max(worst, Math.abs(table[k]! - expected[k]!));
      moved = Math.max(moved, Math.abs(table[k]! - initial[k]!));
    }
    expect(worst).toBeLessThan(1e-6); // the dropped clients' masks are all removed, their changes made up by rescaling
    expect(moved).toBeGreaterThan(1e-3);
  });

  it("a coordinator restarted while its sessions wait for masked inputs redoes the round from the journal, with the simulator's table", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fedrec-secure-restart-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const database = join(dir, "coordinator.sqlite");
    const port = await freePort();
    const world = await testWorld(6, { ...SECURE, rounds: 1, secureAggregationGroupSize: 6 });
    let first: Coordinator | null = await startTestCoordinator(world, { port, database });
    cleanups.push(async () => void (await first?.close()));
    // Until the restart no client sees its weight, so every session waits in its masked-input phase.
    let holdWeights = true;
    let heldWeights = 0;
    const fleet = new HeadlessFleet({
      url: first.url,
      code: CODE,
      token: JOIN_TOKEN,
      ...world,
      users: [...Array(6).keys()],
      wrapSocket: (socket) =>
        dropping(socket, SECAGG_SERVER_EVENTS.weight, () => {
          if (holdWeights) heldWeights++;
          return holdWeights;
        }),
    });
    cleanups.push(() => fleet.close());
    await fleet.connect();
    await waitUntil(() => heldWeights === 6, 30_000, "every weight held");
    expect(first.find(CODE)!.status().round).toMatchObject({ round: 1, uploaded: 6 });
    await first.close();
    first = null;
    holdWeights = false;
    const second = await startTestCoordinator(world, { port, database });
    cleanups.push(() => second.close());
    const federation = second.find(CODE)!;
    await waitUntil(() => federation.phase === "finished", 60_000, "the round redone after the restart");
    expect(federation.history[0]).toMatchObject({
      aggregated: 6,
      secureAggregation: { sessions: 1, failed: 0, summed: 6, attempts: 1 },
    });
    const simulation = FederatedSimulation.inProcess(world.config, world.dataset, world.profiles, () => 0);
    await simulation.runRound();
    expect(federation.checkpoint().tables.global).toEqual(simulation.globalTable);
  });

  it("answers hostile secagg frames with errors, changes nothing, and the round completes without their sender", async () => {
    const world = await testWorld(4, { ...SECURE, rounds: 1, secureAggregationGroupSize: 6, roundDeadlineSeconds: 3 });
    const coordinator = await startTestCoordinator(world);
    cleanups.push(() => coordinator.close());
    const raw = await new RawClient(coordinator.url).connected();
    cleanups.push(() => raw.close());
    const keys = (session: string, client: number, bytes = new Uint8Array(64)) => ({
      round: 1,
      session,
      body: { client, encryptionKey: { $bytes: [0, 32] }, maskKey: { $bytes: [32, 32] } },
      bytes,
    });
    expect(await raw.request(SECAGG_CLIENT_EVENTS.keys, keys("s", 0))).toMatchObject({ code: "not-joined" });
    const { numItems } = world.dataset;
    const profileDim = world.profiles[0]!.length;
    expect(await raw.join({ code: CODE, token: JOIN_TOKEN, clientId: "raw-client-1", numItems, profileDim })).toMatchObject({
      clientId: "raw-client-1",
    });
    // The raw client joined first: slot 0 of the round's one session.
    const fleet = new HeadlessFleet({ url: coordinator.url, code: CODE, token: JOIN_TOKEN, ...world, users: [0, 1, 2] });
    cleanups.push(() => fleet.close());
    await fleet.connect();
    const { secure } = await raw.roundStart(1);
    expect(secure).toMatchObject({ client: 0 });
    const session = secure!.session;
    const refusals = [
      await raw.request(SECAGG_CLIENT_EVENTS.keys, { ...keys(session, 0), round: "one" }),
      await raw.request(SECAGG_CLIENT_EVENTS.keys, keys(session, 0, new Uint8Array(40))),
      await raw.request(SECAGG_CLIENT_EVENTS.keys, keys(`${session}x`, 0)),
      await raw.request(SECAGG_CLIENT_EVENTS.keys, keys(session, 1)),
      await raw.request(SECAGG_CLIENT_EVENTS.masked, keys(session, 0)),
    ];
    expect(refusals.map((r) => (r as { code: string }).code)).toEqual([
      "malformed",
      "malformed",
      "wrong-round",
      "unknown-client",
      "wrong-round",
    ]);
    expect((refusals[1] as { message: string }).message).toMatch(/\[32,32\] is not \[offset, length\] within the 40 bytes sent/);
    const federation = coordinator.find(CODE)!;
    await waitUntil(() => federation.phase === "finished", 30_000, "the round without the raw client");
    expect(federation.history[0]).toMatchObject({ aggregated: 3, secureAggregation: { summed: 3, failed: 0 } });
  });
});
