/**
 * `npm run load`: a coordinator in its own process — or, with --gateways N, N gateway processes
 * sharing the federation through a throwaway redis-server — N load clients in this one, R rounds;
 * a report of connect time, round times, the servers' RSS and CPU, bytes, and rejected or dropped
 * clients, and (--kill-leader-in-round) how long a round takes to finish once its aggregation
 * leader is killed. Bounded by --time-limit whatever happens.
 */
import { loadavg } from "node:os";
import { resolveConfig, type RoundSummary } from "@fedrec/common";
import { UsageError } from "../cli/command-line.ts";
import { loadConfig } from "../cli/load-config.ts";
import { startTestRedis, type TestRedis } from "../testing/redis-server.ts";
import { MAX_ROUNDS, type LoadOptions } from "./load-args.ts";
import { FleetThreads } from "./fleet-threads.ts";
import type { FleetCounts } from "./load-fleet.ts";
import { LoopStallMeter } from "./loop-stall-meter.ts";
import { PhaseStallLog, type PhaseStalls } from "./phase-stalls.ts";
import type { CoordinatorStats, LoadFederation } from "./load-protocol.ts";
import { ServerProcess } from "./server-process.ts";

export interface Failover {
  /** The round in which the leader was killed (SIGKILL), and how many of its uploads were accepted by then. */
  readonly round: number;
  readonly uploadsBefore: number;
  /** From the kill to the end of that round (null: it did not end within the time limit). */
  readonly secondsToRoundEnd: number | null;
}

export interface LoadReport {
  readonly clients: number;
  readonly fractionTrain: number;
  /** 0: one coordinator; otherwise gateways of a cluster. */
  readonly gateways: number;
  readonly connectSeconds: number;
  readonly rounds: readonly RoundSummary[];
  /** The time limit ended the run before its last round. */
  readonly timedOut: boolean;
  /** The servers' RSS added up, at its highest sample. */
  readonly peakRssBytes: number;
  /** The servers' CPU seconds per wall second over the rounds (1 = one core busy). */
  readonly cpuCores: number;
  readonly fleet: FleetCounts;
  readonly coordinatorRejected: Readonly<Record<string, number>>;
  readonly connectedAtEnd: number;
  /** Longest event-loop stalls of the servers (the longest of any) and the generator, and the load average, per phase. */
  readonly stalls: readonly PhaseStalls[];
  readonly failover: Failover | null;
}

const STATS_EVERY_MS = 1000;

