/**
 * The round machine around its rounds, on a fake clock: an aggregation that runs elsewhere (uploads
 * meanwhile are stale, nothing accepted is lost), failures of the aggregation and of the journal,
 * early stopping, pause / start / stop, live settings, and step().
 */
import { describe, expect, it } from "vitest";
import { aggregateTrain } from "../aggregation/graph-strategy.ts";
import {
  clientId,
  completeRound,
  connectAll,
  deferredAggregator,
  harnessUpload,
  machineHarness,
} from "../testing/machine-harness.ts";
import type { TableAggregator } from "./round-strategy.ts";

describe("an aggregation in flight", () => {
  it("answers a new upload for the closing round as stale and a retry as accepted, loses nothing, and commits after the journal", async () => {
    const deferred = deferredAggregator();
    const h = machineHarness({ minClientsToStart: 3, quorum: 0.5, rounds: 2 }, { clients: 3, aggregator: deferred.aggregator });
    connectAll(h, 3);
    const early = [0, 1].map((slot) => harnessUpload(h.machine, slot));
    early.forEach((upload, slot) => h.machine.submit(clientId(slot), 1, upload));
    h.clock.now += 10_000;
    h.machine.tick(); // 2 of 3 at the deadline: closes, aggregation starts
    expect(deferred.waiting).toHaveLength(1);
    expect(h.machine.submit(clientId(2), 1, harnessUpload(h.machine, 2))).toMatchObject({
      ok: false,
      code: "stale-round",
      message: expect.stringMatching(/round 1 is closed \(it is being aggregated\)/),
    });
    expect(h.machine.submit(clientId(0), 1, early[0]!)).toEqual({ ok: true, round: 1 });
    expect(h.machine.submit(clientId(0), 2, early[0]!)).toMatchObject({ code: "wrong-round" });
    h.machine.disconnect(clientId(2));
    h.machine.connect(clientId(2)); // no round:start for a closed round
    h.clock.now += 60_000;
    h.machine.tick(); // no second close, no top-up
    expect(deferred.waiting).toHaveLength(1);
    expect(h.sent.filter((s) => s.round === 1)).toHaveLength(3);
    expect(h.summaries).toEqual([]);
    expect(h.machine.completedRounds).toBe(0);

    deferred.waiting.shift()!();
    await h.machine.settled();
    expect(h.summaries[0]).toMatchObject({ round: 1, sampled: 3, aggregated: 2 });
    expect(h.machine.lastGraph!.participants).toEqual([clientId(0), clientId(1)]);
    expect(h.journal.filter((l) => /^(accepted|completed|opened)/.test(l))).toEqual([
      "opened 1 client-0,client-1,client-2",
      "accepted 1 client-0",
      "accepted 1 client-1",
      "completed 1",
      "opened 2 client-0,client-1,client-2",
    ]);
  });

  it("keeps the round open with its uploads when the aggregation fails, and closes it at a later tick", async () => {
    let failures = 1;
    const flaky: TableAggregator = (options, tables, results, itemDim) => {
      if (failures-- > 0) throw new Error("worker lost");
      return aggregateTrain(options, tables, results, itemDim);
    };
    const h = machineHarness({ minClientsToStart: 2, fractionTrain: 1 }, { clients: 2, aggregator: flaky });
    connectAll(h, 2);
    await completeRound(h, 0.5);
    expect(h.errors.map((e) => (e as Error).message)).toEqual(["worker lost"]);
    expect(h.machine.status().round).toMatchObject({ round: 1, uploaded: 2 });
    expect(h.machine.completedRounds).toBe(0);
    h.machine.tick();
    await h.machine.settled();
    expect(h.summaries.map((s) => [s.round, s.aggregated])).toEqual([[1, 2]]);
  });

  it("changes nothing when the journal cannot persist the completed round", async () => {
    let refuse = true;
    const h = machineHarness(
      { minClientsToStart: 2, fractionTrain: 1 },
      {
        clients: 2,
        journal: {
          roundCompleted: () => {
            if (refuse) throw new Error("disk full");
          },
        },
      },
    );
    connectAll(h, 2);
    const before = h.machine.checkpoint();
    await completeRound(h, 0.5);
    expect(h.errors.map((e) => (e as Error).message)).toEqual(["disk full"]);
    expect(h.machine.checkpoint()).toEqual(before);
    expect(h.machine.best).toBeNull();
    expect(h.summaries).toEqual([]);
    refuse = false;
    h.machine.tick();
    await h.machine.settled();
    expect(h.machine.completedRounds).toBe(1);
    expect(h.machine.best!.tables).toBe(before.tables); // round 1's metrics were measured on the tables sent in it
  });
});

