/**
 * Command-line options of `npm run simulate`. Parsing is strict: unknown flags and bad values are
 * errors that say what is allowed.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { PRESETS, type PresetName } from "@fedrec/common";

export const DATASET_KINDS = ["synthetic", "ml-100k", "ml-1m", "csv"] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export interface SimulateOptions {
  readonly dataset: DatasetKind;
  readonly datasetDir: string | null;
  readonly preset: PresetName | null;
  readonly configFile: string | null;
  /** Settings given on the command line (--rounds, --seed, --set key=value), applied last. */
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly out: string | null;
  readonly csv: { readonly interactions: string | null; readonly profiles: string | null; readonly items: string | null };
  readonly synthetic: { readonly numUsers: number | null; readonly numItems: number | null };
  /** Worker threads that run the clients (1 = in this thread). */
  readonly workers: number;
  readonly help: boolean;
}

export const SIMULATE_USAGE = `Usage: npm run simulate -- [options]

  --dataset NAME        ${DATASET_KINDS.join(" | ")} (default: synthetic, the embedded dataset)
  --dataset-dir DIR     where ml-100k/ and ml-1m/ live (default: $FEDREC_DATA_DIR, else ../shared/datasets)
  --preset NAME         ${Object.keys(PRESETS).join(" | ")} (default: the default configuration)
  --config FILE         JSON object of settings applied over the preset
  --rounds N            shortcut for --set rounds=N
  --seed N              shortcut for --set seed=N
  --set KEY=VALUE       any setting (VALUE is JSON, or a plain string); repeatable
  --out DIR             where results go (default: results/<dataset>-<time>)
  --interactions FILE   csv: user,item[,rating][,timestamp]
  --profiles FILE       csv: optional user,profile
  --items FILE          csv: optional item,title
  --users N, --items-count N   synthetic: size (default 100 users × 50 items)
  --workers N           threads that train clients (default: one per core; 1 = in-process);
                        results are identical for any N
  --help
`;

export class UsageError extends Error {
  override name = "UsageError";
}

function positiveInt(flag: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function parseSimulateArgs(argv: readonly string[]): SimulateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: "string" },
        "dataset-dir": { type: "string" },
        preset: { type: "string" },
        config: { type: "string" },
        rounds: { type: "string" },
        seed: { type: "string" },
        set: { type: "string", multiple: true },
        out: { type: "string" },
        interactions: { type: "string" },
        profiles: { type: "string" },
        items: { type: "string" },
        users: { type: "string" },
        "items-count": { type: "string" },
        workers: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const dataset = v.dataset ?? "synthetic";
  if (!(DATASET_KINDS as readonly string[]).includes(dataset)) {
    throw new UsageError(`--dataset must be one of ${DATASET_KINDS.join(", ")}, got "${dataset}"`);
  }
  if (v.preset !== undefined && !(v.preset in PRESETS)) {
    throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(", ")}, got "${v.preset}"`);
  }
  const overrides: Record<string, unknown> = {};
  for (const pair of v.set ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects KEY=VALUE, got "${pair}"`);
    overrides[pair.slice(0, eq)] = jsonOrString(pair.slice(eq + 1));
  }
  if (v.rounds !== undefined) overrides["rounds"] = positiveInt("--rounds", v.rounds);
  if (v.seed !== undefined) {
    const seed = Number(v.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${v.seed}"`);
    overrides["seed"] = seed;
  }
  if (dataset === "csv" && v.interactions === undefined) throw new UsageError("--dataset csv needs --interactions FILE");
  if (dataset !== "csv" && (v.interactions ?? v.profiles ?? v.items) !== undefined) {
    throw new UsageError("--interactions, --profiles and --items apply to --dataset csv only");
  }
  if (dataset !== "synthetic" && (v.users ?? v["items-count"]) !== undefined) {
    throw new UsageError("--users and --items-count apply to --dataset synthetic only");
  }
  return {
    dataset: dataset as DatasetKind,
    datasetDir: v["dataset-dir"] ?? null,
    preset: (v.preset as PresetName | undefined) ?? null,
    configFile: v.config ?? null,
    overrides,
    out: v.out ?? null,
    csv: { interactions: v.interactions ?? null, profiles: v.profiles ?? null, items: v.items ?? null },
    synthetic: { numUsers: positiveInt("--users", v.users), numItems: positiveInt("--items-count", v["items-count"]) },
    workers: positiveInt("--workers", v.workers) ?? availableParallelism(),
    help: v.help ?? false,
  };
}
