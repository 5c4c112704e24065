/**
 * Aggregation seconds per round as the federation grows (1k, 10k, 100k participants): each round
 * samples --fraction of them (fractionTrain, as deployments do; sampleParticipants), whose
 * synthetic uploads have ML-100K's shapes (12,288-dimensional θ_user around 20 taste centres, 50
 * trained rows of a 1,682 × 33 table each). The text-graph configuration (graphSearch "auto": the
 * exact graph up to 2,000 participants per round, the approximate one above), aggregateTrain as
 * the coordinator's aggregation worker runs it (Gram split over --threads, usearch HNSW
 * candidates, the re-ranking split over the same threads), in this process. The candidate search
 * and the exact re-ranking are timed apart; the rest of an approximate round is the sketch and
 * the table sums. θ_user is moved into shared memory first, as the coordinator receives it.
 * CPU seconds (all of the process's threads, usearch's included) are reported beside wall-clock
 * seconds: on a machine shared with other work, wall-clock time measures the load as much as the code. Writes a Markdown table and an
 * SVG plot (participants on the x axis, log–log).
 *
 *   npx tsx benchmarks/aggregation-scaling.ts [--participants 1000,10000,100000] [--fraction 0.1]
 *     [--threads 2] [--graphSearch auto] [--out DIR]
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  PRESETS,
  aggregateTrain,
  createRng,
  resolveConfig,
  sampleParticipants,
  strategyOptions,
  usesApproximateSearch,
  type CandidateRerank,
  type CandidateSearch,
} from "@fedrec/common";
import { REPO_ROOT } from "../server/src/cli/dataset-location.ts";
import { sharedCopy } from "../server/src/aggregation/shared-arrays.ts";
import { createParallelGramKernel } from "../server/src/kernels/parallel-gram.ts";
import { usearchCandidates } from "../server/src/kernels/usearch-candidates.ts";
import { scalingSvg, type ScalingPoint } from "../server/src/report/scaling-svg.ts";
import { syntheticRound } from "../server/src/testing/synthetic-round.ts";

const { values } = parseArgs({
  options: {
    participants: { type: "string", default: "1000,10000,100000" },
    fraction: { type: "string", default: "0.1" },
    threads: { type: "string", default: "2" },
    graphSearch: { type: "string", default: "auto" },
    out: { type: "string" },
  },
});
const threads = Number(values.threads);
const fraction = Number(values.fraction);
const parallel = await createParallelGramKernel(threads);
const hnsw = usearchCandidates(threads);
let searchSeconds = 0;
let rerankSeconds = 0;
const timedSearch: CandidateSearch = (...args) => {
  const t0 = performance.now();
  const found = hnsw(...args);
  searchSeconds += (performance.now() - t0) / 1000;
  return found;
};
const timedRerank: CandidateRerank = (...args) => {
  const t0 = performance.now();
  const kept = parallel.rerank(...args);
  rerankSeconds += (performance.now() - t0) / 1000;
  return kept;
};
// The text graph's top-10 neighbourhood over θ_user: the default builds no graph at all.
const options = strategyOptions(resolveConfig(PRESETS["text-graph"], { graphSearch: values.graphSearch }));

interface Measured extends ScalingPoint {
  readonly perRound: number;
  readonly graph: "exact" | "approximate";
  readonly search: number;
  readonly rerank: number;
  readonly cpu: number;
}

const points: Measured[] = [];
for (const participants of values.participants.split(",").map(Number)) {
  const ids = Array.from({ length: participants }, (_, i) => i);
  const sampled = sampleParticipants(ids, fraction, 1, createRng(participants));
  const round = syntheticRound({
    clients: sampled.length,
    userDim: 12_288,
    numItems: 1682,
    itemDim: 33,
    rowsPerClient: 50,
    clusters: 20,
    spread: 0.7,
    seed: participants,
  });
  // One upload at a time into shared memory, its unshared θ_user let go at once (100k uploads are 4.9 GB).
  const results = round.results;
  results.forEach((r, i) => (results[i] = { ...r, client: sampled[i]!, userWeights: sharedCopy(r.userWeights) }));
  [searchSeconds, rerankSeconds] = [0, 0];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  aggregateTrain(options, round.tables, results, 33, parallel.gram, undefined, { search: timedSearch, rerank: timedRerank });
  const seconds = (performance.now() - t0) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  const graph = usesApproximateSearch(options.graphSearch, sampled.length) ? "approximate" : "exact";
  points.push({ participants, perRound: sampled.length, seconds, graph, search: searchSeconds, rerank: rerankSeconds, cpu });
  console.error(
    `${participants} participants, ${sampled.length} per round (${graph} graph): ${seconds.toFixed(1)} s, ${cpu.toFixed(1)} CPU s`,
  );
}
await parallel.close();

/** The slope on log–log axes between two points: 1 is linear growth, 2 quadratic. */
const exponent = (a: number, b: number, n: number, m: number): string => (Math.log(b / a) / Math.log(m / n)).toFixed(2);
const out = resolve(values.out ?? join(REPO_ROOT, "results", "aggregation-scaling"));
await mkdir(out, { recursive: true });
const lines = [
  `fractionTrain ${fraction}, graphSearch ${values.graphSearch}, ${threads} threads\n`,
  "| participants | per round | graph | aggregation seconds | CPU seconds | of which candidate search | of which re-ranking | growth vs previous (CPU seconds) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...points.map((p, i) => {
    const before = points[i - 1];
    const growth = before
      ? `× ${(p.cpu / before.cpu).toFixed(1)} CPU for × ${(p.perRound / before.perRound).toFixed(1)} per round: exponent ${exponent(before.cpu, p.cpu, before.perRound, p.perRound)} (wall-clock ${exponent(before.seconds, p.seconds, before.perRound, p.perRound)})`
      : "";
    const [search, rerank] = p.graph === "approximate" ? [p.search.toFixed(1), p.rerank.toFixed(1)] : ["", ""];
    return `| ${p.participants.toLocaleString("en")} | ${p.perRound.toLocaleString("en")} | ${p.graph} | ${p.seconds.toFixed(1)} | ${p.cpu.toFixed(1)} | ${search} | ${rerank} | ${growth} |`;
  }),
];
console.log(lines.join("\n"));
await writeFile(join(out, "aggregation-scaling.md"), lines.join("\n") + "\n");
await writeFile(
  join(out, "aggregation-scaling.svg"),
  scalingSvg(
    [
      { label: "wall-clock seconds", points },
      { label: "CPU seconds (all threads)", points: points.map((p) => ({ participants: p.participants, seconds: p.cpu })) },
    ],
    `Aggregation seconds per round (fractionTrain ${fraction}, graphSearch ${values.graphSearch})`,
    `participants (log; ${fraction * 100} % sampled per round)`,
  ),
);
console.log(`\nwritten to ${out}`);
