/**
 * Live federation benchmark: every ML-100K user as a headless client over loopback sockets,
 * against the in-process simulator with the same configuration, in the same run.
 *
 *   npx tsx benchmarks/live-federation.ts [--rounds 20] [--client-processes 2] [--variant default] [--out DIR]
 *
 * Spawns: the simulator (benchmarks/run-one.ts, 2 worker threads), then the coordinator CLI and
 * P `npm run clients` processes (the clients split evenly, joining in user order). Reports seconds
 * per round, bytes per client-round against the dense item table, coordinator peak memory, HR@10 /
 * NDCG@10, and whether every round's loss and metrics equal the simulator's bit for bit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { RoundSummary, SimulationResult } from "@fedrec/common";
import { REPO_ROOT } from "../server/src/cli/dataset-location.ts";
import { VARIANTS, type VariantName } from "./variants.ts";
import { freePort } from "../server/src/testing/free-port.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string" },
    "client-processes": { type: "string" },
    out: { type: "string" },
    variant: { type: "string" },
  },
});
const ROUNDS = Number(values.rounds ?? 20);
const VARIANT = (values.variant ?? "default") as VariantName;
if (!(VARIANT in VARIANTS)) throw new Error(`--variant must be one of ${Object.keys(VARIANTS).join(", ")}`);
const variantSettings = Object.entries(VARIANTS[VARIANT]).flatMap(([k, v]) => ["--set", `${k}=${JSON.stringify(v)}`]);
const PROCESSES = Number(values["client-processes"] ?? 2);
const USERS = 943;
const OUT = resolve(values.out ?? join(REPO_ROOT, "results", `bench-live-${new Date().toISOString().replace(/[:.]/g, "-")}`));
const CODE = "BENCH1";
const JOIN = "bench-join-token";
const ADMIN = "bench-admin-token";

function run(args: string[], log: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  child.stdout!.on("data", (d: Buffer) => lines.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => lines.push(d.toString()));
  child.on("exit", () => void writeFile(join(OUT, log), lines.join("")));
  return child;
}

const exited = (child: ChildProcess) => new Promise<number>((r) => child.on("exit", (code) => r(code ?? -1)));

async function peakMemoryMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

await mkdir(OUT, { recursive: true });
const settings = ["--seed", "1", "--rounds", String(ROUNDS)];

// 1. The simulator, same configuration.
console.log(`simulator: ML-100K, ${ROUNDS} rounds, 2 worker threads …`);
const simOut = join(OUT, "simulator");
const sim = run(
  ["benchmarks/run-one.ts", "--variant", VARIANT, "--seed", "1", "--rounds", String(ROUNDS), "--workers", "2", "--out", simOut],
  "simulator.log",
);
if ((await exited(sim)) !== 0) throw new Error("simulator run failed; see simulator.log");
const simulated = JSON.parse(await readFile(join(simOut, "result.json"), "utf8")) as SimulationResult;
const simStats = JSON.parse(await readFile(join(simOut, "run-stats.json"), "utf8")) as { peakRssMiB: number };

// 2. The live federation.
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const database = join(OUT, "coordinator.sqlite");
await rm(database, { force: true });
console.log(`live: coordinator on ${url}, ${USERS} clients in ${PROCESSES} processes …`);
const coordinator = run(
  [
    ...["server/src/bin/coordinator.ts", "--host", "127.0.0.1", "--port", String(port), "--db", database, "--dataset", "ml-100k"],
    ...["--code", CODE, "--join-token", JOIN, "--admin-token", ADMIN, ...settings],
    ...["--set", `minClientsToStart=${USERS}`, "--set", "roundDeadlineSeconds=600", ...variantSettings],
  ],
  "coordinator.log",
);
const status = async () => {
  try {
    return (
      (await (await fetch(`${url}/api/status`)).json()) as {
        federations: { phase: string; completedRounds: number; clients: { registered: number } }[];
      }
    ).federations[0]!;
  } catch {
    return null;
  }
};
while ((await status()) === null) await new Promise((r) => setTimeout(r, 200));
const started = Date.now();
const per = Math.ceil(USERS / PROCESSES);
// Each process's clients join in user order; the next process starts once they are all registered,
// so slots equal user indices as in the simulator and every float sum runs in the same order.
const clients: ChildProcess[] = [];
for (let p = 0; p < PROCESSES; p++) {
  const count = Math.min(per, USERS - p * per);
  clients.push(
    run(
      [
        ...["server/src/bin/clients.ts", "--url", url, "--code", CODE, "--token", JOIN, "--dataset", "ml-100k"],
        ...["--first", String(p * per), "--count", String(count)],
      ],
      `clients-${p}.log`,
    ),
  );
  while (((await status())?.clients.registered ?? 0) < p * per + count) await new Promise((r) => setTimeout(r, 200));
}
for (;;) {
  const s = await status();
  if (s?.phase === "finished") break;
  await new Promise((r) => setTimeout(r, 500));
}
const wallSeconds = (Date.now() - started) / 1000;
const coordinatorPeak = await peakMemoryMiB(coordinator.pid!);
const clientPeaks = await Promise.all(clients.map((c) => peakMemoryMiB(c.pid!)));
const history = (
  (await (await fetch(`${url}/api/federations/${CODE}/rounds`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
    rounds: RoundSummary[];
  }
).rounds;
for (const c of [coordinator, ...clients]) c.kill("SIGTERM");

// 3. Report.
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
// The dense float32 item table of the configuration that ran (items × itemDim × 4 bytes).
const dense = simulated.dataset.items * simulated.config.itemDim * 4;
const liveSeconds = mean(history.map((h) => h.seconds.total));
const aggregateSeconds = mean(history.map((h) => h.seconds.aggregate));
const simSeconds = mean(simulated.rounds.map((r) => r.seconds.train + r.seconds.aggregate + r.seconds.evaluate));
const up = mean(history.map((h) => h.bytes.in / h.aggregated));
const down = mean(history.map((h) => h.bytes.out / h.sampled));
const last = history.at(-1)!;
// The round machine is the simulator's: with slots in user order every round must agree exactly.
const sameRound = (h: RoundSummary, r: SimulationResult["rounds"][number]) =>
  h.sampled === r.participants &&
  (h.loss ?? Number.NaN) === r.loss &&
  h.metrics.val.hr10 === r.val.hr10 &&
  h.metrics.val.ndcg10 === r.val.ndcg10 &&
  h.metrics.test.hr10 === r.test.hr10 &&
  h.metrics.test.ndcg10 === r.test.ndcg10;
const firstDifferentRound = history.findIndex((h, i) => !sameRound(h, simulated.rounds[i]!)) + 1 || null;
const simLast = simulated.rounds.at(-1)!;
const report = {
  date: new Date().toISOString(),
  variant: VARIANT,
  rounds: ROUNDS,
  clients: USERS,
  clientProcesses: PROCESSES,
  secondsPerRound: { live: liveSeconds, liveAggregate: aggregateSeconds, simulator: simSeconds, ratio: liveSeconds / simSeconds },
  wallSeconds,
  bytesPerClientRound: { up, down, denseTable: dense, upOverDense: up / dense, downOverDense: down / dense },
  peakMemoryMiB: { coordinator: coordinatorPeak, clientProcesses: clientPeaks, simulator: simStats.peakRssMiB },
  bitIdenticalToSimulator: history.length === simulated.rounds.length && firstDifferentRound === null,
  firstDifferentRound,
  afterLastRound: {
    live: { hr10: last.metrics.test.hr10, ndcg10: last.metrics.test.ndcg10, valHr10: last.metrics.val.hr10 },
    simulator: { hr10: simLast.test.hr10, ndcg10: simLast.test.ndcg10, valHr10: simLast.val.hr10 },
  },
};
await writeFile(join(OUT, "live-report.json"), JSON.stringify(report, null, 2) + "\n");
console.log(JSON.stringify(report, null, 2));
