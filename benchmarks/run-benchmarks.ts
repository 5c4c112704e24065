/**
 * `npm run bench`: ML-100K quality and speed. Runs every variant × seed of the simulator as its
 * own process (up to --jobs at a time), then the centralised baselines on the same splits
 * (`npm run baselines`) and the cold-user measurement (benchmarks/cold-users.ts), and prints one
 * Markdown report (test HR@10 / NDCG@10 at the best-validation round, seconds per round, peak
 * memory, baselines, cold users) written beside the results.
 *
 *   npm run bench -- [--seeds 1,2,3] [--variants default,text-graph,…] [--rounds 100] [--jobs 1]
 *                    [--skip-baselines] [--skip-cold] [--out DIR]
 * Timings are only comparable with --jobs 1 (with 2 jobs both runs share the 2 cores).
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { SimulationResult } from "@fedrec/common";
import { REPO_ROOT } from "../server/src/cli/dataset-location.ts";
import { timeSimilarityKernels } from "./similarity-kernel.ts";
import { ON_REQUEST, VARIANT_NAMES, type VariantName } from "./variants.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1,2,3" },
    variants: { type: "string", default: VARIANT_NAMES.filter((v) => !ON_REQUEST.includes(v)).join(",") },
    rounds: { type: "string", default: "100" },
    jobs: { type: "string", default: "1" },
    "skip-baselines": { type: "boolean", default: false },
    "skip-cold": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const seeds = values.seeds.split(",").map(Number);
const variants = values.variants.split(",") as VariantName[];
for (const v of variants)
  if (!VARIANT_NAMES.includes(v)) throw new Error(`unknown variant "${v}" (known: ${VARIANT_NAMES.join(", ")})`);
// Each job gets its share of the cores for its client worker threads.
const workersPerJob = Math.max(1, Math.floor(availableParallelism() / Math.max(1, Number(values.jobs))));
const out = resolve(values.out ?? join(REPO_ROOT, "results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}`));
await mkdir(out, { recursive: true });

interface Run {
  readonly variant: VariantName;
  readonly seed: number;
  readonly dir: string;
}

/** Runs a TypeScript entry point of the repository in its own process; resolves with its stdout. */
function runScript(script: string, args: readonly string[], what: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on("exit", (code) => (code === 0 ? done(stdout) : fail(new Error(`${what} exited with ${code}`))));
  });
}

function runOne(run: Run): Promise<string> {
  const args = ["--variant", run.variant, "--seed", String(run.seed), "--rounds", values.rounds, "--out", run.dir];
  return runScript("benchmarks/run-one.ts", [...args, "--workers", String(workersPerJob)], `${run.variant} seed ${run.seed}`);
}

const runs: Run[] = variants.flatMap((variant) =>
  seeds.map((seed) => ({ variant, seed, dir: join(out, `${variant}-seed${seed}`) })),
);
const queue = [...runs];
const started = performance.now();
await Promise.all(
  Array.from({ length: Math.max(1, Number(values.jobs)) }, async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      console.log(`[bench] ${run.variant} seed ${run.seed} …`);
      await runOne(run);
    }
  }),
);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const fmt = (xs: number[], digits = 4) => `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;

const lines = [
  `## ML-100K, ${values.rounds} rounds, all clients every round, seeds ${seeds.join(", ")}`,
  "",
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; jobs ${values.jobs}, client worker threads per job ${workersPerJob}; wall ${((performance.now() - started) / 60000).toFixed(1)} min.`,
  "",
  "| variant | test HR@10 | test NDCG@10 | best round (per seed) | s/round train | s/round aggregate | s/round evaluate | peak RSS MiB |",
  "|---|---|---|---|---|---|---|---|",
];
for (const variant of variants) {
  const mine = runs.filter((r) => r.variant === variant);
  const results = await Promise.all(
    mine.map(async (r) => JSON.parse(await readFile(join(r.dir, "result.json"), "utf8")) as SimulationResult),
  );
  const stats = await Promise.all(
    mine.map(async (r) => JSON.parse(await readFile(join(r.dir, "run-stats.json"), "utf8")) as { peakRssMiB: number }),
  );
  const perRound = (pick: (s: SimulationResult["rounds"][number]["seconds"]) => number) =>
    mean(results.map((res) => mean(res.rounds.map((r) => pick(r.seconds))))).toFixed(2);
  lines.push(
    `| ${variant} | ${fmt(results.map((r) => r.summary!.test.hr10))} | ${fmt(results.map((r) => r.summary!.test.ndcg10))} | ` +
      `${results.map((r) => r.summary!.bestRound).join(", ")} | ${perRound((s) => s.train)} | ${perRound((s) => s.aggregate)} | ` +
      `${perRound((s) => s.evaluate)} | ${Math.max(...stats.map((s) => s.peakRssMiB)).toFixed(0)} |`,
  );
}
if (!values["skip-baselines"]) {
  const dir = join(out, "baselines");
  await runScript("server/src/bin/baselines.ts", ["--dataset", "ml-100k", "--seeds", seeds.join(","), "--out", dir], "baselines");
  lines.push("", "### Centralised baselines on the same splits", "", await readFile(join(dir, "report.md"), "utf8"));
}
if (!values["skip-cold"]) {
  const cold = await runScript(
    "benchmarks/cold-users.ts",
    ["--seed", String(seeds[0]), "--workers", String(availableParallelism())],
    "cold users",
  );
  lines.push("", "### Cold users", "", cold.slice(cold.indexOf("cold users:")));
}
lines.push("", "Similarity matrix, 943 × (32·384) θ_user vectors:", "");
for (const t of await timeSimilarityKernels()) lines.push(`- ${t.kernel}: ${t.seconds.toFixed(2)} s`);
const report = lines.join("\n") + "\n";
await writeFile(join(out, "report.md"), report);
console.log(`\n${report}\nresults and report: ${out}`);
