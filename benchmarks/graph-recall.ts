/**
 * Neighbour recall of the user graphs on ML-100K's real θ_user: a federation runs with the
 * text-graph configuration (unless --preset says otherwise; the default builds no graph); the Gram kernel is wrapped to keep the unit θ_user rows of some rounds.
 * For each, the reference is the top-10 neighbours (self excluded) from cosines accumulated in
 * float64 (the JS kernel): θ_user cosines all lie within ≈ 1e-4 of 1, so float32 rounding alone
 * reorders neighbours. Measured against it: the exact graph as the coordinator computes it
 * (float32 wasm Gram) and the approximate graph (count sketch + exact re-ranking, candidates from
 * the exact scan and from usearch HNSW).
 *
 * The kept rows are saved to --save DIR (default results/graph-recall-theta) and can be measured
 * again without the federation with --from DIR.
 *
 *   npx tsx benchmarks/graph-recall.ts [--rounds 10] [--workers 2] [--keep 1,5,10] [--from DIR]
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  FederatedSimulation,
  approximateTopK,
  blockedGram,
  cosineSimilarityMatrix,
  exactCandidates,
  normaliseNeighbourhood,
  type CandidateSearch,
  type GramKernel,
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
  let calls = 0;
  const keeping: GramKernel = (rows, n, dim) => {
    calls++;
    if (keep.has(calls)) found.push({ round: calls, rows: rows.slice(), n, dim });
    return wasm(rows, n, dim);
  };
  const pool = WorkerClients.create(config, dataset, profiles, workers);
  const simulation = new FederatedSimulation(config, dataset, profiles[0]!.length, pool, () => performance.now() / 1000, keeping);
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

const k = config.neighbourhood.k;
const searches: [string, CandidateSearch][] = [
  ["exact scan of the sketches", exactCandidates],
  ["usearch HNSW on the sketches", usearchCandidates(workers)],
];
console.log(
  `ML-100K, the ${configFlags.preset ?? "text-graph"} configuration, top-${k} neighbours of θ_user, against float64 cosines\n`,
);
console.log("| round | graph | recall@10 (self excluded) | seconds |");
console.log("| --- | --- | --- | --- |");
for (const { round, rows, n, dim } of kept) {
  const vectors = Array.from({ length: n }, (_, i) => rows.subarray(i * dim, (i + 1) * dim));
  const reference = normaliseNeighbourhood(cosineSimilarityMatrix(vectors, blockedGram), n, { kind: "topk", k });
  const t0 = performance.now();
  const exact = normaliseNeighbourhood(cosineSimilarityMatrix(vectors, wasm), n, { kind: "topk", k });
  const exactSeconds = (performance.now() - t0) / 1000;
  console.log(
    `| ${round} | exact (float32 wasm Gram, as the coordinator) | ${recall(exact, reference).toFixed(4)} | ${exactSeconds.toFixed(2)} |`,
  );
  for (const [name, search] of searches) {
    const t1 = performance.now();
    const approximate = approximateTopK(vectors, k, search);
    const seconds = (performance.now() - t1) / 1000;
    console.log(`| ${round} | approximate, ${name} | ${recall(approximate, reference).toFixed(4)} | ${seconds.toFixed(2)} |`);
  }
}
