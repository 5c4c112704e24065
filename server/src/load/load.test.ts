import { describe, expect, it } from "vitest";
import { redisServerPath } from "../testing/redis-server.ts";
import { isLoopback, parseLoadArgs } from "./load-args.ts";
import { formatLoadReport } from "./load-report.ts";
import { runLoad } from "./run-load.ts";

describe("npm run load arguments", () => {
  it("accepts loopback hosts only", () => {
    for (const host of ["127.0.0.1", "127.3.0.9", "::1", "localhost"]) expect(isLoopback(host)).toBe(true);
    for (const host of ["0.0.0.0", "10.0.0.2", "example.org", "::", "128.0.0.1"]) expect(isLoopback(host)).toBe(false);
    expect(() => parseLoadArgs(["--clients", "5", "--host", "192.168.1.4"])).toThrow(/not a loopback address/);
  });

  it("is bounded in clients and time, and needs --clients", () => {
    expect(() => parseLoadArgs([])).toThrow(/--clients N is required/);
    expect(() => parseLoadArgs(["--clients", "50001"])).toThrow(/at most 50000/);
    expect(() => parseLoadArgs(["--clients", "5", "--time-limit", "3601"])).toThrow(/at most 3600 s/);
    expect(() => parseLoadArgs(["--clients", "5", "--gateways", "9"])).toThrow(/at most 8/);
    expect(() => parseLoadArgs(["--clients", "5", "--client-threads", "17"])).toThrow(/at most 16/);
    expect(() => parseLoadArgs(["--clients", "5", "--gateways", "1", "--kill-leader-in-round", "1"])).toThrow(
      /needs --gateways 2 or more/,
    );
    expect(parseLoadArgs(["--clients", "5", "--set", "fractionTrain=0.1"])).toMatchObject({
      clients: 5,
      host: "127.0.0.1",
      timeLimitSeconds: 900,
      overrides: { fractionTrain: 0.1 },
    });
  });
});

describe("runLoad", () => {
  it("runs 30 protocol clients in two threads against a coordinator in its own process and reports every round", async () => {
    const options = parseLoadArgs([
      "--clients",
      "30",
      "--rounds",
      "2",
      "--items",
      "60",
      "--profile-dim",
      "16",
      "--time-limit",
      "120",
      "--client-threads",
      "2",
    ]);
    const report = await runLoad(options, () => {});
    expect(report.fleet.joined).toBe(30);
    expect(report.rounds.map((r) => [r.round, r.sampled, r.aggregated])).toEqual([
      [1, 30, 30],
      [2, 30, 30],
    ]);
    expect(report.fleet.uploadsAccepted).toBe(60);
    expect(report.fleet.dropped).toEqual({});
    expect(report.fleet.rejected).toEqual({});
    expect(report.connectedAtEnd).toBe(30);
    expect(report.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(report.stalls.map((s) => s.phase)).toEqual(expect.arrayContaining(["round 1"]));
    for (const s of report.stalls) expect(s.coordinatorMs).toBeGreaterThanOrEqual(0);
    expect(formatLoadReport(report)).toMatch(/clients 30, fractionTrain 1: 30 joined/);
    expect(formatLoadReport(report)).toMatch(/ {2}round 1: \d+ ms \/ \d+ ms; load \d+\.\d/);
  }, 120_000);

  it.skipIf(redisServerPath() === null)(
    "runs them against two gateways on Redis, kills the aggregation leader mid-round, and every round still counts every client",
    async () => {
      const options = parseLoadArgs([
        ...["--clients", "30", "--rounds", "3", "--items", "60", "--profile-dim", "16", "--time-limit", "120"],
        ...["--gateways", "2", "--kill-leader-in-round", "2", "--train-ms", "3000"],
      ]);
      const report = await runLoad(options, () => {});
      expect(report.fleet.joined).toBe(30);
      expect(report.rounds.map((r) => [r.round, r.sampled, r.aggregated])).toEqual([
        [1, 30, 30],
        [2, 30, 30],
        [3, 30, 30],
      ]);
      expect(report.failover).toMatchObject({ round: 2 });
      expect(report.failover!.uploadsBefore).toBeGreaterThanOrEqual(15);
      expect(report.failover!.secondsToRoundEnd).toBeGreaterThan(0);
      // The killed gateway's half (client i went to gateway i mod 2) joined again at the other one.
      expect(report.fleet.rejoined).toBe(15);
      expect(report.connectedAtEnd).toBe(30);
      expect(formatLoadReport(report)).toMatch(
        /failover: the leader was killed in round 2 after \d+ accepted uploads; the round ended/,
      );
    },
    120_000,
  );

  it("refuses more rounds than its bound", async () => {
    await expect(runLoad(parseLoadArgs(["--clients", "2", "--rounds", "101"]), () => {})).rejects.toThrow(/at most 100/);
  });
});
