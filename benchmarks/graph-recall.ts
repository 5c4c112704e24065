/**
 * Neighbour recall of the user graphs on ML-100K's real θ_user: a federation runs with the
 * text-graph configuration (unless --preset says otherwise; the default builds no graph); the
 * client pool is wrapped to keep the uploaded θ_user of some rounds.
 * For each, the reference is the top-10 neighbours (self excluded) from plain float64 cosines:
 * θ_user cosines all lie within ≈ 1e-4 of 1, so float32 rounding alone reorders neighbours.
 * Measured against it: the exact graph as the coordinator computes it (mean-centred rows, float32
 * wasm Gram of the residuals, cosine-similarity.ts), the exact graph as it was computed before
 * (float32 wasm Gram of the unit rows themselves), and the approximate graph (count sketch + exact
 * re-ranking, candidates from the exact scan and from usearch HNSW).
 *
 * The kept rows are saved to --save DIR (default results/graph-recall-theta) and can be measured
 * again without the federation with --from DIR.
 *
 *   npx tsx benchmarks/graph-recall.ts [--rounds 10] [--workers 2] [--keep 1,5,10] [--from DIR]
 *     [--sketch-dim 256] [--candidates 64]   (the approximate graph's settings; defaults: APPROXIMATE_GRAPH_DEFAULTS)
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  FederatedSimulation,
  APPROXIMATE_GRAPH_DEFAULTS,
  approximateTopK,
  cosineSimilarityMatrix,
  exactCandidates,
  normaliseNeighbourhood,
  type CandidateSearch,
  type ClientPool,
  type SparseRows,
} from "@fedrec/common";
import { configOptions, datasetOptions, parseCommandLine, positiveInt } from "../server/src/cli/command-line.ts";
import { REPO_ROOT } from "../server/src/cli/dataset-location.ts";
import { loadCliDataset } from "../server/src/cli/load-cli-dataset.ts";
import { loadConfig } from "../server/src/cli/load-config.ts";
import { withEmbeddingCache } from "../server/src/encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../server/src/encoder/minilm-encoder.ts";
import { usearchCandidates } from "../server/src/kernels/usearch-candidates.ts";
import { createWasmGramKernel } from "../server/src/kernels/wasm-gram.ts";
import { WorkerClients } from "../server/src/simulation/worker-clients.ts";

const v = parseCommandLine(process.argv.slice(2), {
  workers: { type: "string" },
  keep: { type: "string" },
  from: { type: "string" },
  save: { type: "string" },
  "sketch-dim": { type: "string" },
  candidates: { type: "string" },
});
const configFlags = configOptions(v);
const config = await loadConfig({
  ...configFlags,
  preset: configFlags.preset ?? "text-graph",
  overrides: { rounds: 10, graphSearch: "exact", ...configFlags.overrides },
});
if (config.neighbourhood.kind !== "topk")
  throw new Error(`graph recall needs neighbourhood "topk", got "${config.neighbourhood.kind}"`);
const keep = new Set(((v.keep as string | undefined) ?? `1,5,${config.rounds}`).split(",").map(Number));
const wasm = await createWasmGramKernel();
const workers = positiveInt("--workers", v.workers as string | undefined) ?? 2;
const from = v.from as string | undefined;
const kept = from ? await load(resolve(from)) : await federate();

interface Kept {
  readonly round: number;
  readonly rows: Float32Array;
  readonly n: number;
  readonly dim: number;
}

async function federate(): Promise<Kept[]> {
  const dataset = await loadCliDataset(datasetOptions({ dataset: "ml-100k", ...v }));
  const profiles = await withEmbeddingCache(createMiniLmEncoder(config.pooling)).encode(dataset.users.map((u) => u.profileText));
  const found: Kept[] = [];
  let round = 0;
  const pool = WorkerClients.create(config, dataset, profiles, workers);
  const keeping: ClientPool = {
    runRound: async (tasks) => {
      const reports = await pool.runRound(tasks);
      round++;
      if (keep.has(round)) {
        const dim = reports[0]!.upload.userWeights.length;
        const rows = new Float32Array(reports.length * dim);
        reports.forEach((r, i) => rows.set(r.upload.userWeights, i * dim));
        found.push({ round, rows, n: reports.length, dim });
      }
      return reports;
    },
    close: () => pool.close(),
  };
  const simulation = new FederatedSimulation(config, dataset, profiles[0]!.length, keeping, () => performance.now() / 1000, wasm);
  try {
    while (!simulation.finished) await simulation.runRound();
  } finally {
    await simulation.close();
  }
  const dir = resolve((v.save as string | undefined) ?? join(REPO_ROOT, "results", "graph-recall-theta"));
  await mkdir(dir, { recursive: true });
  for (const k of found) await writeFile(join(dir, `round-${k.round}-${k.n}x${k.dim}.f32`), k.rows);
  return found;
}

async function load(dir: string): Promise<Kept[]> {
  const files = (await readdir(dir)).filter((f) => /^round-\d+-\d+x\d+\.f32$/.test(f));
  return Promise.all(
    files.map(async (f) => {
      const [, round, n, dim] = /^round-(\d+)-(\d+)x(\d+)/.exec(f)!.map(Number) as [number, number, number, number];
      const bytes = await readFile(join(dir, f));
      return { round, n, dim, rows: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
    }),
  ).then((all) => all.sort((a, b) => a.round - b.round));
}

/** Share of the exact graph's neighbours (self excluded) that the approximate graph also has. */
function recall(approximate: SparseRows, exact: SparseRows): number {
  let found = 0;
  let total = 0;
  exact.columns.forEach((row, i) => {
    const mine = new Set(approximate.columns[i]);
    for (const j of row) {
      if (j === i) continue;
      total++;
      if (mine.has(j)) found++;
    }
  });
  return found / total;
}

