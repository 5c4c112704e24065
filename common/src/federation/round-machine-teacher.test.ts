/**
 * The teacher's controls on the round machine, on a fake clock: "step" lets the open round finish
 * (or opens the next one) and pauses; remove() takes a client out of the open round, keeping an
 * upload it made; "reset" starts over from the starting tables — a warm start's, else the seed's
 * draw — and drops an aggregation that was in flight when it returns.
 */
import { describe, expect, it } from "vitest";
import { initialModel } from "../model/initial-model.ts";
import {
  HARNESS_JOIN_TOKEN,
  clientId,
  completeRound,
  connectAll,
  deferredAggregator,
  harnessUpload,
  machineHarness,
} from "../testing/machine-harness.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import { bagOfWordsIdentity } from "../testing/bag-of-words-encoder.ts";

describe("the teacher's controls", () => {
  it("step during a round lets it finish and pauses; step between rounds opens one now, whatever minClientsToStart", async () => {
    const h = machineHarness({ minClientsToStart: 2, fractionTrain: 1, rounds: 4 }, { clients: 2 });
    connectAll(h, 2);
    expect(h.machine.status().round).toMatchObject({ round: 1 });
    h.machine.control("step");
    expect(h.machine.phase).toBe("training");
    await completeRound(h, 0.5);
    expect(h.machine.phase).toBe("paused");
    h.machine.tick();
    expect(h.machine.status().round).toBeNull();

    h.machine.configure({ minClientsToStart: 5 });
    h.machine.control("step");
    expect(h.machine.status().round).toMatchObject({ round: 2, participants: 2 });
    await completeRound(h, 0.6);
    expect(h.machine.phase).toBe("paused");
    expect(h.machine.completedRounds).toBe(2);
  });

  it("step with nobody connected waits: the next round to open is the one after which it pauses", async () => {
    const h = machineHarness({ minClientsToStart: 2, fractionTrain: 1, rounds: 4 }, { clients: 2, phase: "paused" });
    h.machine.control("step");
    expect(h.machine.phase).toBe("waiting");
    connectAll(h, 2);
    expect(h.machine.status().round).toMatchObject({ round: 1 });
    await completeRound(h, 0.5);
    expect(h.machine.phase).toBe("paused");
  });

  it("a removed client leaves the open round (its upload stays when it made one), is told, and the round closes without it", async () => {
    const h = machineHarness({ minClientsToStart: 3, fractionTrain: 1, rounds: 2 }, { clients: 3 });
    connectAll(h, 3);
    h.machine.submit(clientId(0), 1, harnessUpload(h.machine, 0));
    expect(h.machine.remove(clientId(0))).toBe(true); // uploaded already: stays a participant
    expect(h.machine.remove("client-nobody")).toBe(false);
    h.machine.submit(clientId(1), 1, harnessUpload(h.machine, 1));
    expect(h.machine.remove(clientId(2))).toBe(true); // the last one waited for: the round closes
    await h.machine.settled();
    expect(h.notices).toEqual([`kicked ${clientId(0)}`, `kicked ${clientId(2)}`]);
    expect(h.journal).toContain(`opened 1 ${clientId(0)},${clientId(1)}`);
    expect(h.summaries[0]).toMatchObject({ round: 1, sampled: 2, aggregated: 2 });
    expect(h.machine.clientStates().map((c) => c.connected)).toEqual([false, true, false]);
  });

  it("the live federation refuses a removed client's joins with `kicked`", () => {
    const h = machineHarness({ minClientsToStart: 3 });
    const join = {
      protocol: PROTOCOL_VERSION,
      code: "TEST01",
      token: HARNESS_JOIN_TOKEN,
      clientId: "student-0001",
      secret: null,
      numItems: 10,
      profileDim: 4,
      encoder: bagOfWordsIdentity(4),
      label: "Ada",
    };
    const first = h.machine.join(join);
    expect(first).toMatchObject({ clientId: "student-0001" });
    expect(h.machine.kick("student-0001")).toBe(true);
    expect(h.machine.kick("student-0002")).toBe(false);
    const secret = (first as { secret: string }).secret;
    expect(h.machine.join({ ...join, secret })).toMatchObject({
      ok: false,
      code: "kicked",
      message: "the teacher removed client student-0001 from federation TEST01",
    });
  });

  it("reset drops rounds, metrics and best round, restores the seed's table, keeps the clients, and the next start runs round 1 again", async () => {
    const h = machineHarness({ minClientsToStart: 2, fractionTrain: 1, rounds: 2 }, { clients: 2 });
    connectAll(h, 2);
    const first = h.sent.filter((s) => s.round === 1).map((s) => s.table);
    await completeRound(h, 0.5);
    await completeRound(h, 0.6);
    expect(h.machine.phase).toBe("finished");
    h.machine.control("reset");
    expect(h.journal.at(-1)).toBe("reset");
    expect(h.notices).toEqual(["reset"]);
    expect(h.machine.status()).toMatchObject({ phase: "paused", completedRounds: 0, lastRound: null, best: null, round: null });
    expect(h.machine.history).toEqual([]);
    expect(h.machine.checkpoint().latestMetrics.size).toBe(0);
    expect(h.machine.checkpoint().tables.global).toEqual(initialModel(h.machine.config, h.machine.dims).itemTable);
    expect(h.machine.clientStates()).toHaveLength(2);
    h.machine.control("start");
    const again = h.sent.filter((s) => s.round === 1).slice(2);
    expect(again.map((s) => s.table)).toEqual(first);
  });

  it("reset restores a warm start's table, and an aggregation in flight is dropped when it returns", async () => {
    const { aggregator, waiting } = deferredAggregator();
    const size = 10 * machineHarness({}).machine.dims.itemDim;
    const warm = Float32Array.from({ length: size }, (_, k) => k / 1000);
    const h = machineHarness(
      { minClientsToStart: 2, fractionTrain: 1, rounds: 3 },
      { clients: 2, aggregator, starting: { global: warm, personal: new Map() } },
    );
    connectAll(h, 2);
    expect(h.sent.map((s) => s.table)).toEqual([warm, warm]);
    for (const slot of [0, 1]) h.machine.submit(clientId(slot), 1, harnessUpload(h.machine, slot));
    expect(waiting).toHaveLength(1); // round 1 aggregating
    h.machine.control("reset");
    waiting.shift()!();
    await h.machine.settled();
    expect(h.summaries).toEqual([]);
    expect(h.journal).not.toContain("completed 1");
    expect(h.machine.completedRounds).toBe(0);
    expect(h.machine.checkpoint().tables.global).toEqual(warm);
    expect(() => machineHarness({}, { starting: { global: new Float32Array(3), personal: new Map() } })).toThrow(
      `the starting item table has 3 values, expected numItems × itemDim = ${size}`,
    );
  });
});
