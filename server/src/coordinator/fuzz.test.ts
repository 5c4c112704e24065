/**
 * Hostile input, 10,000 frames: 4,100 socket.io messages against a float32 federation and 4,100
 * against a float16 one — well-formed messages broken in one field (wrong types; hostile values:
 * huge or negative counts and rounds, NaN/±Inf/huge floats, rows out of range, duplicate or
 * unsorted, wrong rounds and lengths, oversized arrays), each answered with the code it must get,
 * plus random garbage — and 1,800 raw engine.io frames. The coordinator must stay up, answer and
 * count every refusal, change nothing it had accepted (in memory and in its SQLite journal), and
 * end the round exactly as a coordinator that saw none of it. Seeded: every run sends the same.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  ERROR_CODES,
  PROTOCOL_VERSION,
  createRng,
  isErrorReply,
  parseUploadArrays,
  type ErrorCode,
  type Rng,
} from "@fedrec/common";
import { sameBits } from "@fedrec/common/testing";
import { CODE, JOIN_TOKEN, waitUntil } from "../testing/live-federation.ts";
import {
  acceptedState,
  finishRound,
  journaledUploads,
  openArena,
  type Arena,
  type Peer,
  type Precision,
} from "../testing/fuzz-arena.ts";
import { hostileControl, hostileJoin } from "../testing/hostile-requests.ts";
import { hostileUpload, validUpload } from "../testing/hostile-uploads.ts";
import { pick, randomValue } from "../testing/random-payload.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function arenaFor(precision: Precision): Promise<Arena> {
  const arena = await openArena(precision);
  cleanups.push(() => arena.close());
  return arena;
}

/** The checkpoint an arena of this precision ends round 2 with when nobody attacks it. */
const controls = new Map<Precision, Promise<string>>();
function controlChecksum(precision: Precision): Promise<string> {
  if (!controls.has(precision)) {
    controls.set(
      precision,
      openArena(precision).then(async (arena) => {
        const checksum = await finishRound(arena);
        await arena.close();
        return checksum;
      }),
    );
  }
  return controls.get(precision)!;
}