export async function runLoad(options: LoadOptions, log: (line: string) => void = console.log): Promise<LoadReport> {
  const base = await loadConfig(options);
  if (base.rounds > MAX_ROUNDS) throw new UsageError(`rounds must be at most ${MAX_ROUNDS}, got ${base.rounds}`);
  if (options.killLeaderInRound !== null && options.killLeaderInRound > base.rounds)
    throw new UsageError(`--kill-leader-in-round ${options.killLeaderInRound} is past the last round (${base.rounds})`);
  // Round 1 opens when the generator says so, with every client that joined.
  const config = resolveConfig(base, { minClientsToStart: 1, minTrainClients: Math.min(base.minTrainClients, options.clients) });
  const federation: LoadFederation = {
    code: "LOAD01",
    joinToken: "load-generator-join-token",
    numItems: options.numItems,
    profileDim: options.profileDim,
    config,
  };
  const deadline = Date.now() + options.timeLimitSeconds * 1000;
  const rounds: RoundSummary[] = [];
  const roundEnded: number[] = [];
  const onRoundEnd = (summary: RoundSummary) => {
    rounds.push(summary);
    roundEnded.push(performance.now());
  };
  const servers = Array.from({ length: Math.max(1, options.gateways) }, () => new ServerProcess(onRoundEnd));
  const generatorStalls = new LoopStallMeter();
  const stallLog = new PhaseStallLog();
  let redis: TestRedis | null = null;
  let fleet: FleetThreads | null = null;
  let peakRss = 0;
  // Every sample also records the stalls since the previous one, in the phase under way.
  const sample = async (): Promise<readonly CoordinatorStats[]> => {
    const stats = (await Promise.all(servers.map((s) => s.stats()))).filter((s) => s !== null);
    peakRss = Math.max(peakRss, sum(stats.map((s) => s.rssBytes)));
    const serverStall = Math.max(0, ...stats.map((s) => s.longestStallMs));
    const generatorStall = Math.max(generatorStalls.take(), fleet?.takeLongestStall() ?? 0);
    stallLog.record(fleet?.phase ?? "starting", serverStall, generatorStall, loadavg()[0]!);
    return stats;
  };
  const cpuSeconds = () => sum(servers.map((s) => s.lastStats?.cpuSeconds ?? 0));
  let sampling = true;
  let sampler: Promise<void> = Promise.resolve();
  try {
    const redisUrl = options.gateways > 0 ? (redis = await startTestRedis()).url : null;
    const cluster = redisUrl === null ? null : { redisUrl, leaseMs: options.leaseMs };
    // The first server creates the federation; the other gateways find it in Redis.
    const urls = [await servers[0]!.start(federation, options.host, cluster, deadline)];
    urls.push(...(await Promise.all(servers.slice(1).map((s) => s.start(federation, options.host, cluster, deadline)))));
    sampler = (async () => {
      while (sampling && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, STATS_EVERY_MS));
        if (sampling) await sample();
      }
    })();
    fleet = await FleetThreads.start(options.clientThreads, {
      urls,
      federation,
      failover: options.gateways > 1,
      trainMs: options.trainMs,
    });
    const where = redisUrl === null ? `coordinator ${urls[0]}` : `${urls.length} gateways (${urls.join(", ")}) on ${redisUrl}`;
    log(`${where}; pids ${servers.map((s) => s.pid).join(", ")}; connecting ${options.clients} clients …`);
    const connectSeconds = await fleet.connect(options.clients, options.connectBatch);
    // A cluster's leader hears of a connection from its gateway just after the join is answered: wait for all.
    const joined = fleet.counts.joined;
    const waitUntil = Math.min(deadline, Date.now() + 30_000);
    while (sum((await sample()).map((s) => s.clientsConnected)) < joined && Date.now() < waitUntil)
      await new Promise((r) => setTimeout(r, 100));
    const cpuBefore = cpuSeconds();
    log(`${fleet.counts.joined} joined in ${connectSeconds.toFixed(1)} s; servers' RSS ${mb(peakRss)}`);
    for (const server of servers) server.begin();
    const t0 = performance.now();
    let failover: { round: number; uploadsBefore: number; at: number } | null = null;
    let uploadsAtRoundStart = 0;
    while (rounds.length < config.rounds && Date.now() < deadline && servers.some((s) => s.exitCode === null)) {
      const round = rounds.length + 1;
      if (fleet.phase !== `round ${round}`) {
        if (round > 1) await sample(); // the stalls so far belong to the round that just ended
        uploadsAtRoundStart = fleet.counts.uploadsAccepted;
        fleet.phase = `round ${round}`;
      }
      const uploads = fleet.counts.uploadsAccepted - uploadsAtRoundStart;
      const leader = servers.find((s) => s.exitCode === null && s.lastStats?.leader === true);
      // Kill the leader once about half of the round's uploads are accepted.
      if (
        failover === null &&
        round === options.killLeaderInRound &&
        leader &&
        uploads >= (fleet.counts.joined * config.fractionTrain) / 2
      ) {
        leader.kill("SIGKILL");
        failover = { round, uploadsBefore: uploads, at: performance.now() };
        log(`round ${round}: killed the aggregation leader (pid ${leader.pid}) after ${uploads} accepted uploads`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const last = await sample();
    const wall = (performance.now() - t0) / 1000;
    const counts = await fleet.close();
    fleet = null;
    for (const r of rounds)
      log(`round ${r.round}: ${r.seconds.total.toFixed(1)} s (aggregate ${r.seconds.aggregate.toFixed(1)} s)`);
    const endOfKilledRound = failover && roundEnded[rounds.findIndex((r) => r.round === failover.round)];
    return {
      clients: options.clients,
      fractionTrain: config.fractionTrain,
      gateways: options.gateways,
      connectSeconds,
      rounds,
      timedOut: rounds.length < config.rounds,
      peakRssBytes: peakRss,
      cpuCores: (cpuSeconds() - cpuBefore) / wall,
      fleet: counts,
      coordinatorRejected: last.find((s) => s.leader)?.rejected ?? {},
      connectedAtEnd: sum(last.map((s) => s.connected)),
      stalls: stallLog.phases(),
      failover: failover && {
        round: failover.round,
        uploadsBefore: failover.uploadsBefore,
        secondsToRoundEnd:
          endOfKilledRound === undefined || endOfKilledRound === null ? null : (endOfKilledRound - failover.at) / 1000,
      },
    };
  } finally {
    sampling = false;
    await sampler;
    generatorStalls.stop();
    await fleet?.close();
    for (const server of servers) server.kill();
    await redis?.close();
  }
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
