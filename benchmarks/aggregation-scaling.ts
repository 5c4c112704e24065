/**
 * Aggregation seconds per round as the round's participants grow (1k, 10k, 100k): synthetic
 * uploads of ML-100K's shapes (12,288-dimensional θ_user around 20 taste centres, 50 trained
 * rows of a 1,682 × 33 table each), the text-graph configuration (graphSearch "auto": the exact
 * graph up to 2,000 participants, the approximate one above), aggregateTrain as the coordinator's
 * aggregation worker runs it (Gram split over --threads, usearch HNSW candidates), in this
 * process. Participants are the clients sampled in a round: with fractionTrain 0.1, 10k
 * participants are a federation of 100k users. Writes a Markdown table and an SVG plot.
 *
 *   npx tsx benchmarks/aggregation-scaling.ts [--sizes 1000,10000,100000] [--threads 2] [--out DIR]
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { aggregateTrain, PRESETS, resolveConfig, strategyOptions } from "@fedrec/common";
import { REPO_ROOT } from "../server/src/cli/dataset-location.ts";
import { createParallelGramKernel } from "../server/src/kernels/parallel-gram.ts";
import { usearchCandidates } from "../server/src/kernels/usearch-candidates.ts";
import { scalingSvg, type ScalingPoint } from "../server/src/report/scaling-svg.ts";
import { syntheticRound } from "../server/src/testing/synthetic-round.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000,100000" },
    threads: { type: "string", default: "2" },
    graphSearch: { type: "string", default: "auto" },
    out: { type: "string" },
  },
});
const threads = Number(values.threads);
const parallel = await createParallelGramKernel(threads);
const search = usearchCandidates(threads);
// The text graph's top-10 neighbourhood over θ_user: the default builds no graph at all.
const options = strategyOptions(resolveConfig(PRESETS["text-graph"], { graphSearch: values.graphSearch }));
const points: ScalingPoint[] = [];
for (const participants of values.sizes.split(",").map(Number)) {
  const round = syntheticRound({
    clients: participants,
    userDim: 12_288,
    numItems: 1682,
    itemDim: 33,
    rowsPerClient: 50,
    clusters: 20,
    spread: 0.7,
    seed: participants,
  });
  const t0 = performance.now();
  aggregateTrain(options, round.tables, round.results, 33, parallel.gram, undefined, search);
  const seconds = (performance.now() - t0) / 1000;
  points.push({ participants, seconds });
  console.error(`${participants} participants: ${seconds.toFixed(1)} s`);
}
await parallel.close();

const out = resolve(values.out ?? join(REPO_ROOT, "results", "aggregation-scaling"));
await mkdir(out, { recursive: true });
const lines = [
  `graphSearch ${values.graphSearch}, ${threads} threads\n`,
  "| participants per round | aggregation seconds | growth vs previous |",
  "| --- | --- | --- |",
  ...points.map((p, i) => {
    const before = points[i - 1];
    const growth = before
      ? `× ${(p.seconds / before.seconds).toFixed(1)} for × ${(p.participants / before.participants).toFixed(0)} participants (exponent ${(Math.log(p.seconds / before.seconds) / Math.log(p.participants / before.participants)).toFixed(2)})`
      : "";
    return `| ${p.participants.toLocaleString("en")} | ${p.seconds.toFixed(1)} | ${growth} |`;
  }),
];
console.log(lines.join("\n"));
await writeFile(join(out, "aggregation-scaling.md"), lines.join("\n") + "\n");
await writeFile(
  join(out, "aggregation-scaling.svg"),
  scalingSvg(points, `Aggregation seconds per round (graphSearch ${values.graphSearch})`),
);
console.log(`\nwritten to ${out}`);
