/**
 * Live secure rounds in the round machine, on a fake clock: the sessions' phases with scripted
 * participants (the protocol core's client), the table equal to plain aggregation within the
 * fixed-point error, dropouts before every phase, the rescaling for `mean`, refused messages, a
 * failed session redone, and a restart in the middle of a session.
 */
import { describe, expect, it } from "vitest";
import { aggregateTrain, roundGraph, type TrainResult } from "../aggregation/graph-strategy.ts";
import { materialise, type ItemTableUpdate } from "../aggregation/item-table-update.ts";
import { strategyOptions } from "../config/derived-settings.ts";
import { SECAGG_CLIENT_EVENTS } from "../protocol/secure-aggregation-wire.ts";
import {
  clientId,
  connectAll,
  harnessUpload,
  machineHarness,
  type HarnessOptions,
  type MachineHarness,
} from "../testing/machine-harness.ts";
import { ScriptedSecureClients } from "../testing/scripted-secure-clients.ts";
import type { AcceptedUpload } from "./federation-types.ts";

const SECURE = {
  secureAggregation: true,
  distribution: "global",
  neighbourhood: { kind: "dense" },
  globalUpdate: "mean",
  userWeightsUpload: "full",
  rounds: 3,
} as const;

/** Client `slot` trains two rows: +0.05·(slot + 1) and a little per entry. */
function change(slot: number, table: Float32Array, itemDim: number): ItemTableUpdate {
  const rows = Int32Array.from(new Set([slot % 10, (slot + 3) % 10])).sort();
  const values = new Float32Array(rows.length * itemDim);
  rows.forEach((row, r) => {
    for (let k = 0; k < itemDim; k++) values[r * itemDim + k] = table[row * itemDim + k]! + 0.05 * (slot + 1) + k / 1000;
  });
  return { base: table, rows, values };
}

/** The upload of a secure round: θ_user, n and the metrics, no rows. */
function secureUpload(h: MachineHarness, slot: number): AcceptedUpload {
  return { ...harnessUpload(h.machine, slot), rows: new Int32Array(0), values: new Float32Array(0) };
}

function results(h: MachineHarness, slots: readonly number[], table: Float32Array): TrainResult[] {
  const itemDim = h.machine.config.itemDim;
  return slots.map((slot) => ({
    client: slot,
    userWeights: harnessUpload(h.machine, slot).userWeights,
    items: change(slot, table, itemDim),
    numExamples: slot + 1,
  }));
}

function setUp(overrides: object, clients: number, openRound?: HarnessOptions["openRound"]) {
  let harness: MachineHarness | null = null;
  const scripted = new ScriptedSecureClients(
    () => harness!,
    (slot, table) => change(slot, table, harness!.machine.config.itemDim),
  );
  harness = machineHarness({ ...SECURE, ...overrides }, { clients, secureChannel: scripted.channel, openRound });
  return { h: harness, scripted };
}

/** Lets the participants answer, uploads for `uploaders` once, and moves the clock a phase at a time until round `round` ends. */
async function runRound(h: MachineHarness, scripted: ScriptedSecureClients, round: number, uploaders: readonly number[]) {
  let uploaded = false;
  for (let step = 0; step < 12 && h.summaries.length < round; step++) {
    await scripted.pump();
    if (!uploaded) {
      for (const slot of uploaders)
        expect(h.machine.submit(clientId(slot), round, secureUpload(h, slot))).toEqual({ ok: true, round });
      uploaded = true;
    }
    await scripted.pump();
    await h.machine.settled();
    await scripted.pump();
    await h.machine.settled();
    if (h.summaries.length >= round) break;
    h.clock.now += 10_000; // a phase's deadline (roundDeadlineSeconds)
    h.machine.tick();
  }
  expect(h.summaries).toHaveLength(round);
  expect(h.errors.filter((e) => !/secure aggregation attempt|group/.test(String(e)))).toEqual([]);
}

/** The largest difference between two tables. */
/** The global table a plain round of these clients' results would give. */
function plainGlobal(h: MachineHarness, slots: readonly number[], table: Float32Array): Float32Array {
  const tables = { global: table, personal: new Map<number, Float32Array>() };
  return aggregateTrain(strategyOptions(h.machine.config), tables, results(h, slots, table), h.machine.config.itemDim).tables
    .global;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
  return worst;
}

