/**
 * Crash safety with a real process: the coordinator CLI is killed with SIGKILL and started again
 * on the same SQLite file. It resumes after the last completed round with an identical checkpoint,
 * the clients reconnect and continue, and the finished federation is exactly the uninterrupted one
 * (the in-process simulator's global table and best-validation table, bit for bit).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bagOfWordsEncoder } from "@fedrec/common/testing";
import { DEFAULT_CONFIG, FederatedSimulation, generateSyntheticDataset, resolveConfig, type SessionSocket } from "@fedrec/common";
import { miniLmIdentity } from "../encoder/model-identity.ts";
import type { ClientSocket } from "../headless/client-socket.ts";
import { heldRoundStarts } from "../testing/held-round-starts.ts";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { createWasmGramKernel } from "../kernels/wasm-gram.ts";
import { spawnCoordinatorCli } from "../testing/coordinator-cli.ts";
import { freePort } from "../testing/free-port.ts";
import { waitUntil } from "../testing/live-federation.ts";
import { SqliteStore } from "./sqlite-store.ts";

const CODE = "CRASH1";
const JOIN = "crash-join-token";
const ADMIN = "crash-admin-token";
const USERS = 16;
const ITEMS = 200;
const ROUNDS = 8;
const SETTINGS = { rounds: ROUNDS, minClientsToStart: USERS, roundDeadlineSeconds: 600 };
const CLI_FEDERATION = { code: CODE, joinToken: JOIN, adminToken: ADMIN, users: USERS, items: ITEMS, settings: SETTINGS };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startCoordinator(port: number, database: string): ChildProcess {
  return spawnCoordinatorCli(port, ["--db", database], CLI_FEDERATION);
}

interface Status {
  federations: {
    phase: string;
    completedRounds: number;
    round: { round: number; uploaded: number } | null;
    checkpointChecksum: string | null;
  }[];
}

async function status(url: string): Promise<Status["federations"][0] | null> {
  try {
    return ((await (await fetch(`${url}/api/status`)).json()) as Status).federations[0]!;
  } catch {
    return null; // not up (yet)
  }
}

describe("kill -9 and restart", () => {
  it("resumes after the last completed round with an identical checkpoint, and finishes as if never interrupted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fedrec-restart-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const database = join(dir, "coordinator.sqlite");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let child = startCoordinator(port, database);
    cleanups.push(() => void child.kill("SIGKILL"));
    let latest: Status["federations"][0] | null = null;
    let fleetRef: HeadlessFleet | null = null;
    // Each restart starts a new generation; an answer that left the old process is discarded.
    let generation = 0;
    const poll = setInterval(() => {
      const asked = generation;
      void status(url).then((s) => {
        if (asked === generation) latest = s;
      });
    }, 15);
    cleanups.push(() => clearInterval(poll));
    const until = (predicate: (s: NonNullable<typeof latest>) => boolean, what: string) =>
      waitUntil(() => latest !== null && predicate(latest), 60_000, what).catch((e: Error) => {
        throw new Error(`${e.message}; last status ${JSON.stringify(latest)}; fleet ${JSON.stringify(fleetRef?.progress())}`);
      });
    await until((s) => s.phase === "waiting", "the coordinator to start");

    const dataset = generateSyntheticDataset({ numUsers: USERS, numItems: ITEMS });
    const profiles = await bagOfWordsEncoder(384).encode(dataset.users.map((u) => u.profileText));
    // The last client can be held back in chosen rounds: in round 3 until the pause is asked for (so
    // the federation cannot run past it), in rounds 5 and 7 so the coordinator is killed with a
    // round open and all other uploads accepted.
    const held = new Map<number, () => void>();
    const gate = new Map<number, Promise<void>>();
    for (const round of [3, 5, 7]) gate.set(round, new Promise((resolve) => held.set(round, resolve)));
    const wrapSocket = (socket: ClientSocket, user: number): SessionSocket =>
      user !== USERS - 1 ? socket : heldRoundStarts(socket, (round) => gate.get(round));
    const fleet = (fleetRef = new HeadlessFleet({
      url,
      code: CODE,
      token: JOIN,
      dataset,
      profiles,
      // Stand-in vectors of MiniLM's width, under the name of the coordinator's encoder.
      encoder: await miniLmIdentity("mean", "int8"),
      users: [...Array(USERS).keys()],
      wrapSocket,
    }));
    cleanups.push(() => fleet.close());
    await fleet.connect();

    // 1. Pause after round 2 or 3, note the checkpoint, kill -9, restart: the same checkpoint is back.
    const control = (action: string) =>
      fetch(`${url}/api/federations/${CODE}/control`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ action }),
      });
    await until((s) => s.completedRounds >= 2, "round 2");
    await control("pause");
    held.get(3)!();
    await until((s) => s.phase === "paused" && s.round === null, "the pause");
    const paused = latest!;
    child.kill("SIGKILL");
    generation++;
    latest = null;
    child = startCoordinator(port, database);
    await until((s) => s.phase === "paused", "the restarted coordinator");
    expect(latest!.completedRounds).toBe(paused.completedRounds);
    expect(latest!.checkpointChecksum).toBe(paused.checkpointChecksum);

    // 2. Continue; kill -9 while a round is open with all uploads but one accepted (twice).
    await control("start");
    for (const round of [5, 7]) {
      await until((s) => s.round?.round === round && s.round.uploaded === USERS - 1, `${USERS - 1} uploads in round ${round}`);
      child.kill("SIGKILL");
      generation++;
      latest = null;
      child = startCoordinator(port, database);
      // Nothing accepted is lost: the restarted coordinator has the round open with those uploads.
      await until((s) => s.round?.round === round, "the restarted coordinator");
      expect(latest!.round!.uploaded).toBe(USERS - 1);
      held.get(round)!();
    }
    await until((s) => s.phase === "finished", "all rounds");
    child.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 200));

    const store = new SqliteStore(database);
    const [stored] = store.loadFederations();
    store.close();
    expect(stored!.history.map((h) => h.round)).toEqual([...Array(ROUNDS).keys()].map((r) => r + 1));
    const config = resolveConfig(DEFAULT_CONFIG, SETTINGS);
    // The CLI computes similarities with the tfjs-wasm kernel; so does the reference run.
    const simulation = FederatedSimulation.inProcess(config, dataset, profiles, () => 0, await createWasmGramKernel());
    for (let r = 0; r < ROUNDS; r++) await simulation.runRound();
    expect(stored!.checkpoint!.tables.global).toEqual(simulation.globalTable);
    // The best-validation round and its table survived the kills too, exactly the simulator's.
    expect(stored!.best!.round).toBe(simulation.best!.round);
    expect(stored!.best!.tables.global).toEqual(simulation.best!.tables.global);
    expect(stored!.history.at(-1)!.bestRound).toBe(simulation.result().summary!.bestRound);
  }, 120_000);
});
