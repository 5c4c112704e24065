/**
 * FederationSession over a scripted socket (the coordinator's side played by the test): after the
 * run it recommends with the best-validation round's table and the private layers it had then.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { PROTOCOL_VERSION, SERVER_EVENTS, type RoundSummary, type Welcome } from "../protocol/messages.ts";
import { toWire } from "../protocol/wire-arrays.ts";
import { bagOfWordsIdentity } from "../testing/bag-of-words-encoder.ts";
import type { BestLayers } from "./best-round-layers.ts";
import { FederationSession, type SessionSocket } from "./federation-session.ts";

const NUM_ITEMS = 40;
const PROFILE_DIM = 8;
const config = resolveConfig(DEFAULT_CONFIG, { evalNegatives: 9 });
const dataset = generateSyntheticDataset({ numUsers: 3, numItems: NUM_ITEMS });
const profile = Float32Array.from({ length: PROFILE_DIM }, (_, k) => Math.cos(k));
const encoder = bagOfWordsIdentity(PROFILE_DIM);
const tableOf = (round: number) =>
  Float32Array.from({ length: NUM_ITEMS * config.itemDim }, (_, i) => Math.sin(i * 0.37 + round) * 0.1);

/** Plays the coordinator: answers join and upload, and lets the test push server events. */
class ScriptedSocket implements SessionSocket {
  connected = true;
  readonly uploads: number[] = [];
  /** Joins and uploads answered `unavailable` before the real answer (a cluster without Redis). */
  unavailable = { join: 0, upload: 0 };
  /** While set, upload acknowledgements wait until `releaseAcks` (a slow acknowledgement). */
  holdAcks = false;
  private readonly heldAcks: (() => void)[] = [];
  private readonly listeners = new Map<string, ((payload: unknown) => void)[]>();

  constructor(private readonly welcome: Omit<Welcome, "clientId" | "secret" | "protocol">) {}

  on(event: string, listener: (...args: never[]) => void): unknown {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (payload: unknown) => void]);
    return this;
  }

  timeout(): { emitWithAck(event: string, payload: unknown): Promise<unknown> } {
    return {
      emitWithAck: async (event, payload) => {
        if ((event === "join" || event === "upload") && this.unavailable[event] > 0) {
          this.unavailable[event]--;
          return { ok: false, code: "unavailable", message: "Redis is unreachable; retry" };
        }
        if (event === "join")
          return { protocol: PROTOCOL_VERSION, clientId: "client-0001", secret: "secret-0001", ...this.welcome };
        const round = (payload as { round: number }).round;
        this.uploads.push(round);
        if (this.holdAcks) await new Promise<void>((resolve) => this.heldAcks.push(resolve));
        return { ok: true, round };
      },
    };
  }

  disconnect(): unknown {
    this.connected = false;
    return this;
  }

  releaseAcks(): void {
    this.holdAcks = false;
    for (const release of this.heldAcks.splice(0)) release();
  }

  push(event: string, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }
}

const base = {
  catalogue: { dataset: dataset.name, numItems: NUM_ITEMS, profileDim: PROFILE_DIM, encoder },
  config,
  phase: "waiting" as const,
  completedRounds: 0,
  bestRound: null,
  table: toWire(tableOf(0)),
};

function start(socket: ScriptedSocket, saved: { best?: BestLayers | null } = {}) {
  const kept: BestLayers[] = [];
  const uploaded: number[] = [];
  const session = new FederationSession(socket, {
    retryLater: (send) => void Promise.resolve().then(send),
    code: "ABC123",
    token: "join-token-1",
    identity: { clientId: "client-0001", secret: null },
    data: { interactions: dataset.users[0]!.interactions, profile, encoder, streamKey: 0, numItems: NUM_ITEMS },
    clock: () => 0,
    events: { best: (best) => kept.push(best), uploaded: (round) => uploaded.push(round) },
    ...saved,
  });
  return { session, kept, uploaded };
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !predicate(); i++) await Promise.resolve(); // the scripted socket answers in microtasks
  if (!predicate()) throw new Error("the session did not get there");
}

function summary(round: number, bestRound: number): RoundSummary {
  const metrics = { val: { hr10: 0.5, ndcg10: 0.2, count: 3 }, test: { hr10: 0.4, ndcg10: 0.2, count: 3 } };
  return {
    round,
    sampled: 3,
    aggregated: 3,
    loss: 0.5,
    metrics,
    bytes: { in: 1, out: 1 },
    seconds: { total: 1, aggregate: 0 },
    rejected: {},
    bestRound,
    dpEpsilon: null,
  };
}

