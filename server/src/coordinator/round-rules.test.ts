/**
 * The coordinator's shell over real sockets: its timer enforcing a deadline, uploads answered with
 * the round machine's verdicts, tokens, status endpoints and the admin namespace. Hand-driven
 * RawClients make the situations happen on purpose. The round rules themselves (deadline, quorum,
 * top-up, late joiners, reconnects, stale and duplicate uploads) are tested on a fake clock in
 * common/src/federation/round-machine*.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  CODE,
  JOIN_TOKEN,
  startTestCoordinator,
  testWorld,
  waitUntil,
  type TestWorld,
} from "../testing/live-federation.ts";
import { RawClient, zeroUpload } from "../testing/raw-client.ts";
import { toWire, uploadedUserWeightsLength } from "@fedrec/common";
import type { Coordinator } from "./coordinator.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PROFILE_DIM = 32;

async function setUp(overrides: object): Promise<{ world: TestWorld; coordinator: Coordinator }> {
  const world = await testWorld(4, overrides, 40);
  const coordinator = await startTestCoordinator(world);
  cleanups.push(() => coordinator.close());
  return { world, coordinator };
}

async function joined(
  coordinator: Coordinator,
  world: TestWorld,
  clientId: string,
): Promise<{ client: RawClient; secret: string }> {
  const client = await new RawClient(coordinator.url).connected();
  cleanups.push(() => client.close());
  const welcome = (await client.join({
    code: CODE,
    token: JOIN_TOKEN,
    clientId,
    numItems: world.dataset.numItems,
    profileDim: PROFILE_DIM,
  })) as { secret: string };
  expect(welcome.secret).toMatch(/^[A-Za-z0-9_-]{8,}$/);
  return { client, secret: welcome.secret };
}

const userWeights = (world: TestWorld) => uploadedUserWeightsLength(world.config, PROFILE_DIM);

describe("rounds over sockets", () => {
  it("the coordinator's timer enforces the deadline: a client that drops mid-round does not block the round", async () => {
    const { world, coordinator } = await setUp({ minClientsToStart: 3, roundDeadlineSeconds: 0.5, quorum: 0.6, rounds: 1 });
    const clients = await Promise.all(["client-aaaa", "client-bbbb", "client-cccc"].map((id) => joined(coordinator, world, id)));
    const starts = await Promise.all(clients.map(({ client }) => client.roundStart(1)));
    expect(starts.map((s) => s.round)).toEqual([1, 1, 1]);
    clients[2]!.client.close(); // drops without uploading
    for (const [i, { client }] of clients.slice(0, 2).entries()) {
      const reply = await client.request(
        "upload",
        zeroUpload(1, `client-${"ab"[i]!.repeat(4)}`, userWeights(world), [0, 5], world.config.itemDim),
      );
      expect(reply).toEqual({ ok: true, round: 1 });
    }
    const federation = coordinator.find(CODE)!;
    expect(federation.status().round?.uploaded).toBe(2); // still open: the third may come back
    await waitUntil(() => federation.history.length === 1, 5000, "the deadline");
    expect(federation.history[0]).toMatchObject({ round: 1, sampled: 3, aggregated: 2 });
  });

  it("a client claiming 10⁸ interactions gets the FedAvg weight of the catalogue size (40), no more", async () => {
    const { world, coordinator } = await setUp({
      minClientsToStart: 2,
      rounds: 2,
      globalUpdate: "fedavg",
      serverOptimizer: "sgd",
      serverLearningRate: 1,
      roundDeadlineSeconds: 30,
    });
    const [honest, liar] = await Promise.all(["client-aaaa", "client-bbbb"].map((id) => joined(coordinator, world, id)));
    await Promise.all([honest!.client.roundStart(1), liar!.client.roundStart(1)]);
    const federation = coordinator.find(CODE)!;
    const itemDim = world.config.itemDim;
    const sent = federation.checkpoint().tables.global.slice();
    // Each moves one row by +41 in every entry: the honest client row 0 (n = 1), the liar row 1 (n = 10⁸).
    const moved = (row: number) => Float32Array.from({ length: itemDim }, (_, d) => sent[row * itemDim + d]! + 41);
    const upload = (clientId: string, row: number, numExamples: number) => ({
      ...zeroUpload(1, clientId, userWeights(world), [row], itemDim),
      values: toWire(moved(row)),
      numExamples,
    });
    expect(await honest!.client.request("upload", upload("client-aaaa", 0, 1))).toEqual({ ok: true, round: 1 });
    expect(await liar!.client.request("upload", upload("client-bbbb", 1, 1e8))).toEqual({ ok: true, round: 1 });
    await waitUntil(() => federation.history.length === 1, 5000, "round 1 to aggregate");
    // Weights 1/41 and 40/41 (10⁸ capped at the 40 items): row 0 moves by 1, row 1 by 40.
    const global = federation.checkpoint().tables.global;
    for (let d = 0; d < itemDim; d++) {
      expect(global[d]! - sent[d]!).toBeCloseTo(1, 4);
      expect(global[itemDim + d]! - sent[itemDim + d]!).toBeCloseTo(40, 4);
    }
  });

  it("answers uploads with the round machine's verdicts and counts the rejections in the federation's status", async () => {
    const { world, coordinator } = await setUp({ minClientsToStart: 2, fractionTrain: 1, rounds: 3 });
    const a = await joined(coordinator, world, "client-aaaa");
    const b = await joined(coordinator, world, "client-bbbb");
    await Promise.all([a.client.roundStart(1), b.client.roundStart(1)]);
    const upload = (round: number, id: string, rows = [3]) =>
      zeroUpload(round, id, userWeights(world), rows, world.config.itemDim);
    expect(await a.client.request("upload", upload(3, "client-aaaa"))).toMatchObject({ ok: false, code: "wrong-round" });
    expect(await a.client.request("upload", upload(1, "client-aaaa"))).toEqual({ ok: true, round: 1 });
    // The retry of an accepted upload is answered as accepted, a different one refused.
    expect(await a.client.request("upload", upload(1, "client-aaaa"))).toEqual({ ok: true, round: 1 });
    expect(await a.client.request("upload", upload(1, "client-aaaa", [4]))).toMatchObject({ ok: false, code: "duplicate" });
    expect(await b.client.request("upload", upload(1, "client-bbbb"))).toEqual({ ok: true, round: 1 });
    const federation = coordinator.find(CODE)!;
    await waitUntil(() => federation.history.length === 1, 5000, "round 1 to close with both uploads");
    const late = (await b.client.request("upload", upload(1, "client-bbbb"))) as { ok: boolean; code: string; message: string };
    expect(late).toMatchObject({ ok: false, code: "stale-round" });
    expect(late.message).toMatch(/round 1 is closed/);
    expect(federation.status().rejected).toEqual({ "wrong-round": 1, duplicate: 1, "stale-round": 1 });
    expect(federation.history[0]).toMatchObject({
      round: 1,
      sampled: 2,
      aggregated: 2,
      rejected: { "wrong-round": 1, duplicate: 1 },
    });
  });
});

describe("tokens", () => {
  it("refuse a wrong join token, a stolen client id, an upload in another client's name, and admin actions without the admin token", async () => {
    const { world, coordinator } = await setUp({ minClientsToStart: 2, rounds: 2 });
    const join = { code: CODE, clientId: "client-xxxx", numItems: world.dataset.numItems, profileDim: PROFILE_DIM };
    const stranger = await new RawClient(coordinator.url).connected();
    cleanups.push(() => stranger.close());
    expect(await stranger.join({ ...join, token: "not-the-join-token" })).toMatchObject({ ok: false, code: "bad-token" });
    expect(await stranger.join({ ...join, token: JOIN_TOKEN, code: "NOSUCH" })).toMatchObject({
      ok: false,
      code: "unknown-federation",
    });
    expect(await stranger.join({ ...join, token: JOIN_TOKEN, numItems: 7 })).toMatchObject({
      ok: false,
      code: "catalogue-mismatch",
    });
    expect(await stranger.request("upload", zeroUpload(1, "client-xxxx", 1, [], 1))).toMatchObject({
      ok: false,
      code: "not-joined",
    });

    const victim = await joined(coordinator, world, "client-vvvv");
    const thief = await joined(coordinator, world, "client-tttt");
    // Joining under the victim's id needs the victim's secret.
    const other = await new RawClient(coordinator.url).connected();
    cleanups.push(() => other.close());
    expect(await other.join({ ...join, token: JOIN_TOKEN, clientId: "client-vvvv" })).toMatchObject({
      ok: false,
      code: "bad-token",
    });
    expect(await other.join({ ...join, token: JOIN_TOKEN, clientId: "client-vvvv", secret: "guessed-secret-123" })).toMatchObject(
      {
        ok: false,
        code: "bad-token",
      },
    );
    await thief.client.roundStart(1);
    const forged = zeroUpload(1, "client-vvvv", userWeights(world), [0], world.config.itemDim);
    expect(await thief.client.request("upload", forged)).toMatchObject({ ok: false, code: "unknown-client" });
    expect(coordinator.find(CODE)!.status().round?.uploaded).toBe(0);
    // The victim, with its secret, can come back on a new connection (and the old one is replaced).
    const back = await new RawClient(coordinator.url).connected();
    cleanups.push(() => back.close());
    expect(await back.join({ ...join, token: JOIN_TOKEN, clientId: "client-vvvv", secret: victim.secret })).toMatchObject({
      clientId: "client-vvvv",
    });
    await waitUntil(() => !victim.client.socket.connected, 2000, "the replaced connection to close");

    // Admin HTTP endpoints and the admin namespace need the admin token.
    const control = (token: string | null) =>
      fetch(`${coordinator.url}/api/federations/${CODE}/control`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ action: "pause" }),
      });
    expect((await control(null)).status).toBe(401);
    expect((await control(JOIN_TOKEN)).status).toBe(401);
    expect(coordinator.find(CODE)!.phase).not.toBe("paused");
    expect((await control(ADMIN_TOKEN)).status).toBe(200);
    expect(coordinator.find(CODE)!.phase).toBe("paused");
    const rounds = await fetch(`${coordinator.url}/api/federations/${CODE}/rounds`, {
      headers: { authorization: `Bearer ${JOIN_TOKEN}` },
    });
    expect(rounds.status).toBe(401);

    const { io } = await import("socket.io-client");
    const admin = io(`${coordinator.url}/admin`, {
      auth: { code: CODE, token: JOIN_TOKEN },
      transports: ["websocket"],
      forceNew: true,
    });
    cleanups.push(() => void admin.disconnect());
    const refused = await new Promise<Error>((resolve) => admin.once("connect_error", resolve));
    expect(refused.message).toMatch(/bad-token/);
  });
});

describe("status endpoints and the admin namespace", () => {
  it("report phase, clients and rounds; the admin socket gets status and round summaries and can steer", async () => {
    const { world, coordinator } = await setUp({ minClientsToStart: 1, rounds: 2 });
    expect(await (await fetch(`${coordinator.url}/healthz`)).json()).toMatchObject({ ok: true });
    const { io } = await import("socket.io-client");
    const admin = io(`${coordinator.url}/admin`, {
      auth: { code: CODE, token: ADMIN_TOKEN },
      transports: ["websocket"],
      forceNew: true,
    });
    cleanups.push(() => void admin.disconnect());
    const statuses: { phase: string; completedRounds: number }[] = [];
    const summaries: { round: number }[] = [];
    admin.on("status", (s: { phase: string; completedRounds: number }) => statuses.push(s));
    admin.on("round:end", (s: { round: number }) => summaries.push(s));
    await waitUntil(() => statuses.length > 0, 2000, "the first status");
    expect(await admin.timeout(2000).emitWithAck("control", { action: "pause" })).toMatchObject({
      ok: true,
      status: { phase: "paused" },
    });
    expect(await admin.timeout(2000).emitWithAck("control", { settings: { rounds: 1 } })).toMatchObject({
      ok: true,
      config: { rounds: 1 },
    });
    expect(await admin.timeout(2000).emitWithAck("control", { settings: { seed: 3 } })).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(await admin.timeout(2000).emitWithAck("control", { action: "dance" })).toMatchObject({ ok: false });

    const a = await joined(coordinator, world, "client-aaaa");
    const status = async () =>
      (
        (await (await fetch(`${coordinator.url}/api/status?code=${CODE}`)).json()) as {
          federations: { phase: string; clients: object; round: unknown }[];
        }
      ).federations[0]!;
    expect(await status()).toMatchObject({ phase: "paused", clients: { registered: 1, connected: 1 }, round: null });
    expect((await fetch(`${coordinator.url}/api/status?code=NOPE`)).status).toBe(404);
    await admin.timeout(2000).emitWithAck("control", { action: "start" });
    await a.client.roundStart(1);
    expect(await status()).toMatchObject({ phase: "training", round: { round: 1, participants: 1, uploaded: 0 } });
    await a.client.request("upload", zeroUpload(1, "client-aaaa", userWeights(world), [0], world.config.itemDim));
    await waitUntil(() => summaries.length === 1 && statuses.at(-1)?.phase === "finished", 3000, "round 1 and the finish");
    expect(summaries[0]).toMatchObject({ round: 1, sampled: 1, aggregated: 1 });
    const rounds = await fetch(`${coordinator.url}/api/federations/${CODE}/rounds`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await rounds.json()) as { rounds: unknown[] }).rounds).toHaveLength(1);
    const graph = await fetch(`${coordinator.url}/api/federations/${CODE}/graph`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(await graph.json()).toEqual({ participants: ["client-aaaa"], edges: [[0, 0, 1]] });
  });
});