function rejectionsCounted(arena: Arena): Record<string, number> {
  const counts: Record<string, number> = { ...arena.coordinator.unattributedRejections() };
  for (const [code, n] of Object.entries(arena.coordinator.find(CODE)!.status().rejected)) counts[code] = (counts[code] ?? 0) + n;
  return counts;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

interface Reply {
  readonly ok?: unknown;
  readonly code?: unknown;
}

/** Sends frames and keeps count of them and of the refusals the coordinator must have counted. */
class Fuzzer {
  frames = 0;
  /** Refusals the coordinator counts: the clients' (the admin's are answered, not counted). */
  counted = 0;
  readonly codes = new Map<string, number>();
  /** Per connection: the codes its unacknowledged refused messages must come back with (null: any). */
  readonly unacknowledged = new Map<Peer, (ErrorCode | null)[]>();

  constructor(private readonly admin: Peer) {}

  async ask(peer: Peer, event: string, args: readonly unknown[]): Promise<Reply> {
    this.frames++;
    return (await peer.socket.timeout(5000).emitWithAck(event, ...args)) as Reply;
  }

  /** A message that must be refused with `code` (null: any code but `internal`), acknowledged. */
  async expectRefused(peer: Peer, event: string, args: readonly unknown[], code: ErrorCode | null, what: string): Promise<void> {
    const reply = await this.ask(peer, event, args);
    expect(reply.ok, `${event}: ${what}`).toBe(false);
    if (code) expect(reply.code, `${event}: ${what}`).toBe(code);
    else expect(REFUSALS, `${event}: ${what}`).toContain(reply.code);
    this.tally(peer, reply.code as string);
  }

  /** The same without an acknowledgement: the refusal comes back as a protocol:error event. */
  fire(peer: Peer, event: string, args: readonly unknown[], code: ErrorCode | null): void {
    this.frames++;
    peer.socket.emit(event, ...args);
    const expected = this.unacknowledged.get(peer) ?? [];
    expected.push(code);
    this.unacknowledged.set(peer, expected);
    this.tally(peer, code);
  }

  private tally(peer: Peer, code: string | null): void {
    if (peer !== this.admin) this.counted++;
    if (code) this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }
}

/** Every code a refusal may carry: `internal` would mean a handler failed. */
const REFUSALS: readonly string[] = ERROR_CODES.filter((c) => c !== "internal");

const GARBAGE_EVENTS = [
  "upload",
  "join",
  "admin",
  "round:start",
  "round:end",
  "control",
  "",
  "x".repeat(300),
  "constructor",
  "toString",
];

/** 2,500 uploads of the participant that has not uploaded yet, each broken in one field. */
async function brokenUploads(f: Fuzzer, arena: Arena, rng: Rng): Promise<void> {
  for (let i = 0; i < 2500; i++) {
    const h = hostileUpload(rng, arena.uploads);
    const r = rng.next();
    if (r < 0.85) await f.expectRefused(arena.fuzzer, "upload", [h.payload], h.code, h.what);
    else if (r < 0.9)
      await f.expectRefused(arena.fuzzer, "upload", [h.payload, randomValue(rng) ?? 0], "malformed", "two payloads");
    else if (r < 0.93) await f.expectRefused(arena.fuzzer, "upload", [], "malformed", "no payload");
    else f.fire(arena.fuzzer, "upload", [h.payload], h.code);
  }
}

/** 600 random events with random payloads from the participant. */
async function garbage(f: Fuzzer, arena: Arena, rng: Rng): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const event = pick(rng, GARBAGE_EVENTS);
    const args = [randomValue(rng), ...(rng.next() < 0.2 ? [randomValue(rng)] : [])];
    if (rng.next() < 0.8) await f.expectRefused(arena.fuzzer, event, args, null, JSON.stringify(args).slice(0, 200));
    else f.fire(arena.fuzzer, event, args, null);
  }
}

/** 100 joins on the participant's connection (as another client, or as itself without its secret) and 500 first joins from a connection that never joined, each broken in one field. */
async function brokenJoins(f: Fuzzer, arena: Arena, rng: Rng): Promise<void> {
  const { code, token, numItems, profileDim, encoder } = arena.joins;
  for (let i = 0; i < 100; i++) {
    const clientId = pick(rng, ["honest-client", `new-client-${i}`, "fuzzer-client"]);
    const secret = pick(rng, [null, `wrong-secret-${i}`]);
    const join = { protocol: PROTOCOL_VERSION, code, token, clientId, secret, numItems, profileDim, encoder, label: null };
    await f.expectRefused(
      arena.fuzzer,
      "join",
      [join],
      clientId === "fuzzer-client" ? "bad-token" : "malformed",
      `join as ${clientId}`,
    );
  }
  for (let i = 0; i < 500; i++) {
    const h = hostileJoin(rng, arena.joins, i);
    await f.expectRefused(arena.stranger, "join", [h.payload], h.code, h.what);
  }
}

/** Uploads in the wrong place: 100 before joining, 50 from a client not sampled, 100 after an accepted one. */
async function misplacedUploads(f: Fuzzer, arena: Arena, rng: Rng): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const payload = rng.next() < 0.5 ? validUpload(rng, arena.uploads, "fuzzer-client", 2) : randomValue(rng);
    await f.expectRefused(arena.stranger, "upload", [payload], "not-joined", "an upload before joining");
  }
  for (let i = 0; i < 50; i++)
    await f.expectRefused(
      arena.late,
      "upload",
      [validUpload(rng, arena.uploads, "late-client", 2)],
      "not-sampled",
      "late upload",
    );
  for (let i = 0; i < 100; i++) {
    // A different second upload is refused; the same one again (a lost acknowledgement) is acknowledged.
    if (rng.next() < 0.5)
      await f.expectRefused(
        arena.dup,
        "upload",
        [validUpload(rng, arena.uploads, "dup-client", 2)],
        "duplicate",
        "a second upload",
      );
    else expect(await f.ask(arena.dup, "upload", [arena.accepted.get("dup-client")])).toEqual({ ok: true, round: 2 });
  }
}