/** The top-k graph of plain float64 cosines of the raw vectors (no kernel, no centring). */
function float64Graph(vectors: readonly Float32Array[], n: number): SparseRows {
  const norms = vectors.map((v) => Math.sqrt(dot64(v, v)));
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const c = i === j ? 1 : dot64(vectors[i]!, vectors[j]!) / (norms[i]! * norms[j]!);
      s[i * n + j] = c;
      s[j * n + i] = c;
    }
  return normaliseNeighbourhood(s, n, { kind: "topk", k });
}

function dot64(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let c = 0; c < a.length; c++) s += a[c]! * b[c]!;
  return s;
}

/** The exact graph as computed before centring: the float32 Gram of the unit rows. */
function uncentredGraph(vectors: readonly Float32Array[], n: number, dim: number): SparseRows {
  const unit = new Float32Array(n * dim);
  vectors.forEach((v, i) => {
    const scale = 1 / Math.sqrt(dot64(v, v));
    for (let c = 0; c < dim; c++) unit[i * dim + c] = v[c]! * scale;
  });
  return normaliseNeighbourhood(Float64Array.from(wasm(unit, n, dim)), n, { kind: "topk", k });
}

const k = config.neighbourhood.k;
const settings = {
  ...APPROXIMATE_GRAPH_DEFAULTS,
  sketchDim: positiveInt("--sketch-dim", v["sketch-dim"] as string | undefined) ?? APPROXIMATE_GRAPH_DEFAULTS.sketchDim,
  candidates: positiveInt("--candidates", v.candidates as string | undefined) ?? APPROXIMATE_GRAPH_DEFAULTS.candidates,
};
const searches: [string, CandidateSearch][] = [
  ["exact scan of the sketches", exactCandidates],
  ["usearch HNSW on the sketches", usearchCandidates(workers)],
];
console.log(
  `ML-100K, the ${configFlags.preset ?? "text-graph"} configuration, top-${k} neighbours of θ_user, against float64 cosines; sketch ${settings.sketchDim}, ${settings.candidates} candidates\n`,
);
console.log("| round | graph | recall@10 (self excluded) | seconds |");
console.log("| --- | --- | --- | --- |");
for (const { round, rows, n, dim } of kept) {
  const vectors = Array.from({ length: n }, (_, i) => rows.subarray(i * dim, (i + 1) * dim));
  const reference = float64Graph(vectors, n);
  const t0 = performance.now();
  const exact = normaliseNeighbourhood(cosineSimilarityMatrix(vectors, wasm), n, { kind: "topk", k });
  const exactSeconds = (performance.now() - t0) / 1000;
  console.log(
    `| ${round} | exact (centred rows, float32 wasm Gram: the coordinator's) | ${recall(exact, reference).toFixed(4)} | ${exactSeconds.toFixed(2)} |`,
  );
  const before = uncentredGraph(vectors, n, dim);
  console.log(`| ${round} | exact as before (float32 wasm Gram of the unit rows) | ${recall(before, reference).toFixed(4)} | |`);
  for (const [name, search] of searches) {
    const t1 = performance.now();
    const approximate = approximateTopK(vectors, k, { search }, settings);
    const seconds = (performance.now() - t1) / 1000;
    console.log(`| ${round} | approximate, ${name} | ${recall(approximate, reference).toFixed(4)} | ${seconds.toFixed(2)} |`);
  }
}
