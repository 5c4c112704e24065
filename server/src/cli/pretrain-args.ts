/** Command-line options of `npm run pretrain`. */
import { availableParallelism } from "node:os";
import {
  CONFIG_USAGE,
  DATASET_USAGE,
  UsageError,
  configOptions,
  datasetOptions,
  parseCommandLine,
  positiveInt,
  type ConfigOptions,
  type DatasetOptions,
} from "./command-line.ts";

export interface PretrainOptions extends DatasetOptions, ConfigOptions {
  readonly out: string;
  /** The last N users of the dataset take no part in pretraining (a held-out class to measure on). */
  readonly holdOut: number;
  readonly workers: number;
  readonly help: boolean;
}

/** Pretraining's own defaults, applied under the command line's settings. */
export const PRETRAIN_DEFAULTS = { rounds: 40, earlyStoppingPatience: 5 } as const;

export const PRETRAIN_USAGE = `Usage: npm run pretrain -- --dataset NAME --out FILE [options]

Runs the federation in simulation over a public dataset and writes the item table of its
best-validation round to FILE, for \`npm start -- --warm-start FILE\`: a classroom federation over
the same catalogue then starts from trained item embeddings instead of random ones.

  --out FILE            the warm-start file to write (required)
  --hold-out N          leave the dataset's last N users out of pretraining (default 0); their ids
                        are recorded in the file, so a benchmark can use them as an unseen class
  --workers N           threads that train clients (default: one per core)
${DATASET_USAGE}
${CONFIG_USAGE}
                        (pretraining defaults: --rounds ${PRETRAIN_DEFAULTS.rounds}, earlyStoppingPatience ${PRETRAIN_DEFAULTS.earlyStoppingPatience})
  --help
`;

export function parsePretrainArgs(argv: readonly string[]): PretrainOptions {
  const v = parseCommandLine(argv, { out: { type: "string" }, "hold-out": { type: "string" }, workers: { type: "string" } });
  const help = v.help === true;
  const out = v.out as string | undefined;
  if (out === undefined && !help) throw new UsageError("--out FILE is required: where the warm-start file goes");
  const holdOutText = (v["hold-out"] as string | undefined) ?? "0";
  const holdOut = Number(holdOutText);
  if (!Number.isInteger(holdOut) || holdOut < 0) throw new UsageError(`--hold-out must be a whole number, got "${holdOutText}"`);
  const config = configOptions(v);
  return {
    ...datasetOptions(v),
    ...config,
    overrides: { ...PRETRAIN_DEFAULTS, ...config.overrides },
    out: out ?? "",
    holdOut,
    workers: positiveInt("--workers", v.workers as string | undefined) ?? availableParallelism(),
    help,
  };
}
