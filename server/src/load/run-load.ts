/**
 * `npm run load`: a coordinator in its own process, N load clients in this one, R rounds; a
 * report of connect time, round times, the coordinator's RSS and CPU, bytes, and rejected or
 * dropped clients. Bounded by --time-limit whatever happens.
 */
import { fork, type ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { resolveConfig, type RoundSummary } from "@fedrec/common";
import { UsageError } from "../cli/command-line.ts";
import { loadConfig } from "../cli/load-config.ts";
import { MAX_ROUNDS, type LoadOptions } from "./load-args.ts";
import { LoadFleet, type FleetCounts } from "./load-fleet.ts";
import { LoopStallMeter } from "./loop-stall-meter.ts";
import { PhaseStallLog, type PhaseStalls } from "./phase-stalls.ts";
import type { CoordinatorStats, FromCoordinator, LoadFederation, ToCoordinator } from "./load-protocol.ts";

export interface LoadReport {
  readonly clients: number;
  readonly fractionTrain: number;
  readonly connectSeconds: number;
  readonly rounds: readonly RoundSummary[];
  /** The time limit ended the run before its last round. */
  readonly timedOut: boolean;
  readonly peakRssBytes: number;
  /** Coordinator CPU seconds per wall second over the rounds (1 = one core busy). */
  readonly cpuCores: number;
  readonly fleet: FleetCounts;
  readonly coordinatorRejected: Readonly<Record<string, number>>;
  readonly connectedAtEnd: number;
  /** Longest event-loop stalls of both processes and the load average, per phase. */
  readonly stalls: readonly PhaseStalls[];
}

const STATS_EVERY_MS = 1000;

export async function runLoad(options: LoadOptions, log: (line: string) => void = console.log): Promise<LoadReport> {
  const base = await loadConfig(options);
  if (base.rounds > MAX_ROUNDS) throw new UsageError(`rounds must be at most ${MAX_ROUNDS}, got ${base.rounds}`);
  // Round 1 opens when the generator says so, with every client that joined.
  const config = resolveConfig(base, { minClientsToStart: 1, minTrainClients: Math.min(base.minTrainClients, options.clients) });
  const federation: LoadFederation = {
    code: "LOAD01",
    joinToken: "load-generator-join-token",
    numItems: options.numItems,
    profileDim: options.profileDim,
    config,
  };
  const child = fork(fileURLToPath(new URL("./load-coordinator-bootstrap.mjs", import.meta.url)), [], {
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const coordinator = new CoordinatorProcess(child);
  const deadline = Date.now() + options.timeLimitSeconds * 1000;
  const generatorStalls = new LoopStallMeter();
  const stallLog = new PhaseStallLog();
  let fleet: LoadFleet | null = null;
  let peakRss = 0;
  // Every statistics sample also records the stalls since the previous one, in the phase under way.
  const sample = async (): Promise<CoordinatorStats> => {
    const stats = await coordinator.stats();
    peakRss = Math.max(peakRss, stats.rssBytes);
    stallLog.record(fleet?.phase ?? "starting", stats.longestStallMs, generatorStalls.take(), loadavg()[0]!);
    return stats;
  };
  let sampling = true;
  let sampler: Promise<void> = Promise.resolve();
  try {
    const url = await coordinator.start(federation, options.host, deadline);
    // Started once the coordinator listens: before, a statistics reply could answer the start.
    sampler = (async () => {
      while (sampling && coordinator.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, STATS_EVERY_MS));
        if (sampling) await sample().catch(() => undefined);
      }
    })();
    fleet = new LoadFleet(url, federation);
    log(`coordinator ${url} (pid ${child.pid}); connecting ${options.clients} clients …`);
    const connectSeconds = await fleet.connect(options.clients, options.connectBatch);
    const before = await sample();
    log(`${fleet.counts.joined} joined in ${connectSeconds.toFixed(1)} s; coordinator RSS ${mb(before.rssBytes)}`);
    coordinator.begin();
    const t0 = performance.now();
    while (coordinator.rounds.length < config.rounds && Date.now() < deadline && coordinator.exitCode === null) {
      fleet.phase = `round ${coordinator.rounds.length + 1}`;
      await new Promise((r) => setTimeout(r, STATS_EVERY_MS));
    }
    const last = await sample();
    const wall = (performance.now() - t0) / 1000;
    fleet.phase = "after the rounds";
    for (const r of coordinator.rounds)
      log(`round ${r.round}: ${r.seconds.total.toFixed(1)} s (aggregate ${r.seconds.aggregate.toFixed(1)} s)`);
    return {
      clients: options.clients,
      fractionTrain: config.fractionTrain,
      connectSeconds,
      rounds: coordinator.rounds,
      timedOut: coordinator.rounds.length < config.rounds,
      peakRssBytes: peakRss,
      cpuCores: (last.cpuSeconds - before.cpuSeconds) / wall,
      fleet: fleet.counts,
      coordinatorRejected: last.rejected,
      connectedAtEnd: last.connected,
      stalls: stallLog.phases(),
    };
  } finally {
    sampling = false;
    await sampler;
    generatorStalls.stop();
    fleet?.close();
    child.kill();
  }
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** The forked coordinator, spoken to over IPC. */
class CoordinatorProcess {
  readonly rounds: RoundSummary[] = [];
  private waiting: ((message: FromCoordinator) => void)[] = [];
  exitCode: number | null = null;

  constructor(private readonly child: ChildProcess) {
    child.on("message", (message: FromCoordinator) => {
      if (message.kind === "round-end") this.rounds.push(message.summary);
      else for (const w of this.waiting.splice(0)) w(message);
    });
    child.on("exit", (code) => {
      this.exitCode = code ?? -1;
      for (const w of this.waiting.splice(0)) w({ kind: "failed", error: `the coordinator process exited with code ${code}` });
    });
  }

  async start(federation: LoadFederation, host: string, deadline: number): Promise<string> {
    const reply = await this.ask({ kind: "start", federation, host }, deadline);
    if (reply.kind !== "listening")
      throw new Error(`the coordinator did not start: ${reply.kind === "failed" ? reply.error : reply.kind}`);
    return reply.url;
  }

  begin(): void {
    this.child.send({ kind: "begin" } satisfies ToCoordinator);
  }

  async stats(): Promise<CoordinatorStats> {
    const reply = await this.ask({ kind: "stats" }, Date.now() + 60_000);
    if (reply.kind !== "stats")
      throw new Error(`no statistics from the coordinator: ${reply.kind === "failed" ? reply.error : reply.kind}`);
    return reply.stats;
  }

  private ask(message: ToCoordinator, deadline: number): Promise<FromCoordinator> {
    if (this.exitCode !== null)
      return Promise.resolve({ kind: "failed", error: `the coordinator process exited with code ${this.exitCode}` });
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ kind: "failed", error: "no answer before the time limit" }),
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.send(message);
    });
  }
}