/** T + Σ_{U3} c_j (A_j − T) · Σ_all c / Σ_{U3} c: `mean` with the clients outside `summed` made up by rescaling. */
function rescaled(h: MachineHarness, uploaders: readonly number[], summed: readonly number[], table: Float32Array): Float32Array {
  const options = strategyOptions(h.machine.config);
  const itemDim = h.machine.config.itemDim;
  const all = results(h, uploaders, table);
  const { coefficients } = roundGraph(options, all, itemDim, table.length / itemDim, undefined);
  let total = 0;
  let kept = 0;
  const delta = new Float64Array(table.length);
  all.forEach((r, j) => {
    total += coefficients![j]!;
    if (!summed.includes(r.client)) return;
    kept += coefficients![j]!;
    const a = materialise(r.items, itemDim);
    for (let k = 0; k < a.length; k++) delta[k] += coefficients![j]! * (a[k]! - table[k]!);
  });
  return Float32Array.from(table, (t, k) => total * t + (delta[k]! * total) / kept);
}

describe("live secure rounds in the round machine", () => {
  it("runs one session per group while the clients train and equals plain aggregation within the fixed-point error", async () => {
    const { h, scripted } = setUp({ secureAggregationGroupSize: 6, minClientsToStart: 7 }, 7);
    connectAll(h, 7);
    expect(h.sent.map((s) => s.secure?.session)).toEqual([
      ...Array(4).fill("TEST01 1000000 round 1 attempt 1 group 0"),
      ...Array(3).fill("TEST01 1000000 round 1 attempt 1 group 1"),
    ]);
    const table = h.sent[0]!.table;
    const slots = [0, 1, 2, 3, 4, 5, 6];
    await runRound(h, scripted, 1, slots);
    expect(scripted.refusals).toEqual([]);
    const plain = plainGlobal(h, slots, table);
    const secure = h.machine.checkpoint().tables.global;
    expect(maxDifference(secure, plain)).toBeLessThan(1e-6);
    expect(maxDifference(secure, table)).toBeGreaterThan(0.01); // the round did move the table
    expect(h.summaries[0]).toMatchObject({
      aggregated: 7,
      secureAggregation: { sessions: 2, failed: 0, summed: 7, attempts: 1 },
    });
  });

  it("refuses rows in an upload, messages of another phase, client or session, repeats and wrong lengths — and still completes", async () => {
    const { h, scripted } = setUp({ secureAggregationGroupSize: 6, minClientsToStart: 6 }, 6);
    scripted.vanishBefore.set(5, SECAGG_CLIENT_EVENTS.masked); // keeps the masked-input phase open until its deadline
    connectAll(h, 6);
    const table = h.sent[0]!.table;
    const session = h.sent[0]!.secure!.session;
    const rows = h.machine.submit(clientId(0), 1, harnessUpload(h.machine, 0));
    expect(rows).toMatchObject({
      code: "wrong-shape",
      message: expect.stringMatching(/aggregates securely: an upload carries no item rows/),
    });
    type Event = (typeof SECAGG_CLIENT_EVENTS)[keyof typeof SECAGG_CLIENT_EVENTS];
    const receive = (event: Event, body: unknown, id = clientId(0), s = session, r = 1) =>
      h.machine.receiveSecure(id, event, r, s, body);
    const keys = { client: 0, encryptionKey: new Uint8Array(32).fill(9), maskKey: new Uint8Array(31) };
    expect(receive(SECAGG_CLIENT_EVENTS.masked, { client: 0, masked: new Uint32Array(3) })).toMatchObject({
      code: "wrong-round",
      message: expect.stringMatching(/is at advertise/),
    });
    expect(receive(SECAGG_CLIENT_EVENTS.keys, keys, clientId(1))).toMatchObject({
      code: "unknown-client",
      message: expect.stringMatching(/speaks for client 0, this connection is client 1/),
    });
    expect(receive(SECAGG_CLIENT_EVENTS.keys, keys, clientId(0), "TEST01 1000000 round 1 attempt 9 group 0")).toMatchObject({
      code: "wrong-round",
    });
    expect(receive(SECAGG_CLIENT_EVENTS.keys, keys, clientId(0), session, 2)).toMatchObject({ code: "wrong-round" });
    expect(receive(SECAGG_CLIENT_EVENTS.keys, keys)).toMatchObject({
      code: "malformed",
      message: expect.stringMatching(/maskKey: expected 32 bytes, got 31/),
    });
    await scripted.pump(); // the refused messages changed nothing: the real keys are taken
    for (const slot of [0, 1, 2, 3, 4, 5]) h.machine.submit(clientId(slot), 1, secureUpload(h, slot));
    await scripted.pump();
    expect(scripted.refusals).toEqual([]);
    const length = table.length;
    expect(receive(SECAGG_CLIENT_EVENTS.masked, { client: 0, masked: new Uint32Array(length) })).toMatchObject({
      code: "duplicate",
    });
    expect(receive(SECAGG_CLIENT_EVENTS.masked, { client: 5, masked: new Uint32Array(length - 1) }, clientId(5))).toMatchObject({
      code: "malformed",
      message: expect.stringMatching(new RegExp(`expected ${length} entries \\(the table's\\), got ${length - 1}`)),
    });
    expect(receive(SECAGG_CLIENT_EVENTS.masked, { client: 5, masked: new Uint8Array(7) }, clientId(5))).toMatchObject({
      code: "malformed",
      message: expect.stringMatching(/7 bytes is not a whole number of uint32/),
    });
    await runRound(h, scripted, 1, []);
    expect(
      maxDifference(h.machine.checkpoint().tables.global, rescaled(h, [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4], table)),
    ).toBeLessThan(1e-6);
    expect(h.summaries[0]).toMatchObject({ secureAggregation: { failed: 0, summed: 5 } });
    expect(receive(SECAGG_CLIENT_EVENTS.unmasking, {})).toMatchObject({ code: "stale-round" });
  });

  describe("a client that vanishes", () => {
    const slots = [0, 1, 2, 3, 4, 5, 6, 7];
    const others = slots.slice(0, 7);
    async function dropped(before: (typeof SECAGG_CLIENT_EVENTS)[keyof typeof SECAGG_CLIENT_EVENTS], uploads: boolean) {
      const { h, scripted } = setUp({ secureAggregationGroupSize: 8, minClientsToStart: 8 }, 8);
      scripted.vanishBefore.set(7, before);
      connectAll(h, 8);
      const table = h.sent[0]!.table;
      await runRound(h, scripted, 1, uploads ? slots : others);
      expect(scripted.refusals).toEqual([]);
      return { h, table, secure: h.machine.checkpoint().tables.global };
    }

    it("before its keys (and its upload): the round completes at the deadlines without it", async () => {
      const { h, table, secure } = await dropped(SECAGG_CLIENT_EVENTS.keys, false);
      const plain = plainGlobal(h, others, table);
      expect(maxDifference(secure, plain)).toBeLessThan(1e-6);
      expect(h.summaries[0]).toMatchObject({ aggregated: 7, secureAggregation: { summed: 7, failed: 0 } });
    });

    it("after its keys, before sharing them: left out of U2, the others' sum is exact", async () => {
      const { h, table, secure } = await dropped(SECAGG_CLIENT_EVENTS.shareKeys, false);
      const plain = plainGlobal(h, others, table);
      expect(maxDifference(secure, plain)).toBeLessThan(1e-6);
    });

    it("after its upload, before its masked input: its masks are removed and `mean` rescales the others' change", async () => {
      const { h, table, secure } = await dropped(SECAGG_CLIENT_EVENTS.masked, true);
      expect(maxDifference(secure, rescaled(h, slots, others, table))).toBeLessThan(1e-6);
      const plain = plainGlobal(h, slots, table);
      expect(maxDifference(secure, plain)).toBeGreaterThan(1e-4); // its change is missing, not silently counted
      expect(h.summaries[0]).toMatchObject({ aggregated: 8, secureAggregation: { summed: 7, failed: 0 } });
      expect(h.summaries[0]!.seconds.aggregate).toBe(10); // from the upload phase's close: the masked-input phase waited out its deadline
    });

    it("after its masked input, before unmasking: its input is in the sum, recovered from the others' shares", async () => {
      const { h, table, secure } = await dropped(SECAGG_CLIENT_EVENTS.unmasking, true);
      const plain = plainGlobal(h, slots, table);
      expect(maxDifference(secure, plain)).toBeLessThan(1e-6);
      expect(h.summaries[0]).toMatchObject({ secureAggregation: { summed: 8 } });
    });
  });

  it("FedAvg with nothing to weigh (every n = 0) keeps the table without waiting for masked inputs, as a plain round does", async () => {
    const { h, scripted } = setUp({ secureAggregationGroupSize: 6, minClientsToStart: 6, globalUpdate: "fedavg" }, 6);
    connectAll(h, 6);
    const table = h.sent[0]!.table;
    await scripted.pump();
    for (let slot = 0; slot < 6; slot++) h.machine.submit(clientId(slot), 1, { ...secureUpload(h, slot), numExamples: 0 });
    await h.machine.settled();
    expect(h.summaries).toHaveLength(1);
    expect(h.machine.checkpoint().tables.global).toEqual(table);
    expect(h.summaries[0]).toMatchObject({ aggregated: 6, secureAggregation: { sessions: 1, failed: 0, summed: 0 } });
  });

  it("a session none of whose clients uploaded fails; the other session's sum makes the table", async () => {
    const { h, scripted } = setUp({ secureAggregationGroupSize: 6, minClientsToStart: 7 }, 7);
    connectAll(h, 7);
    const table = h.sent[0]!.table;
    await runRound(h, scripted, 1, [0, 1, 2, 3]); // group 1 (clients 4, 5, 6) shares its keys, then trains past the deadline
    expect(String(h.errors[0])).toMatch(
      /no client of session TEST01 1000000 round 1 attempt 1 group 1 that shared its keys uploaded/,
    );
    const plain = plainGlobal(h, [0, 1, 2, 3], table);
    expect(maxDifference(h.machine.checkpoint().tables.global, plain)).toBeLessThan(1e-6);
    expect(h.summaries[0]).toMatchObject({ aggregated: 4, secureAggregation: { sessions: 2, failed: 1, summed: 4 } });
  });

  it("a session below its threshold fails and yields nothing; the round is redone with the clients still there", async () => {
    // Group of 6 (t = 5): two vanish before their masked input, so the session cannot finish.
    const { h, scripted } = setUp({ secureAggregationGroupSize: 6, minClientsToStart: 6 }, 7);
    scripted.vanishBefore.set(4, SECAGG_CLIENT_EVENTS.masked).set(5, SECAGG_CLIENT_EVENTS.masked);
    connectAll(h, 6);
    const table = h.sent[0]!.table;
    const slots = [0, 1, 2, 3, 4, 5];
    await scripted.pump();
    for (const slot of slots) h.machine.submit(clientId(slot), 1, secureUpload(h, slot));
    await scripted.pump();
    h.machine.disconnect(clientId(4));
    h.machine.disconnect(clientId(5));
    h.machine.connect(clientId(6)); // an idle client is there for the second attempt
    h.clock.now += 10_000;
    h.machine.tick(); // the masked-input phase closes with 4 of 6: the session fails
    await h.machine.settled();
    expect(h.summaries).toEqual([]);
    expect(String(h.errors.at(-1))).toMatch(/attempt 1 summed no client's change; trying again/);
    expect(h.journal.at(-1)).toBe("opened 1 client-0,client-1,client-2,client-3,client-4,client-5,client-6");
    const second = h.sent.filter((s) => s.secure?.session.includes("attempt 2")).map((s) => s.clientId);
    expect(second).toEqual([clientId(0), clientId(1), clientId(2), clientId(3), clientId(6)]);
    await runRound(h, scripted, 1, [6]);
    // Clients 4 and 5 uploaded θ_user in attempt 1 (in the graph) but their change is in no sum: rescaled.
    const secure = h.machine.checkpoint().tables.global;
    expect(maxDifference(secure, rescaled(h, [...slots, 6], [0, 1, 2, 3, 6], table))).toBeLessThan(1e-6);
    expect(h.summaries[0]).toMatchObject({
      aggregated: 7,
      secureAggregation: { sessions: 1, failed: 0, summed: 5, attempts: 2 },
    });
  });

  it("after a restart mid-session the round is redone from the journal's θ_user uploads, never a wrong table", async () => {
    const first = setUp({ secureAggregationGroupSize: 6, minClientsToStart: 6 }, 6);
    connectAll(first.h, 6);
    const table = first.h.sent[0]!.table;
    const slots = [0, 1, 2, 3, 4, 5];
    const accepted = new Map(slots.map((slot) => [clientId(slot), secureUpload(first.h, slot)]));
    // The coordinator stops with every upload journaled and its sessions in memory only.
    const { h, scripted } = setUp({ secureAggregationGroupSize: 6, minClientsToStart: 6 }, 6, {
      round: 1,
      participants: slots.map(clientId),
      accepted,
    });
    connectAll(h, 6);
    expect(h.sent.map((s) => s.secure?.session)).toEqual(Array(6).fill("TEST01 1000000 round 1 attempt 1 group 0"));
    await runRound(h, scripted, 1, []);
    const plain = plainGlobal(h, slots, table);
    expect(maxDifference(h.machine.checkpoint().tables.global, plain)).toBeLessThan(1e-6);
  });
});
