/**
 * One benchmark run in its own process (so peak memory is this run's): the simulator on a dataset
 * with a variant and a seed; writes result.json and run-stats.json (peak RSS, wall time) to --out.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { simulate } from "../server/src/cli/simulate.ts";
import { parseSimulateArgs } from "../server/src/cli/simulate-args.ts";
import { VARIANTS, type VariantName } from "./variants.ts";

const { values } = parseArgs({
  options: {
    variant: { type: "string" },
    seed: { type: "string" },
    rounds: { type: "string" },
    dataset: { type: "string" },
    out: { type: "string" },
    workers: { type: "string" },
  },
});
const variant = values.variant as VariantName;
if (!(variant in VARIANTS)) throw new Error(`--variant must be one of ${Object.keys(VARIANTS).join(", ")}`);
const out = values.out!;
const sets = Object.entries(VARIANTS[variant]).flatMap(([k, v]) => ["--set", `${k}=${JSON.stringify(v)}`]);
const started = performance.now();
await simulate(
  parseSimulateArgs([
    "--dataset",
    values.dataset ?? "ml-100k",
    "--seed",
    values.seed ?? "1",
    "--rounds",
    values.rounds ?? "100",
    "--out",
    out,
    "--workers",
    values.workers ?? "1",
    ...sets,
  ]),
  () => undefined,
);
const stats = { peakRssMiB: process.resourceUsage().maxRSS / 1024, wallSeconds: (performance.now() - started) / 1000 };
await writeFile(join(out, "run-stats.json"), JSON.stringify(stats, null, 2) + "\n");