const ADMIN_GARBAGE_EVENTS = GARBAGE_EVENTS.filter((e) => e !== "control");

/** 150 admin requests that must be refused: bad commands and settings, extra payloads, unknown events. */
async function brokenControls(f: Fuzzer, arena: Arena, rng: Rng): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const h = hostileControl(rng, arena.uploads.precision);
    const r = rng.next();
    if (r < 0.7) await f.expectRefused(arena.admin, "control", [h.payload], "malformed", h.what);
    else if (r < 0.8) await f.expectRefused(arena.admin, "control", [h.payload, 1], "malformed", "two payloads");
    else if (r < 0.9)
      await f.expectRefused(arena.admin, pick(rng, ADMIN_GARBAGE_EVENTS), [h.payload], "unknown-event", "an unknown event");
    else f.fire(arena.admin, "control", [h.payload], "malformed");
  }
}

/** Unacknowledged refusals come back as protocol:error events, in order, with their codes. */
async function expectErrorEvents(f: Fuzzer): Promise<void> {
  for (const [client, expected] of f.unacknowledged) {
    await waitUntil(() => client.errors.length >= expected.length, 5000, `${expected.length} protocol:error events`);
    const got = client.errors.map((e) => (e as { code?: unknown }).code);
    expect(got.length).toBe(expected.length);
    expected.forEach((code, i) => expect(got[i]).toBe(code ?? got[i]));
    expect(got.every((c) => REFUSALS.includes(c as string))).toBe(true);
  }
}

// `unavailable` exists only in the Redis cluster (server/src/cluster/), not in this single process.
const EVERY_CLIENT_REFUSAL: readonly ErrorCode[] = ERROR_CODES.filter(
  (c) => !["finished", "replaced", "internal", "unavailable"].includes(c),
);

