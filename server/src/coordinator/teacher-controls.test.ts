/**
 * The teacher's controls over real sockets, with headless clients running the browser's session
 * code: "step" runs one round and pauses; kicking a client closes its connection, takes it out of
 * the open round and refuses its return; "reset" starts over with the same clients — rounds,
 * metrics and best round gone, the starting table back — and the clients train again from round 1.
 */
import { afterEach, describe, expect, it } from "vitest";
import { initialModel, modelDimensions } from "@fedrec/common";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { CODE, JOIN_TOKEN, startTestCoordinator, testWorld, waitUntil } from "../testing/live-federation.ts";
import { RawClient } from "../testing/raw-client.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(users: number, overrides: object) {
  const world = await testWorld(users, { minClientsToStart: users, ...overrides }, 60);
  const coordinator = await startTestCoordinator(world);
  cleanups.push(() => coordinator.close());
  const federation = coordinator.find(CODE)!;
  federation.control("pause"); // the teacher starts
  const errors: string[] = [];
  const fleet = new HeadlessFleet({
    url: coordinator.url,
    code: CODE,
    token: JOIN_TOKEN,
    ...world,
    users: [...Array(users).keys()],
    onError: (user, e) => errors.push(`${user}:${e.code}`),
  });
  cleanups.push(() => fleet.close());
  await fleet.connect();
  await waitUntil(() => federation.status().clients.connected === users, 5000, "every client connected");
  const control = (payload: object) => coordinator.control(CODE, payload) as { ok: boolean; code?: string };
  return { world, coordinator, federation, fleet, errors, control };
}

describe("the teacher's controls", () => {
  it("step runs exactly one round and pauses; start then runs to the end", async () => {
    const { federation, control } = await setUp(3, { rounds: 4 });
    expect(control({ action: "step" })).toMatchObject({ ok: true });
    await waitUntil(() => federation.completedRounds === 1 && federation.phase === "paused", 10_000, "one round, paused");
    await new Promise((resolve) => setTimeout(resolve, 300)); // several ticks: no second round opens
    expect(federation.completedRounds).toBe(1);
    expect(federation.status().round).toBeNull();
    control({ action: "step" });
    await waitUntil(() => federation.completedRounds === 2 && federation.phase === "paused", 10_000, "round 2, paused");
    control({ action: "start" });
    await waitUntil(() => federation.phase === "finished", 10_000, "the remaining rounds");
    expect(federation.history.map((h) => [h.round, h.aggregated])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
      [4, 3],
    ]);
  });

  it("a kicked client is disconnected, leaves the open round, and cannot join again", async () => {
    const { world, coordinator, federation, fleet, errors, control } = await setUp(3, { rounds: 3, roundDeadlineSeconds: 30 });
    const victim = fleet.sessions[2]!.clientId;
    expect(control({ kick: "client-nobody" })).toMatchObject({ ok: false, code: "unknown-client" });
    expect(control({ kick: victim })).toMatchObject({ ok: true });
    await waitUntil(() => errors.includes("2:kicked"), 5000, "the kicked client told why");
    expect(federation.clientStates().find((c) => c.clientId === victim)).toMatchObject({ connected: false, state: "offline" });
    control({ action: "start" });
    // With 3 connected clients needed to start, the rule is relaxed by the teacher, as in a lesson.
    control({ settings: { minClientsToStart: 2 } });
    await waitUntil(() => federation.phase === "finished", 15_000, "3 rounds without the kicked client");
    expect(federation.history.every((h) => h.aggregated === 2)).toBe(true);
    const raw = await new RawClient(coordinator.url).connected();
    cleanups.push(() => raw.close());
    const again = await raw.join({
      code: CODE,
      token: JOIN_TOKEN,
      clientId: victim,
      numItems: world.dataset.numItems,
      profileDim: world.encoder.dimension,
    });
    expect(again).toMatchObject({ ok: false, code: "kicked" });
  });

  it("reset keeps the clients, drops rounds, metrics and best round, restores the starting table, and the clients train again from round 1", async () => {
    const { world, federation, fleet, control } = await setUp(3, { rounds: 2 });
    control({ action: "start" });
    await waitUntil(() => federation.phase === "finished", 10_000, "2 rounds");
    await waitUntil(() => fleet.sessions.every((s) => s.bestRound !== null), 5000, "the finish at every client");
    expect(federation.best).not.toBeNull();

    expect(control({ action: "reset" })).toMatchObject({ ok: true });
    const dims = modelDimensions(world.config, world.encoder.dimension, world.dataset.numItems);
    expect(federation.status()).toMatchObject({ phase: "paused", completedRounds: 0, lastRound: null, best: null, round: null });
    expect(federation.history).toEqual([]);
    expect(federation.checkpoint().tables.global).toEqual(initialModel(world.config, dims).itemTable);
    expect(federation.clientStates()).toHaveLength(3);
    await waitUntil(() => fleet.sessions.every((s) => s.bestRound === null), 5000, "every client starts over");

    control({ action: "start" });
    await waitUntil(() => federation.phase === "finished", 10_000, "2 rounds again");
    expect(federation.history.map((h) => [h.round, h.aggregated])).toEqual([
      [1, 3],
      [2, 3],
    ]);
    await waitUntil(() => fleet.sessions.every((s) => s.bestRound !== null), 5000, "the new finish at every client");
  });
});
