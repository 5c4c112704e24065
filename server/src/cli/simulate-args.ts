/** Command-line options of `npm run simulate`. */
import { availableParallelism } from "node:os";
import {
  CONFIG_USAGE,
  DATASET_USAGE,
  configOptions,
  datasetOptions,
  parseCommandLine,
  positiveInt,
  type ConfigOptions,
  type DatasetOptions,
} from "./command-line.ts";

export interface SimulateOptions extends DatasetOptions, ConfigOptions {
  readonly out: string | null;
  /** Worker threads that run the clients (1 = in this thread). */
  readonly workers: number;
  /** Threads the aggregation's Gram matrix is split over (they are idle while clients train). */
  readonly gramThreads: number;
  readonly help: boolean;
}

export const SIMULATE_USAGE = `Usage: npm run simulate -- [options]

${DATASET_USAGE}
${CONFIG_USAGE}
  --out DIR             where results go (default: results/<dataset>-<time>)
  --workers N           threads that train clients (default: one per core; 1 = in-process);
                        results are identical for any N
  --gram-threads N      threads the user graph's Gram matrix is split over (default: --workers)
  --help
`;

export function parseSimulateArgs(argv: readonly string[]): SimulateOptions {
  const v = parseCommandLine(argv, { out: { type: "string" }, workers: { type: "string" }, "gram-threads": { type: "string" } });
  const workers = positiveInt("--workers", v.workers as string | undefined) ?? availableParallelism();
  return {
    ...datasetOptions(v),
    ...configOptions(v),
    out: (v.out as string | undefined) ?? null,
    workers,
    gramThreads: positiveInt("--gram-threads", v["gram-threads"] as string | undefined) ?? workers,
    help: v.help === true,
  };
}
