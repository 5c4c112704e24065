/**
 * Command-line options shared by the simulator, the coordinator and the headless clients: which
 * dataset, and which configuration (preset, JSON file, --set overrides). Parsing is strict:
 * unknown flags and bad values are errors that say what is allowed.
 */
import { parseArgs } from "node:util";
import { PRESETS, type PresetName } from "@fedrec/common";

export const DATASET_KINDS = ["synthetic", "ml-100k", "ml-1m", "csv"] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export interface DatasetOptions {
  readonly dataset: DatasetKind;
  readonly datasetDir: string | null;
  readonly csv: { readonly interactions: string | null; readonly profiles: string | null; readonly items: string | null };
  readonly synthetic: { readonly numUsers: number | null; readonly numItems: number | null };
}

export interface ConfigOptions {
  readonly preset: PresetName | null;
  readonly configFile: string | null;
  /** Settings given on the command line (--rounds, --seed, --set key=value), applied last. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

export const DATASET_USAGE = `  --dataset NAME        ${DATASET_KINDS.join(" | ")} (default: synthetic, the embedded dataset)
  --dataset-dir DIR     where ml-100k/ and ml-1m/ live (default: $FEDREC_DATA_DIR, else ../shared/datasets)
  --interactions FILE   csv: user,item[,rating][,timestamp]
  --profiles FILE       csv: optional user,profile
  --items FILE          csv: optional item,title
  --users N, --items-count N   synthetic: size (default 100 users × 50 items)`;

export const CONFIG_USAGE = `  --preset NAME         ${Object.keys(PRESETS).join(" | ")} (default: the default configuration)
  --config FILE         JSON object of settings applied over the preset
  --rounds N            shortcut for --set rounds=N
  --seed N              shortcut for --set seed=N
  --set KEY=VALUE       any setting (VALUE is JSON, or a plain string); repeatable
  --dp-epsilon E        client-level DP with this ε target (--set dpEpsilon=E; docs/privacy.md)
  --dp-delta D          its δ (default 1e-5)
  --dp-noise-multiplier S   client-level DP with this noise multiplier instead of an ε target
  --dp-clip-norm C      the L2 bound of each client's update (default 0.05)`;

const DATASET_FLAGS = {
  dataset: { type: "string" },
  "dataset-dir": { type: "string" },
  interactions: { type: "string" },
  profiles: { type: "string" },
  items: { type: "string" },
  users: { type: "string" },
  "items-count": { type: "string" },
} as const;

const CONFIG_FLAGS = {
  preset: { type: "string" },
  config: { type: "string" },
  rounds: { type: "string" },
  seed: { type: "string" },
  set: { type: "string", multiple: true },
  "dp-epsilon": { type: "string" },
  "dp-delta": { type: "string" },
  "dp-noise-multiplier": { type: "string" },
  "dp-clip-norm": { type: "string" },
} as const;

/** Shortcut flags for the differential-privacy settings; their values are checked with the configuration. */
const DP_FLAGS = {
  "dp-epsilon": "dpEpsilon",
  "dp-delta": "dpDelta",
  "dp-noise-multiplier": "dpNoiseMultiplier",
  "dp-clip-norm": "dpClipNorm",
} as const;

export class UsageError extends Error {
  override name = "UsageError";
}

export function positiveInt(flag: string, value: string | undefined): number | null {
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

type Flag = { readonly type: "string" | "boolean"; readonly multiple?: boolean };
type Values = Record<string, string | boolean | string[] | undefined>;

/** parseArgs with the dataset and config flags plus a command's own, usage errors as UsageError. */
export function parseCommandLine(argv: readonly string[], own: Readonly<Record<string, Flag>>, withConfig = true): Values {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { ...DATASET_FLAGS, ...(withConfig ? CONFIG_FLAGS : {}), ...own, help: { type: "boolean" } },
    }).values as Values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function datasetOptions(v: Values): DatasetOptions {
  const str = (key: string) => v[key] as string | undefined;
  const dataset = str("dataset") ?? "synthetic";
  if (!(DATASET_KINDS as readonly string[]).includes(dataset)) {
    throw new UsageError(`--dataset must be one of ${DATASET_KINDS.join(", ")}, got "${dataset}"`);
  }
  if (dataset === "csv" && str("interactions") === undefined) throw new UsageError("--dataset csv needs --interactions FILE");
  if (dataset !== "csv" && (str("interactions") ?? str("profiles") ?? str("items")) !== undefined) {
    throw new UsageError("--interactions, --profiles and --items apply to --dataset csv only");
  }
  if (dataset !== "synthetic" && (str("users") ?? str("items-count")) !== undefined) {
    throw new UsageError("--users and --items-count apply to --dataset synthetic only");
  }
  return {
    dataset: dataset as DatasetKind,
    datasetDir: str("dataset-dir") ?? null,
    csv: { interactions: str("interactions") ?? null, profiles: str("profiles") ?? null, items: str("items") ?? null },
    synthetic: { numUsers: positiveInt("--users", str("users")), numItems: positiveInt("--items-count", str("items-count")) },
  };
}

export function configOptions(v: Values): ConfigOptions {
  const preset = v.preset as string | undefined;
  if (preset !== undefined && !(preset in PRESETS)) {
    throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(", ")}, got "${preset}"`);
  }
  const overrides: Record<string, unknown> = {};
  for (const pair of (v.set as string[] | undefined) ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects KEY=VALUE, got "${pair}"`);
    overrides[pair.slice(0, eq)] = jsonOrString(pair.slice(eq + 1));
  }
  if (v.rounds !== undefined) overrides["rounds"] = positiveInt("--rounds", v.rounds as string);
  for (const [flag, key] of Object.entries(DP_FLAGS)) {
    if (v[flag] !== undefined) overrides[key] = jsonOrString(v[flag] as string);
  }
  if (v.seed !== undefined) {
    const seed = Number(v.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${String(v.seed)}"`);
    overrides["seed"] = seed;
  }
  return { preset: (preset as PresetName | undefined) ?? null, configFile: (v.config as string | undefined) ?? null, overrides };
}

/**
 * The frame of every command: parse, `--help`, run; a bad command line, configuration or data file
 * exits with 2 and a message naming it (usage errors also print the usage), anything else with 1.
 */
export async function runCommand<O extends { readonly help: boolean }>(
  name: string,
  usage: string,
  parse: (argv: readonly string[]) => O,
  run: (options: O) => Promise<void>,
): Promise<void> {
  try {
    const options = parse(process.argv.slice(2));
    if (options.help) {
      console.log(usage);
      return;
    }
    await run(options);
  } catch (error) {
    const e = error as Error;
    console.error(`${name}: ${e.message}`);
    if (e instanceof UsageError) console.error(`\n${usage}`);
    process.exitCode = e instanceof UsageError || e.name === "ConfigError" || e.name === "DatasetParseError" ? 2 : 1;
  }
}