describe("10,000 hostile frames", () => {
  it.each(["float32", "float16"] as const)(
    "4,100 socket.io messages against a %s federation: each refused with its code and counted, accepted work intact",
    async (precision) => {
      const arena = await arenaFor(precision);
      const before = acceptedState(arena);
      const countedBefore = rejectionsCounted(arena);
      const f = new Fuzzer(arena.admin);
      const rng = createRng(precision === "float32" ? 2024 : 2025);
      for (const section of [brokenUploads, garbage, brokenJoins, misplacedUploads, brokenControls]) await section(f, arena, rng);
      expect(f.frames).toBe(4100);
      await expectErrorEvents(f);
      // Every refusal counted once; no handler failed; every kind of refusal was exercised.
      const counted = rejectionsCounted(arena);
      expect(total(counted) - total(countedBefore)).toBe(f.counted);
      expect(counted["internal"]).toBeUndefined();
      for (const code of EVERY_CLIENT_REFUSAL) expect(f.codes.get(code) ?? 0, code).toBeGreaterThan(0);

      // Nothing accepted changed, in memory or in the journal; the accepted uploads are intact there.
      expect((await fetch(`${arena.coordinator.url}/healthz`)).status).toBe(200);
      expect(acceptedState(arena)).toEqual(before);
      expectJournaled(arena);
      // The round ends exactly as it would have without the attack.
      expect(await finishRound(arena)).toBe(await controlChecksum(precision));
    },
    60_000,
  );

  it("1,800 raw engine.io frames: garbage, bad packets, binary, deep nesting and oversize change nothing", async () => {
    const arena = await arenaFor("float32");
    const before = acceptedState(arena);
    const rng = createRng(2026);
    const wsUrl = `${arena.coordinator.url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`;
    const upload = JSON.stringify({ ...validUpload(rng, arena.uploads, "fuzzer-client", 2), userWeights: 0, rows: 0, values: 0 });
    const raw: (() => string | Buffer)[] = [
      () => "",
      () => "garbage",
      () => pick(rng, ["0", "1", "2", "3", "4", "5", "6", "7", "9999"]),
      () => pick(rng, ["42", "42[", '42["upload"', "42[]", "42{}", '42"upload"', "42[5]", '42[null,{"round":2}]']),
      () => '42["upload",{"round":1}]',
      () => pick(rng, ['42["disconnect"]', '42["connect"]', '42["newListener","upload"]', '42["error",{}]']),
      () => `42["upload",${upload}]`,
      () => `42["join",{"__proto__":{"protocol":${PROTOCOL_VERSION}},"code":"${CODE}","token":"${JOIN_TOKEN}"}]`,
      () => '42["upload",{"__proto__":{"round":2},"constructor":{"prototype":{"ok":true}}}]',
      () => '451-["upload",{"_placeholder":true,"num":0}]',
      () => '452-["upload",{"_placeholder":true,"num":7}]',
      () => `453-["upload",${upload.replace('"userWeights":0', '"userWeights":{"_placeholder":true,"num":0}')}]`,
      () => '451-["upload",' + "[".repeat(50_000) + '{"_placeholder":true,"num":0}' + "]".repeat(50_000) + "]",
      () => '42["upload",' + "[".repeat(100_000) + "]".repeat(100_000) + "]",
      () => `42${rng.int(2 ** 31)}["upload",{}]`,
      () => '42-1["upload",{}]',
      () => '4299999999999999999999["upload",{}]',
      () => '42["join",' + JSON.stringify(randomValue(rng)) + "]",
      () => "40" + JSON.stringify(randomValue(rng)),
      () => pick(rng, ["41", "40/nowhere,", "41/admin,", '40/admin,{"code":"TEST42","token":"nope-nope-nope"}']),
      () => Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256))),
      () => "4" + "x".repeat(2 * 1024 * 1024), // beyond maxHttpBufferSize: the transport closes
    ];
    let sent = 0;
    while (sent < 1800) {
      const ws = new WebSocket(wsUrl);
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.send("40");
      for (let n = 0; n < 50 && sent < 1800 && ws.readyState === WebSocket.OPEN; n++, sent++) ws.send(pick(rng, raw)());
      await new Promise((r) => setTimeout(r, 20));
      ws.terminate();
    }

    expect((await fetch(`${arena.coordinator.url}/healthz`)).status).toBe(200);
    await waitUntil(() => arena.coordinator.connectedSockets() === 5, 5000, "only the arena's own connections");
    expect(acceptedState(arena)).toEqual(before);
    expectJournaled(arena);
    const counted = rejectionsCounted(arena);
    expect(arena.coordinator.unattributedRejections()["transport-error"]).toBeGreaterThan(0); // garbage closes its connection
    expect(counted["internal"]).toBeUndefined();
    expect(await finishRound(arena)).toBe(await controlChecksum("float32"));
  }, 60_000);
});

/** The journal holds exactly the accepted uploads, bit for bit. */
function expectJournaled(arena: Arena): void {
  const journaled = journaledUploads(arena.database);
  expect([...journaled.keys()].sort()).toEqual([...arena.accepted.keys()].sort());
  for (const [clientId, message] of arena.accepted) {
    const sent = parseUploadArrays(message, arena.uploads);
    const stored = journaled.get(clientId)!;
    if (isErrorReply(sent)) throw new Error(`the accepted upload of ${clientId} no longer parses: ${sent.message}`);
    for (const key of ["userWeights", "rows", "values"] as const)
      expect(sameBits(stored[key], sent[key]), `${clientId}.${key}`).toBe(true);
    expect(stored.numExamples).toBe(message.numExamples);
    expect(stored.metrics).toEqual(message.metrics);
  }
}