describe("FederationSession after the run", () => {
  it("recommends with the best round's table and the private layers it had at that round's end, not the latest", async () => {
    const socket = new ScriptedSocket(base);
    const { session, kept } = start(socket);
    await until(() => session.client !== null);
    const bestAfter = [1, 2, 2, 2]; // validation peaked in round 2
    let layersOfRound2: Float32Array[] = [];
    for (const [i, best] of bestAfter.entries()) {
      const round = i + 1;
      socket.push(SERVER_EVENTS.roundStart, { round, deadline: 0, table: toWire(tableOf(round)) });
      await until(() => socket.uploads.includes(round));
      socket.push(SERVER_EVENTS.roundEnd, summary(round, best));
      if (round === 2) layersOfRound2 = session.client!.snapshot().layers.map((l) => l.slice());
    }
    expect(kept.map((k) => k.round)).toEqual([1, 2]);
    const during = session.recommendationModel()!;
    expect(during.itemTable).toEqual(tableOf(4));

    socket.push(SERVER_EVENTS.finished, { completedRounds: 4, stoppedEarlyAt: null, bestRound: 2, table: toWire(tableOf(2)) });
    expect(session.bestRound).toBe(2);
    const after = session.recommendationModel()!;
    expect(after.itemTable).toEqual(tableOf(2));
    expect(after.userJoint.weight).toEqual(layersOfRound2[0]);
    expect(after.userMlp[1].bias).toEqual(layersOfRound2[5]);
    expect(after.userJoint.weight).not.toEqual(session.client!.snapshot().layers[0]); // rounds 3 and 4 moved them on

    // A reload after the run: the saved best layers and the welcome's (best) table.
    const again = new ScriptedSocket({ ...base, phase: "finished", completedRounds: 4, bestRound: 2, table: toWire(tableOf(2)) });
    const reloaded = start(again, { best: kept.at(-1)! }).session;
    await until(() => reloaded.client !== null);
    expect(reloaded.bestRound).toBe(2);
    expect(reloaded.recommendationModel()!.itemTable).toEqual(tableOf(2));
    expect(reloaded.recommendationModel()!.userJoint.weight).toEqual(layersOfRound2[0]);
  });

  it("a client joining after the end gets the best table in its welcome and uses its own (untrained) layers", async () => {
    const socket = new ScriptedSocket({
      ...base,
      phase: "finished",
      completedRounds: 6,
      bestRound: 4,
      table: toWire(tableOf(4)),
    });
    const { session, kept } = start(socket);
    await until(() => session.client !== null);
    expect(session.bestRound).toBe(4);
    const model = session.recommendationModel()!;
    expect(model.itemTable).toEqual(tableOf(4));
    expect(model.userJoint.weight).toEqual(session.client!.snapshot().layers[0]);
    expect(kept).toEqual([]); // never trained: nothing worth keeping
  });
});

describe("FederationSession when the coordinator is unavailable", () => {
  it("sends a join and an upload refused as `unavailable` again, and counts the upload once", async () => {
    const socket = new ScriptedSocket(base);
    socket.unavailable = { join: 2, upload: 3 };
    const { session } = start(socket);
    await until(() => session.client !== null);
    expect(socket.unavailable.join).toBe(0);
    socket.push(SERVER_EVENTS.roundStart, { round: 1, deadline: 0, table: toWire(tableOf(1)) });
    await until(() => socket.uploads.length > 0);
    expect(socket.unavailable.upload).toBe(0);
    expect(socket.uploads).toEqual([1]); // the three refusals were not accepted; the fourth send was
  });
});

describe("FederationSession with slow acknowledgements", () => {
  it("counts an upload whose acknowledgement arrives after the next round has started", async () => {
    const socket = new ScriptedSocket(base);
    const { session, uploaded } = start(socket);
    await until(() => session.client !== null);
    socket.holdAcks = true;
    socket.push(SERVER_EVENTS.roundStart, { round: 1, deadline: 0, table: toWire(tableOf(1)) });
    await until(() => socket.uploads.length === 1);
    // Round 1 closed with this upload in; round 2 starts before the acknowledgement arrives.
    socket.push(SERVER_EVENTS.roundStart, { round: 2, deadline: 0, table: toWire(tableOf(2)) });
    await until(() => socket.uploads.length === 2);
    socket.releaseAcks();
    await until(() => uploaded.length === 2);
    expect(uploaded).toEqual([1, 2]);
    expect(socket.uploads).toEqual([1, 2]); // each round's upload sent once
  });
});
