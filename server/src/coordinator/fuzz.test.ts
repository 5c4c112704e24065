/**
 * Hostile input: ≥ 1,000 random and malformed frames, at the socket.io level (from a joined
 * participant, so they reach the deepest validation) and at the raw engine.io/WebSocket level.
 * The coordinator must stay up, answer with error codes, count them, and change nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { PROTOCOL_VERSION, createRng, toWire, type Rng } from "@fedrec/common";
import { encodeCheckpoint, checksumOf } from "./checkpoint-codec.ts";
import { CODE, JOIN_TOKEN, startTestCoordinator, testWorld, waitUntil } from "../testing/live-federation.ts";
import { RawClient, zeroUpload } from "../testing/raw-client.ts";
import type { Coordinator } from "./coordinator.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return pick(rng, [0, -1, 1e308, -0, 3.5, Number.MAX_SAFE_INTEGER, 2 ** 31]);
    case 2:
      return pick(rng, ["", "x", "TEST42", "💥".repeat(50), "a".repeat(5000), "__proto__", "constructor"]);
    case 3:
      return rng.next() < 0.5;
    case 4:
      return new Uint8Array(rng.int(64)).map(() => rng.int(256));
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(6); i > 0; i--)
        o[pick(rng, ["round", "clientId", "rows", "values", "metrics", "protocol", "code", "x"])] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

/** A participant's upload broken in exactly one way, chosen at random (every variant is invalid). */
function brokenUpload(rng: Rng, clientId: string, userWeights: number, itemDim: number): unknown {
  const valid = zeroUpload(1, clientId, userWeights, [2, 7], itemDim);
  const nan = new Float32Array(userWeights);
  nan[rng.int(userWeights)] = pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  const variants: unknown[] = [
    { ...valid, userWeights: toWire(nan) },
    { ...valid, userWeights: toWire(new Float32Array(userWeights - 1 - rng.int(5))) },
    { ...valid, userWeights: new Uint8Array(userWeights * 4 + 1 + rng.int(3)) },
    { ...valid, rows: toWire(Int32Array.of(7, 2)), values: toWire(new Float32Array(2 * itemDim)) },
    { ...valid, rows: toWire(Int32Array.of(-1)), values: toWire(new Float32Array(itemDim)) },
    { ...valid, rows: toWire(Int32Array.of(1e6)), values: toWire(new Float32Array(itemDim)) },
    { ...valid, rows: toWire(Int32Array.of(3, 3)), values: toWire(new Float32Array(2 * itemDim)) },
    { ...valid, values: toWire(new Float32Array(3 * itemDim)) },
    { ...valid, values: "not binary" },
    { ...valid, round: pick(rng, [0, -1, 1.5, 2, 99, "1", null]) },
    { ...valid, clientId: pick(rng, ["someone-else", "", "x", 42]) },
    { ...valid, numExamples: pick(rng, [-1, 0.5, Number.NaN, "3", 1e12]) },
    { ...valid, loss: pick(rng, ["0.5", {}, [1]]) }, // (NaN and Inf arrive as null, which is allowed)
    { ...valid, metrics: { val: { hr10: 2, ndcg10: 0, count: 1 }, test: valid.metrics.test } },
    { ...valid, metrics: { val: { hr10: 0.5, ndcg10: 0, count: -3 }, test: valid.metrics.test } },
    { ...valid, metrics: null },
    { ...valid, extra: randomValue(rng) ?? 1 }, // (undefined would vanish in transit)
    (() => {
      const { rows: _rows, ...missing } = valid;
      return missing;
    })(),
  ];
  return pick(rng, variants);
}

function stateOf(coordinator: Coordinator) {
  const f = coordinator.find(CODE)!;
  const { rejected: _rejected, ...status } = f.status();
  return {
    status,
    checkpoint: checksumOf(encodeCheckpoint(f.checkpoint())),
    history: JSON.stringify(f.history),
    config: f.config,
  };
}

