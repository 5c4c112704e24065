/**
 * The round rules of the one round machine, on a fake clock: sampling, closing when everyone is
 * in, dropouts and the deadline with the quorum, top-up of idle clients (a late joiner), reconnects,
 * and the verdicts on stale, future, unsampled, duplicate and retried uploads.
 */
import { describe, expect, it } from "vitest";
import { sampleParticipants } from "../aggregation/sample-participants.ts";
import { streamOf } from "../random/federation-streams.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import { bagOfWordsIdentity } from "../testing/bag-of-words-encoder.ts";
import { HARNESS_JOIN_TOKEN, HARNESS_SHAPE, clientId, harnessUpload, machineHarness } from "../testing/machine-harness.ts";

const SEED = 7;

describe("joining (the live federation's front door)", () => {
  const request = (id: string, secret: string | null, label: string | null = null) => ({
    protocol: PROTOCOL_VERSION,
    code: "TEST01",
    token: HARNESS_JOIN_TOKEN,
    clientId: id,
    secret,
    ...HARNESS_SHAPE,
    encoder: bagOfWordsIdentity(HARNESS_SHAPE.profileDim),
    label,
  });

  it("registers a new client in the next slot with a new secret, and lets it back only with that secret", () => {
    const h = machineHarness({ minClientsToStart: 5 }, { clients: 1 });
    const joined = h.machine.join(request("newcomer", null, "Ada"));
    expect(joined).toMatchObject({ clientId: "newcomer", secret: "secret-1" });
    expect((joined as { table: Float32Array }).table).toBe(h.machine.checkpoint().tables.global);
    expect(h.journal.at(-1)).toBe("registered newcomer");
    expect(h.machine.clientStates().map((c) => [c.clientId, c.slot, c.label])).toEqual([
      [clientId(0), 0, "label 0"],
      ["newcomer", 1, "Ada"],
    ]);
    expect(h.machine.join(request("newcomer", "secret-1", "Ada L."))).toMatchObject({ clientId: "newcomer" });
    expect(h.machine.clientStates()[1]!.label).toBe("Ada L.");
    expect(h.machine.join(request("newcomer", null))).toMatchObject({ code: "bad-token", message: /another secret/ });
    expect(h.machine.join(request("newcomer", "secret-2"))).toMatchObject({ code: "bad-token" });
    expect(h.machine.join(request("stranger", "secret-1"))).toMatchObject({ code: "bad-token", message: /not registered/ });
    expect(h.machine.join({ ...request("other", null), token: "wrong" })).toMatchObject({ code: "bad-token" });
    expect(h.machine.join({ ...request("other", null), numItems: 11 })).toMatchObject({ code: "catalogue-mismatch" });
    expect(h.machine.registry.size).toBe(2);
  });
});

