/** Command-line options of `npm run baselines`. */
import { CLASSIC_METHODS, EASE_LAMBDA_GRID, ITEM_KNN_DEFAULT_K, type ClassicMethod } from "@fedrec/common";
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

export type BaselineMethod = ClassicMethod | "model";
export const BASELINE_METHODS: readonly BaselineMethod[] = [...CLASSIC_METHODS, "model"];
// The default model peaks on validation around epochs 22–27 (BENCHMARKS.md §1); 20 would cut it short.
export const DEFAULT_EPOCHS = 50;

export interface BaselinesOptions extends DatasetOptions, ConfigOptions {
  /** Seeds to run (null: the configuration's seed). Each seed gives its own split. */
  readonly seeds: readonly number[] | null;
  readonly methods: readonly BaselineMethod[];
  /** ItemKNN's neighbours per item. */
  readonly k: number;
  /** EASE's λ grid (λ in users, > 0). */
  readonly lambdas: readonly number[];
  /** Epochs of the centralised model. */
  readonly epochs: number;
  readonly out: string | null;
  readonly help: boolean;
}

const CONFIG_LINES = CONFIG_USAGE.split("\n")
  .filter((line) => !line.trimStart().startsWith("--rounds"))
  .join("\n");

export const BASELINES_USAGE = `Usage: npm run baselines -- [options]

Centralised baselines on the federation's own split (leave-one-out by time; each held-out item
ranked against its sampled negatives; HR@10 / NDCG@10): popularity, ItemKNN (cosine, top k),
EASE (λ chosen on validation HR@10) and the project's model trained centrally (one shared item
table updated in place, every user's private layers; test at the best-validation epoch).

${DATASET_USAGE}
${CONFIG_LINES}
                        (the configuration sets the split — seed, evalNegatives — and the model;
                        the model trains with honest negatives, negativeExclusion=train, unless
                        --set negativeExclusion=all; this default also overrides --config)
  --seeds LIST          comma-separated seeds, e.g. 1,2,3 (default: the configuration's seed)
  --methods LIST        any of ${BASELINE_METHODS.join(",")} (default: all)
  --k N                 ItemKNN neighbours per item (default ${ITEM_KNN_DEFAULT_K})
  --lambdas LIST        EASE λ grid (default ${EASE_LAMBDA_GRID.join(",")})
  --epochs N            epochs of the centralised model (default ${DEFAULT_EPOCHS})
  --out DIR             where baselines.json and report.md go (default: results/baselines-<time>)
  --help
`;

function list<T>(flag: string, text: string | undefined, parse: (item: string) => T): T[] | null {
  if (text === undefined) return null;
  const items = text.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new UsageError(`${flag} expects a comma-separated list, got "${text}"`);
  const values = items.map(parse);
  if (new Set(values).size !== values.length) throw new UsageError(`${flag} lists a value twice: "${text}"`);
  return values;
}

export function parseBaselinesArgs(argv: readonly string[]): BaselinesOptions {
  const v = parseCommandLine(argv, {
    seeds: { type: "string" },
    methods: { type: "string" },
    k: { type: "string" },
    lambdas: { type: "string" },
    epochs: { type: "string" },
    out: { type: "string" },
  });
  if (v.rounds !== undefined) throw new UsageError("--rounds does not apply to baselines: the centralised model runs --epochs N");
  if (v.seeds !== undefined && v.seed !== undefined) throw new UsageError("give either --seed N or --seeds LIST, not both");
  const str = (key: string) => v[key] as string | undefined;
  const seeds = list("--seeds", str("seeds"), (s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new UsageError(`--seeds must list integers, got "${s}"`);
    return n;
  });
  const methods = list("--methods", str("methods"), (s) => {
    if (!(BASELINE_METHODS as readonly string[]).includes(s)) {
      throw new UsageError(`--methods must list some of ${BASELINE_METHODS.join(", ")}, got "${s}"`);
    }
    return s as BaselineMethod;
  });
  const lambdas = list("--lambdas", str("lambdas"), (s) => {
    const x = Number(s);
    if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--lambdas must list positive numbers, got "${s}"`);
    return x;
  });
  return {
    ...datasetOptions(v),
    ...configOptions(v),
    seeds,
    methods: methods ?? BASELINE_METHODS,
    k: positiveInt("--k", str("k")) ?? ITEM_KNN_DEFAULT_K,
    lambdas: lambdas ?? EASE_LAMBDA_GRID,
    epochs: positiveInt("--epochs", str("epochs")) ?? DEFAULT_EPOCHS,
    out: str("out") ?? null,
    help: v.help === true,
  };
}
