/**
 * `npm run simulate`: the in-process federation on a dataset, with a live progress line, and the
 * results written as JSON (the stable contract), CSV and an SVG learning curve into --out.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  FederatedSimulation,
  describeNeighbourhood,
  formatDatasetSummary,
  datasetSummary,
  type SimulationResult,
} from "@fedrec/common";
import { withEmbeddingCache } from "../encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../encoder/minilm-encoder.ts";
import { createParallelGramKernel } from "../kernels/parallel-gram.ts";
import { learningCurveSvg } from "../report/learning-curve-svg.ts";
import { progressLine } from "../report/progress-line.ts";
import { roundsCsv } from "../report/rounds-csv.ts";
import { WorkerClients } from "../simulation/worker-clients.ts";
import { REPO_ROOT } from "./dataset-location.ts";
import { loadCliDataset } from "./load-cli-dataset.ts";
import { loadConfig } from "./load-config.ts";
import type { SimulateOptions } from "./simulate-args.ts";

export async function writeResults(dir: string, result: SimulationResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  const title = `${result.dataset.name}: ${result.config.globalUpdate}, ${describeNeighbourhood(result.config.neighbourhood)}, seed ${result.config.seed}`;
  await Promise.all([
    writeFile(join(dir, "result.json"), JSON.stringify(result, null, 2) + "\n"),
    writeFile(join(dir, "rounds.csv"), roundsCsv(result.rounds)),
    writeFile(join(dir, "learning-curve.svg"), learningCurveSvg(result, title)),
  ]);
}

export async function simulate(options: SimulateOptions, log: (line: string) => void = console.log): Promise<SimulationResult> {
  const config = await loadConfig(options);
  const dataset = await loadCliDataset(options);
  log(formatDatasetSummary(datasetSummary(dataset)));
  const encoder = withEmbeddingCache(createMiniLmEncoder(config.pooling, config.encoderPrecision));
  const started = performance.now();
  const profiles = await encoder.encode(dataset.users.map((u) => u.profileText));
  log(`embedded ${profiles.length} profiles with ${encoder.id} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const clock = () => performance.now() / 1000;
  const parallel = await createParallelGramKernel(options.gramThreads);
  const gram = parallel.gram;
  const simulation =
    options.workers > 1
      ? new FederatedSimulation(
          config,
          dataset,
          encoder.dimension,
          WorkerClients.create(config, dataset, profiles, options.workers),
          clock,
          gram,
        )
      : FederatedSimulation.inProcess(config, dataset, profiles, clock, gram);
  const t0 = clock();
  const live = process.stdout.isTTY === true;
  try {
    while (!simulation.finished) {
      const line = progressLine(await simulation.runRound(), config.rounds, clock() - t0);
      if (live) process.stdout.write(`\r\x1b[2K${line}`);
      else log(line);
    }
    if (live) process.stdout.write("\n");
  } finally {
    await simulation.close();
    await parallel.close();
  }
  const result = simulation.result();
  const out = resolve(
    options.out ?? join(REPO_ROOT, "results", `${dataset.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`),
  );
  await writeResults(out, result);
  if (result.stoppedEarlyAt !== null) {
    log(
      `stopped early after round ${result.stoppedEarlyAt}: no new best validation HR@10 for ${config.earlyStoppingPatience} rounds`,
    );
  }
  const s = result.summary;
  if (s) {
    log(
      `best validation round ${s.bestRound}: test HR@10 ${s.test.hr10.toFixed(4)} NDCG@10 ${s.test.ndcg10.toFixed(4)} ` +
        `(val HR@10 ${s.val.hr10.toFixed(4)}; random HR@10 ≈ ${result.dataset.randomHr10.toFixed(3)})`,
    );
  }
  log(`results: ${out}/result.json, rounds.csv, learning-curve.svg`);
  return result;
}