describe("early stopping and the finish", () => {
  it("finishes `earlyStoppingPatience` rounds after the best round and sends every connected client its best-round table", async () => {
    const h = machineHarness({ minClientsToStart: 2, fractionTrain: 1, rounds: 10, earlyStoppingPatience: 2 }, { clients: 2 });
    connectAll(h, 2);
    const sentInRound = (round: number) => h.sent.find((s) => s.round === round)!.table;
    for (const val of [0.2, 0.6, 0.6, 0.4]) await completeRound(h, val);
    expect(h.summaries.map((s) => s.bestRound)).toEqual([1, 2, 2, 2]); // a tie is no improvement
    expect(h.machine.phase).toBe("finished");
    expect(h.machine.stoppedEarlyAt).toBe(4);
    expect(h.machine.status().round).toBeNull();
    expect([...h.finished.keys()]).toEqual([clientId(0), clientId(1)]);
    expect(h.finished.get(clientId(1))).toMatchObject({ completedRounds: 4, stoppedEarlyAt: 4, bestRound: 2 });
    expect(h.finished.get(clientId(1))!.table).toBe(sentInRound(2));
    expect(h.machine.tableForRecommendations(0)).toBe(sentInRound(2));
    expect(h.machine.submit(clientId(0), 5, harnessUpload(h.machine, 0))).toMatchObject({ code: "finished" });
    h.machine.configure({ rounds: 20 }); // more rounds alone do not undo an early stop
    expect(h.machine.phase).toBe("finished");
    h.machine.configure({ earlyStoppingPatience: 5 });
    expect(h.machine.phase).toBe("paused");
    expect(h.machine.stoppedEarlyAt).toBeNull();
  });
});

describe("admin control and settings", () => {
  it("pause holds the next round, start resumes, stop lets the open round finish and then finishes", async () => {
    const h = machineHarness({ minClientsToStart: 2, fractionTrain: 1, rounds: 5 }, { clients: 2 });
    connectAll(h, 2);
    h.machine.control("pause");
    expect(h.machine.phase).toBe("paused");
    await completeRound(h, 0.5); // the open round still completes
    expect(h.machine.completedRounds).toBe(1);
    expect(h.machine.status().round).toBeNull();
    h.machine.tick();
    expect(h.machine.status().round).toBeNull();
    h.machine.control("start");
    expect(h.machine.status().round).toMatchObject({ round: 2 });
    h.machine.control("stop");
    expect(h.finished.size).toBe(0); // round 2 is still open
    await completeRound(h, 0.4);
    expect(h.machine.phase).toBe("finished");
    expect(h.machine.stoppedEarlyAt).toBeNull();
    expect(h.finished.get(clientId(0))).toMatchObject({ completedRounds: 2, bestRound: 1 });
    h.machine.control("start"); // a finished federation stays finished
    expect(h.machine.phase).toBe("finished");
    expect(h.journal.filter((l) => l.startsWith("phase"))).toEqual(["phase paused", "phase waiting", "phase finished"]);
  });

  it("changes live settings for the next round and refuses the rest with the reason", async () => {
    const h = machineHarness({ minClientsToStart: 3, fractionTrain: 1, rounds: 3 }, { clients: 2 });
    connectAll(h, 2);
    expect(() => h.machine.configure({ learningRate: 1 })).toThrow(/cannot change learningRate while the federation runs/);
    expect(() => h.machine.configure({ quorum: 2 })).toThrow(/quorum/);
    expect(h.machine.status().round).toBeNull();
    expect(h.machine.configure({ minClientsToStart: 2 }).minClientsToStart).toBe(2);
    expect(h.machine.status().round).toMatchObject({ round: 1, participants: 2 });
    h.machine.configure({ rounds: 1 });
    await completeRound(h, 0.5);
    expect(h.machine.phase).toBe("finished");
  });

  it("step() runs one round now whatever minClientsToStart, pauses after it, and finishes after the last", async () => {
    const h = machineHarness({ minClientsToStart: 5, fractionTrain: 1, rounds: 2 }, { clients: 2, phase: "paused" });
    connectAll(h, 2);
    expect(h.machine.step()).toBe(1);
    expect(() => h.machine.step()).toThrow(/round 1 is still open/);
    await completeRound(h, 0.5);
    expect(h.machine.phase).toBe("paused");
    expect(h.machine.status().round).toBeNull();
    expect(h.machine.step()).toBe(2);
    await completeRound(h, 0.5);
    expect(h.machine.phase).toBe("finished");
    expect(() => h.machine.step()).toThrow(/has finished/);
  });
});
