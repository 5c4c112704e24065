/**
 * How long the coordinator's event loop stalls during one ML-100K-sized aggregation (943
 * participants, 12,288-dimensional θ_user, 1,682 × 32 tables, personalised distribution with the
 * default top-10 graph): inline on the event loop (the wasm Gram kernel) against the worker
 * aggregator (worker-aggregator.ts), side by side in one process. The delay is
 * perf_hooks.monitorEventLoopDelay's (10 ms resolution) over the aggregation; round 2 feeds
 * round 1's tables back as bases, as a live federation does (they are then already shared).
 *
 *   npx tsx benchmarks/aggregation-event-loop.ts [--clients 943] [--threads 2]
 */
import { monitorEventLoopDelay, performance as perf } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { aggregateTrain, PRESETS, strategyOptions, type AggregateTrainOutput, type TrainResult } from "@fedrec/common";
import { createWorkerAggregator } from "../server/src/aggregation/worker-aggregator.ts";
import { createWasmGramKernel } from "../server/src/kernels/wasm-gram.ts";
import { syntheticRound } from "../server/src/testing/synthetic-round.ts";

const { values } = parseArgs({
  options: { clients: { type: "string", default: "943" }, threads: { type: "string", default: "2" } },
});
const round = syntheticRound({
  clients: Number(values.clients),
  userDim: 12_288,
  numItems: 1682,
  itemDim: 32,
  rowsPerClient: 106,
  clusters: 8,
  spread: 0.5,
  seed: 1,
});
// The text graph's top-10 neighbourhood over θ_user: the default builds no graph at all.
const options = strategyOptions(PRESETS["text-graph"]);
const itemDim = 32;

interface Measured {
  readonly variant: string;
  readonly round: number;
  readonly seconds: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The longest gap between two callbacks of a 5 ms timer, less 5 ms: a stall the histogram can miss. */
  readonly longestGapMs: number;
  /** Share of the time the event loop was busy (not idle in epoll): 1 = blocked throughout. */
  readonly utilisation: number;
}

async function measure(
  variant: string,
  roundNo: number,
  run: () => Promise<AggregateTrainOutput>,
): Promise<AggregateTrainOutput> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  // A timer keeps the loop turning, as the coordinator's tick and sockets do.
  let last = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last - 5);
    last = now;
  }, 5);
  histogram.enable();
  await new Promise((r) => setTimeout(r, 30)); // the monitors are running before the work starts
  const elu = perf.eventLoopUtilization();
  const t0 = performance.now();
  const output = await run();
  const seconds = (performance.now() - t0) / 1000;
  // Let a stall at the very end show in the histogram.
  await new Promise((r) => setTimeout(r, 20));
  const utilisation = perf.eventLoopUtilization(elu).utilization;
  histogram.disable();
  clearInterval(ticker);
  results.push({
    variant,
    round: roundNo,
    seconds,
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    longestGapMs: longestGap,
    utilisation,
  });
  return output;
}

/** Round 2's uploads: the same changes, on the tables round 1 sent each client. */
const nextRound = (output: AggregateTrainOutput): TrainResult[] =>
  round.results.map((r) => ({ ...r, items: { ...r.items, base: output.tables.personal.get(r.client) ?? output.tables.global } }));

const results: Measured[] = [];
const gram = await createWasmGramKernel();
const inline = async (tables = round.tables, uploads = round.results) => aggregateTrain(options, tables, uploads, itemDim, gram);
const first = await measure("inline (event loop, wasm Gram)", 1, () => inline());
await measure("inline (event loop, wasm Gram)", 2, () => inline(first.tables, nextRound(first)));

const workers = await createWorkerAggregator(Number(values.threads));
const offFirst = await measure(`worker aggregator (${values.threads} threads)`, 1, () =>
  workers.aggregate(options, round.tables, round.results, itemDim),
);
await measure(`worker aggregator (${values.threads} threads)`, 2, () =>
  workers.aggregate(options, offFirst.tables, nextRound(offFirst), itemDim),
);
await workers.close();

console.log(`${values.clients} participants, 12,288-dim θ_user, 1,682 × 32 tables, personalised top-10 graph\n`);
console.log("| aggregation | round | seconds | event-loop delay p99 | max | longest timer gap | loop busy |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.variant} | ${r.round} | ${r.seconds.toFixed(2)} | ${r.p99Ms.toFixed(0)} ms | ${r.maxMs.toFixed(0)} ms | ${r.longestGapMs.toFixed(0)} ms | ${(100 * r.utilisation).toFixed(0)} % |`,
  );
}
