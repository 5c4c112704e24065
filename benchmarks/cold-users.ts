/**
 * Cold users on ML-100K (honest protocol): a seeded tenth of the users never takes part in the
 * federation; the others federate with the default configuration. Then each cold user "joins" with
 * its profile and its training history cut to its k most recent positives (k = 0, 1, 3, 5),
 * receives the best-validation table, trains one local round and ranks its test item — the same
 * held-out item and 99 negatives as in a full run. Popularity over the federated users' training
 * data is printed beside it, and for k = 0 the table's item biases alone (the popularity prior a
 * dot-scorer table carries).
 *
 *   npx tsx benchmarks/cold-users.ts [--seed 1] [--rounds 40] [--workers 2] [--preset/--config/--set …]
 */
import {
  ClientRuntime,
  FederatedSimulation,
  combineMetrics,
  cutTrainingHistory,
  fitPopularity,
  heldOutMetrics,
  initialModel,
  leaveOneOutSplit,
  modelDimensions,
  shuffleInPlace,
  streamOf,
  trainingMatrix,
  type Dataset,
  type RankingMetrics,
} from "@fedrec/common";
import { configOptions, datasetOptions, parseCommandLine, positiveInt } from "../server/src/cli/command-line.ts";
import { loadCliDataset } from "../server/src/cli/load-cli-dataset.ts";
import { loadConfig } from "../server/src/cli/load-config.ts";
import { withEmbeddingCache } from "../server/src/encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../server/src/encoder/minilm-encoder.ts";
import { createWasmGramKernel } from "../server/src/kernels/wasm-gram.ts";
import { WorkerClients } from "../server/src/simulation/worker-clients.ts";

const HISTORY_LENGTHS = [0, 1, 3, 5] as const;
// The simulator's dataset and configuration flags (--dataset ml-100k by default, --seed, --rounds,
// --preset, --config, --set), plus the worker threads of the federated users.
const argv = process.argv.slice(2);
const v = parseCommandLine(argv, { workers: { type: "string" } });
const configFlags = configOptions(v);
const config = await loadConfig({ ...configFlags, overrides: { rounds: 40, ...configFlags.overrides } });
const dataset = await loadCliDataset(datasetOptions({ dataset: "ml-100k", ...v }));
const profiles = await withEmbeddingCache(createMiniLmEncoder(config.pooling, config.encoderPrecision)).encode(
  dataset.users.map((u) => u.profileText),
);

// A seeded tenth of the users is cold; the rest federate.
const order = Int32Array.from(dataset.users.keys());
shuffleInPlace(order, streamOf(config.seed, "sampling").fork(-1));
const isCold = new Uint8Array(dataset.users.length);
for (const u of order.subarray(0, Math.round(dataset.users.length / 10))) isCold[u] = 1;
const warm = [...dataset.users.keys()].filter((u) => !isCold[u]);
const cold = [...dataset.users.keys()].filter((u) => isCold[u]);
const warmDataset: Dataset = { ...dataset, users: warm.map((u) => dataset.users[u]!) };

const clock = () => performance.now() / 1000;
const workers = positiveInt("--workers", v.workers as string | undefined) ?? 2;
const warmProfiles = warm.map((u) => profiles[u]!);
const pool = WorkerClients.create(config, warmDataset, warmProfiles, workers);
const simulation = new FederatedSimulation(config, warmDataset, profiles[0]!.length, pool, clock, await createWasmGramKernel());
try {
  while (!simulation.finished) await simulation.runRound();
} finally {
  await simulation.close();
}
const best = simulation.best!;
console.log(`federation of ${warm.length} users: best validation round ${best.round} (val HR@10 ${best.val.hr10.toFixed(4)})`);

const splits = leaveOneOutSplit(dataset, config.evalNegatives, streamOf(config.seed, "split"));
const popularity = fitPopularity(trainingMatrix(warm.map((u) => splits[u]!)))(0);
const initial = initialModel(config, modelDimensions(config, profiles[0]!.length, dataset.numItems));
const workspace = ClientRuntime.createWorkspace(config, initial);
const table = best.tables.global;
const fmt = (m: RankingMetrics) => `${m.hr10.toFixed(4)} | ${m.ndcg10.toFixed(4)}`;

const rows = [
  `cold users: ${cold.length} of ${dataset.users.length}, seed ${config.seed}; federation ${config.rounds} rounds, best round ${best.round}`,
  "",
  "| history kept | test HR@10 | test NDCG@10 |",
  "|---|---|---|",
];
for (const keep of HISTORY_LENGTHS) {
  const results = cold.map((u) => {
    const runtime = new ClientRuntime(config, cutTrainingHistory(splits[u]!, keep), profiles[u]!, u, initial);
    return runtime.runRound(table, workspace, clock).upload.metrics.test;
  });
  rows.push(`| ${keep} items, our client | ${fmt(combineMetrics(results))} |`);
}
if (config.scorer === "dot") {
  const itemDim = config.itemDim;
  const bias = Float64Array.from({ length: dataset.numItems }, (_, i) => table[i * itemDim + itemDim - 1]!);
  rows.push(`| 0 items, item biases alone | ${fmt(combineMetrics(cold.map((u) => heldOutMetrics(bias, splits[u]!.test))))} |`);
}
rows.push(
  `| popularity (federated users' counts) | ${fmt(combineMetrics(cold.map((u) => heldOutMetrics(popularity, splits[u]!.test))))} |`,
);
console.log(rows.join("\n"));