describe("opening a round", () => {
  it("waits for minClientsToStart connected clients, then samples fractionTrain of them and sends each its table", () => {
    const h = machineHarness({ seed: SEED, minClientsToStart: 4, fractionTrain: 0.5, minTrainClients: 1 }, { clients: 5 });
    for (const slot of [0, 1, 2]) h.machine.connect(clientId(slot));
    expect(h.machine.phase).toBe("waiting");
    expect(h.sent).toEqual([]);
    h.machine.connect(clientId(4));
    // ⌊0.5 · 4⌋ = 2 of the connected slots [0, 1, 2, 4], drawn by the round's fork of the sampling stream.
    const expected = sampleParticipants([0, 1, 2, 4], 0.5, 1, streamOf(SEED, "sampling").fork(1));
    expect(expected).toHaveLength(2);
    expect(h.machine.phase).toBe("training");
    expect(h.sent.map((s) => s.clientId)).toEqual(expected.map(clientId));
    expect(h.sent.every((s) => s.round === 1 && s.deadline === h.clock.now + 10_000)).toBe(true);
    expect(h.sent[0]!.table).toBe(h.machine.checkpoint().tables.global);
    expect(h.journal.at(-1)).toBe(`opened 1 ${expected.map(clientId).join(",")}`);
  });

  it("closes as soon as every participant has uploaded: loss and metrics combined in slot order, then the next round opens", async () => {
    const h = machineHarness({ minClientsToStart: 3, fractionTrain: 1, rounds: 2 }, { clients: 3 });
    for (const slot of [2, 0, 1]) h.machine.connect(clientId(slot));
    const uploads = [
      harnessUpload(h.machine, 0, { loss: 0.5, val: { hr10: 1, ndcg10: 0.5, count: 1 } }),
      harnessUpload(h.machine, 1, { loss: 0.25, val: { hr10: 0, ndcg10: 0, count: 3 } }),
      harnessUpload(h.machine, 2, { loss: null, val: { hr10: 0, ndcg10: 0, count: 0 } }),
    ];
    // Uploads arrive out of slot order; the round closes on the last one.
    for (const slot of [1, 2, 0]) expect(h.machine.submit(clientId(slot), 1, uploads[slot]!)).toEqual({ ok: true, round: 1 });
    await h.machine.settled();
    expect(h.summaries).toHaveLength(1);
    expect(h.summaries[0]).toMatchObject({ round: 1, sampled: 3, aggregated: 3, loss: 0.375, bestRound: 1 });
    // val HR@10 = (1·1 + 0·3 + 0·0) / 4; NDCG@10 = 0.5 / 4.
    expect(h.summaries[0]!.metrics.val).toEqual({ hr10: 0.25, ndcg10: 0.125, count: 4 });
    expect(h.machine.lastGraph!.participants).toEqual([clientId(0), clientId(1), clientId(2)]);
    expect(h.machine.completedRounds).toBe(1);
    expect(h.machine.status().round).toMatchObject({ round: 2, participants: 3, uploaded: 0 });
    expect(h.journal.filter((line) => /^(accepted|completed|opened)/.test(line))).toEqual([
      "opened 1 client-0,client-1,client-2",
      "accepted 1 client-1",
      "accepted 1 client-2",
      "accepted 1 client-0",
      "completed 1",
      "opened 2 client-0,client-1,client-2",
    ]);
  });
});

describe("deadline, quorum and dropouts", () => {
  it("a client that drops mid-round does not block the round: it closes at the deadline with the quorum", async () => {
    const h = machineHarness({ minClientsToStart: 3, quorum: 0.6, rounds: 1 }, { clients: 3 });
    for (const slot of [0, 1, 2]) h.machine.connect(clientId(slot));
    h.machine.disconnect(clientId(2));
    expect(h.machine.clientStates().map((c) => c.state)).toEqual(["training", "training", "dropped"]);
    for (const slot of [0, 1]) h.machine.submit(clientId(slot), 1, harnessUpload(h.machine, slot));
    expect(h.machine.clientStates().map((c) => c.state)).toEqual(["uploaded", "uploaded", "dropped"]);
    h.clock.now += 9_999;
    h.machine.tick();
    await h.machine.settled();
    expect(h.summaries).toEqual([]); // still open: the third may come back
    h.clock.now += 1;
    h.machine.tick();
    await h.machine.settled();
    expect(h.summaries[0]).toMatchObject({ round: 1, sampled: 3, aggregated: 2 });
    expect(h.machine.phase).toBe("finished");
  });

  it("below the quorum at the deadline the round stays open, adds idle clients (a late joiner), and keeps what it accepted", async () => {
    const h = machineHarness(
      { minClientsToStart: 2, minTrainClients: 2, fractionTrain: 0.1, quorum: 0.6, rounds: 1 },
      { clients: 2 },
    );
    h.machine.connect(clientId(0));
    h.machine.connect(clientId(1));
    h.machine.submit(clientId(0), 1, harnessUpload(h.machine, 0));
    h.machine.disconnect(clientId(1));
    h.machine.register(clientId(2), "", "late");
    h.machine.connect(clientId(2)); // arrives late, idle
    expect(h.machine.clientStates().map((c) => c.state)).toEqual(["uploaded", "dropped", "idle"]);
    const sentBefore = h.sent.length;
    h.clock.now += 10_000;
    h.machine.tick(); // 1 of 2 < ⌈0.6 · 2⌉: top up
    expect(h.sent.slice(sentBefore).map((s) => [s.clientId, s.deadline])).toEqual([[clientId(2), h.clock.now + 10_000]]);
    expect(h.machine.status().round).toMatchObject({ participants: 3, uploaded: 1, deadline: h.clock.now + 10_000 });
    expect(h.journal.at(-1)).toBe("opened 1 client-0,client-1,client-2");
    h.machine.submit(clientId(2), 1, harnessUpload(h.machine, 2));
    h.clock.now += 9_000;
    h.machine.tick();
    await h.machine.settled();
    expect(h.summaries).toEqual([]); // 2 of 3 meet the quorum, but only at the new deadline
    h.clock.now += 1_000;
    h.machine.tick();
    await h.machine.settled();
    expect(h.summaries[0]).toMatchObject({ sampled: 3, aggregated: 2 });
    expect(h.machine.lastGraph!.participants).toEqual([clientId(0), clientId(2)]);
  });

  it("a participant that reconnects before uploading gets its round again; one that uploaded does not", () => {
    const h = machineHarness({ minClientsToStart: 2, fractionTrain: 1 }, { clients: 2 });
    h.machine.connect(clientId(0));
    h.machine.connect(clientId(1));
    h.machine.submit(clientId(0), 1, harnessUpload(h.machine, 0));
    for (const slot of [0, 1]) h.machine.disconnect(clientId(slot));
    const sentBefore = h.sent.length;
    for (const slot of [0, 1]) h.machine.connect(clientId(slot));
    expect(h.sent.slice(sentBefore).map((s) => [s.clientId, s.round])).toEqual([[clientId(1), 1]]);
  });
});