describe("malformed and random frames", () => {
  it("1,200 hostile frames leave the coordinator alive and its state unchanged", async () => {
    const world = await testWorld(4, { minClientsToStart: 2, rounds: 3, roundDeadlineSeconds: 600 }, 40);
    const coordinator = await startTestCoordinator(world);
    cleanups.push(() => coordinator.close());
    const profileDim = 32;
    const userWeights = profileDim * world.config.jointDim;
    const join = { code: CODE, token: JOIN_TOKEN, numItems: world.dataset.numItems, profileDim, encoder: world.encoder };
    const honest = await new RawClient(coordinator.url).connected();
    const fuzzer = await new RawClient(coordinator.url).connected();
    cleanups.push(
      () => honest.close(),
      () => fuzzer.close(),
    );
    await honest.join({ ...join, clientId: "honest-client" });
    await fuzzer.join({ ...join, clientId: "fuzzer-client" });
    await Promise.all([honest.roundStart(1), fuzzer.roundStart(1)]);
    expect(await honest.request("upload", zeroUpload(1, "honest-client", userWeights, [1, 4], world.config.itemDim))).toEqual({
      ok: true,
      round: 1,
    });
    const before = stateOf(coordinator);
    const rng = createRng(2024);

    // 1) 700 socket.io events from a joined participant: broken uploads, random events and payloads.
    let answered = 0;
    for (let i = 0; i < 700; i++) {
      const kind = rng.int(4);
      const event =
        kind === 0 ? pick(rng, ["upload", "join", "admin", "round:start", "", "x".repeat(300)]) : kind === 1 ? "join" : "upload";
      const payload =
        kind === 3
          ? brokenUpload(rng, "fuzzer-client", userWeights, world.config.itemDim)
          : kind === 1
            ? {
                ...join,
                protocol: PROTOCOL_VERSION,
                clientId: pick(rng, ["fuzzer-client", "honest-client", "new-client-1"]),
                token: pick(rng, ["wrong-token-1", 7, null]),
              }
            : randomValue(rng);
      if (rng.next() < 0.8) {
        const reply = (await fuzzer.socket.timeout(5000).emitWithAck(event, payload)) as { ok?: boolean; code?: string };
        const keys =
          typeof payload === "object" && payload !== null
            ? Object.entries(payload).map(
                ([k, v]) => `${k}=${v instanceof Uint8Array ? `bin${v.length}` : JSON.stringify(v)?.slice(0, 80)}`,
              )
            : [];
        expect(reply.ok, `event ${event} payload ${keys.join(" ")}`).toBe(false);
        expect(typeof reply.code).toBe("string");
        answered++;
      } else fuzzer.socket.emit(event, payload, ...(rng.next() < 0.5 ? [randomValue(rng)] : []));
    }
    expect(answered).toBeGreaterThan(500);

    // 2) 500 raw frames on engine.io WebSocket connections: garbage text, bad packets, binary, oversize.
    const wsUrl = `${coordinator.url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`;
    const raw = [
      () => "",
      () => "garbage",
      () => "4",
      () => "42",
      () => "42[",
      () => '42["upload"',
      () => '42["upload",{"round":1}]',
      () => '451-["upload",{"_placeholder":true,"num":0}]',
      () => '452-["upload",{"_placeholder":true,"num":7}]',
      () => '42["join",' + JSON.stringify(randomValue(rng)) + "]",
      () => "40" + JSON.stringify(randomValue(rng)),
      () => "41",
      () => "9999",
      () => Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256))),
      () => '40/admin,{"code":"TEST42","token":"nope-nope-nope"}',
      () => "4" + "x".repeat(2 * 1024 * 1024), // beyond maxHttpBufferSize: the transport closes
    ];
    let sent = 0;
    while (sent < 500) {
      const ws = new WebSocket(wsUrl);
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.send("40");
      for (let n = 0; n < 50 && ws.readyState === WebSocket.OPEN; n++, sent++) ws.send(pick(rng, raw)());
      await new Promise((r) => setTimeout(r, 20));
      ws.terminate();
    }

    const health = await fetch(`${coordinator.url}/healthz`);
    expect(health.status).toBe(200);
    await waitUntil(() => coordinator.find(CODE)!.status().clients.connected === 2, 2000, "only the two joined clients");
    expect(stateOf(coordinator)).toEqual(before);
    const status = (await (await fetch(`${coordinator.url}/api/status`)).json()) as {
      rejectedBeforeJoin: Record<string, number>;
    };
    expect(status.rejectedBeforeJoin["transport-error"]).toBeGreaterThan(0); // garbage frames close their connection
    const rejected = coordinator.find(CODE)!.status().rejected;
    for (const code of ["not-finite", "wrong-shape", "malformed", "bad-token", "unknown-client", "unknown-event"]) {
      expect(rejected[code] ?? 0, `${code} in ${JSON.stringify(rejected)}`).toBeGreaterThan(0);
    }
    // Still fully working: the fuzzer's real upload completes the round.
    const real = zeroUpload(1, "fuzzer-client", userWeights, [0], world.config.itemDim);
    expect(await fuzzer.request("upload", real)).toEqual({ ok: true, round: 1 });
    await waitUntil(() => coordinator.find(CODE)!.history.length === 1, 5000, "round 1 to complete");
  }, 60_000);
});
