/**
 * Secure aggregation against plain uploads on ML-100K (the default configuration, all clients each
 * round). Each round the clients train once; the same uploads are then aggregated both ways — the
 * plain strategy and the secure-aggregation driver (every client's protocol rounds run in this
 * process) — and the federation continues with the secure table. Reports per round: seconds of the
 * plain aggregation, of the secure one (the server's part, and the clients' protocol work per
 * client), bytes per client up and down, the largest difference between the two global tables,
 * the largest change of one entry and the share of changed entries beyond ±B; then a plain simulation's test HR@10 beside the
 * secure run's for the same rounds.
 *
 *   npx tsx benchmarks/secure-aggregation.ts [--rounds 2] [--workers 2] [--preset/--config/--set …]
 */
import { randomBytes } from "node:crypto";
import {
  FederatedSimulation,
  aggregateEvaluate,
  aggregateTrain,
  modelDimensions,
  initialModel,
  sampleParticipants,
  secureAggregateTrain,
  strategyOptions,
  streamOf,
  type ServerTables,
  type TrainResult,
} from "@fedrec/common";
import { datasetOptions, parseCommandLine, configOptions, positiveInt } from "../server/src/cli/command-line.ts";
import { loadCliDataset } from "../server/src/cli/load-cli-dataset.ts";
import { loadConfig } from "../server/src/cli/load-config.ts";
import { withEmbeddingCache } from "../server/src/encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../server/src/encoder/minilm-encoder.ts";
import { createWasmGramKernel } from "../server/src/kernels/wasm-gram.ts";
import { WorkerClients } from "../server/src/simulation/worker-clients.ts";

const v = parseCommandLine(process.argv.slice(2), { workers: { type: "string" } });
const flags = configOptions(v);
const overrides = { rounds: 2, ...flags.overrides, secureAggregation: false };
const config = await loadConfig({ ...flags, overrides });
const secureConfig = await loadConfig({ ...flags, overrides: { ...overrides, secureAggregation: true } });
const dataset = await loadCliDataset(datasetOptions({ dataset: "ml-100k", ...v }));
const profiles = await withEmbeddingCache(createMiniLmEncoder(config.pooling)).encode(dataset.users.map((u) => u.profileText));
const workers = positiveInt("--workers", v.workers as string | undefined) ?? 2;
const clock = () => performance.now() / 1000;
const gram = await createWasmGramKernel();
const dims = modelDimensions(config, profiles[0]!.length, dataset.numItems);
const options = strategyOptions(config);
const range = secureConfig.secureAggregationRange;
const cryptoBytes = (length: number) => new Uint8Array(randomBytes(length));

/** The largest change of one entry, and the share of changed entries beyond ±B (clipped by the encoding). */
function changeStatistics(results: readonly TrainResult[]): { largestChange: number; clippedShare: number } {
  let changed = 0;
  let beyond = 0;
  let largestChange = 0;
  for (const { items } of results) {
    items.rows.forEach((row, r) => {
      for (let k = 0; k < dims.itemDim; k++) {
        const change = Math.abs(items.values[r * dims.itemDim + k]! - items.base[row * dims.itemDim + k]!);
        if (change > 0) changed++;
        if (change > range) beyond++;
        largestChange = Math.max(largestChange, change);
      }
    });
  }
  return { largestChange, clippedShare: changed > 0 ? beyond / changed : 0 };
}

const pool = WorkerClients.create(config, dataset, profiles, workers);
let tables: ServerTables = { global: initialModel(config, dims).itemTable, personal: new Map() };
const secureRounds = [];
try {
  for (let round = 1; round <= config.rounds; round++) {
    const everyone = dataset.users.map((_, u) => u);
    const participants = sampleParticipants(
      everyone,
      config.fractionTrain,
      config.minTrainClients,
      streamOf(config.seed, "sampling").fork(round),
    );
    const reports = await pool.runRound(participants.map((client) => ({ client, table: tables.global })));
    const results: TrainResult[] = reports.map(({ client, upload }) => ({
      client,
      userWeights: upload.userWeights,
      items: { base: tables.global, rows: upload.rows, values: upload.values },
      numExamples: upload.numExamples,
    }));
    const n = results.length;
    const p0 = clock();
    const plain = aggregateTrain(options, tables, results, dims.itemDim, gram);
    const plainSeconds = clock() - p0;
    const settings = { range, groupSize: secureConfig.secureAggregationGroupSize, round, randomBytes: cryptoBytes, clock };
    const s0 = clock();
    const secure = await secureAggregateTrain(options, settings, tables, results, dims.itemDim, gram);
    const secureSeconds = clock() - s0;
    let difference = 0;
    let magnitude = 0;
    plain.tables.global.forEach((x, k) => {
      difference = Math.max(difference, Math.abs(x - secure.tables.global[k]!));
      magnitude = Math.max(magnitude, Math.abs(x));
    });
    const tableBytes = tables.global.byteLength;
    const plainUp =
      results.reduce((s, r) => s + r.userWeights.byteLength + r.items.rows.byteLength + r.items.values.byteLength + 4, 0) / n;
    // Secure: θ_user and n_i still go up in the clear (the graph needs them); c_j and S come down.
    const secureUp = results.reduce((s, r) => s + r.userWeights.byteLength + 4, 0) / n + secure.traffic.up / n;
    const metrics = aggregateEvaluate(reports.map((r) => r.upload.metrics));
    const record = {
      round,
      participants: n,
      testHr10: metrics.test.hr10,
      seconds: {
        plainAggregate: plainSeconds,
        secureTotal: secureSeconds,
        secureServer: secure.seconds.server,
        secureClientsPerClient: secure.seconds.clients / n,
        // The graph, the clients' fixed-point encoding (done here for them) and the server step.
        graphEncodeStep: secureSeconds - secure.seconds.server - secure.seconds.clients,
      },
      bytesPerClient: { plainUp, secureUp, plainDown: tableBytes, secureDown: tableBytes + secure.traffic.down / n + 16 },
      largestTableDifference: difference,
      largestTableEntry: magnitude,
      ...changeStatistics(results),
    };
    secureRounds.push(record);
    console.log(JSON.stringify(record));
    tables = secure.tables;
  }
} finally {
  await pool.close();
}

const plainSimulation = new FederatedSimulation(
  config,
  dataset,
  profiles[0]!.length,
  WorkerClients.create(config, dataset, profiles, workers),
  clock,
  gram,
);
try {
  while (!plainSimulation.finished) await plainSimulation.runRound();
} finally {
  await plainSimulation.close();
}
console.log(
  JSON.stringify({
    config: {
      rounds: config.rounds,
      fractionTrain: config.fractionTrain,
      range,
      groupSize: secureConfig.secureAggregationGroupSize,
    },
    plainTestHr10: plainSimulation.rounds.map((r) => r.test.hr10),
    secureTestHr10: secureRounds.map((r) => r.testHr10),
  }),
);