describe("upload verdicts", () => {
  it("refuses stale, future and unsampled uploads with reasons, accepts a retry and refuses a different second upload", async () => {
    const h = machineHarness(
      { minClientsToStart: 3, fractionTrain: 0.5, minTrainClients: 2, quorum: 0.5, rounds: 3 },
      { clients: 3 },
    );
    for (const slot of [0, 1, 2]) h.machine.connect(clientId(slot));
    const [a, b] = h.sent.map((s) => Number(s.clientId.slice("client-".length)));
    const idle = [0, 1, 2].find((s) => s !== a && s !== b)!;
    expect(h.machine.submit(clientId(a!), 3, harnessUpload(h.machine, a!))).toMatchObject({ ok: false, code: "wrong-round" });
    expect(h.machine.submit(clientId(idle), 1, harnessUpload(h.machine, idle))).toMatchObject({ ok: false, code: "not-sampled" });
    const first = harnessUpload(h.machine, a!);
    expect(h.machine.submit(clientId(a!), 1, first)).toEqual({ ok: true, round: 1 });
    expect(h.machine.submit(clientId(a!), 1, harnessUpload(h.machine, a!))).toEqual({ ok: true, round: 1 }); // equal data: a retry
    expect(h.machine.submit(clientId(a!), 1, harnessUpload(h.machine, a!, { row: 9 }))).toMatchObject({ code: "duplicate" });
    expect(h.journal.filter((l) => l.startsWith("accepted"))).toEqual([`accepted 1 ${clientId(a!)}`]);
    h.clock.now += 10_000;
    h.machine.tick();
    await h.machine.settled();
    const late = h.machine.submit(clientId(b!), 1, harnessUpload(h.machine, b!));
    expect(late).toMatchObject({ ok: false, code: "stale-round", message: expect.stringMatching(/round 1 is closed/) });
    expect(h.summaries[0]).toMatchObject({ sampled: 2, aggregated: 1 });
  });

  it("reads a wire upload's arrays only after the round rules, and refuses arrays of the wrong shape", () => {
    const h = machineHarness({ minClientsToStart: 1, fractionTrain: 1 }, { clients: 1 });
    h.machine.connect(clientId(0));
    const wire = {
      round: 1,
      clientId: clientId(0),
      userWeights: new Uint8Array(3), // not a whole float32
      rows: new Uint8Array(0),
      values: new Uint8Array(0),
      numExamples: 1,
      loss: null,
      metrics: harnessUpload(h.machine, 0).metrics,
    };
    expect(h.machine.upload(clientId(0), { ...wire, round: 2 })).toMatchObject({ code: "wrong-round" });
    expect(h.machine.upload(clientId(0), wire)).toMatchObject({ ok: false, code: "wrong-shape" });
    expect(h.machine.status().round!.uploaded).toBe(0);
  });
});
