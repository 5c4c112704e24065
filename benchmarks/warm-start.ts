/**
 * Warm start for a classroom (honest protocol): the 30 ML-100K users `npm run pretrain --
 * --hold-out 30` left out of pretraining form a class; each student keeps only their first 5 or 10
 * ratings (in time order: what someone types in during a lesson) — the last goes to test, the one
 * before to validation, the rest to training. The class federates alone for 10 rounds from a random
 * item table (cold) and from the pretrained one (warm), over three seeds; the test HR@10 the
 * students measure on their own devices is printed after rounds 1, 3 and 10.
 *
 *   npm run pretrain -- --dataset ml-100k --hold-out 30 --out results/warm/ml100k-holdout30.ckpt
 *   npx tsx benchmarks/warm-start.ts results/warm/ml100k-holdout30.ckpt [--seeds 1,2,3]
 */
import { readFile } from "node:fs/promises";
import { DEFAULT_CONFIG, FederatedSimulation, chronological, resolveConfig, type Dataset } from "@fedrec/common";
import { loadCliDataset } from "../server/src/cli/load-cli-dataset.ts";
import { withEmbeddingCache } from "../server/src/encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../server/src/encoder/minilm-encoder.ts";
import { decodeWarmStart } from "../server/src/warm-start/warm-start-file.ts";

const REPORTED_ROUNDS = [1, 3, 10] as const;
const KEPT_RATINGS = [5, 10] as const;

const [file, ...rest] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: npx tsx benchmarks/warm-start.ts WARM_START_FILE [--seeds 1,2,3]");
const seedsAt = rest.indexOf("--seeds");
const seeds = seedsAt >= 0 ? rest[seedsAt + 1]!.split(",").map(Number) : [1, 2, 3];

const warm = decodeWarmStart(await readFile(file), file);
const dataset = await loadCliDataset({
  dataset: "ml-100k",
  datasetDir: null,
  csv: { interactions: null, profiles: null, items: null },
  synthetic: { numUsers: null, numItems: null },
});
const held = new Set(warm.header.heldOutUsers);
const students = dataset.users.filter((u) => held.has(u.sourceId));
if (students.length === 0) throw new Error(`${file} holds out no users: pretrain with --hold-out 30`);
const config = resolveConfig(DEFAULT_CONFIG, { rounds: Math.max(...REPORTED_ROUNDS) });
const profiles = await withEmbeddingCache(createMiniLmEncoder(config.pooling, config.encoderPrecision)).encode(
  students.map((u) => u.profileText),
);

/** The class with each student's first `kept` ratings. */
function classWith(kept: number): Dataset {
  return { ...dataset, users: students.map((u) => ({ ...u, interactions: chronological(u.interactions).slice(0, kept) })) };
}

console.log(
  `class: ${students.length} ML-100K users held out of pretraining (${file}: round ${warm.header.bestRound} of ${warm.header.roundsRun}, ` +
    `validation HR@10 ${warm.header.valHr10.toFixed(3)}); seeds ${seeds.join(", ")}`,
);
console.log(`| ratings per student | start | ${REPORTED_ROUNDS.map((r) => `test HR@10 after round ${r}`).join(" | ")} |`);
console.log(`| --- | --- | ${REPORTED_ROUNDS.map(() => "---").join(" | ")} |`);
for (const kept of KEPT_RATINGS) {
  const classroom = classWith(kept);
  for (const start of ["cold (random table)", "warm (pretrained table)"] as const) {
    const perRound = REPORTED_ROUNDS.map(() => [] as number[]);
    for (const seed of seeds) {
      const simulation = FederatedSimulation.inProcess(
        { ...config, seed },
        classroom,
        profiles,
        () => performance.now() / 1000,
        undefined,
        start.startsWith("warm") ? warm.table : undefined,
      );
      while (!simulation.finished) await simulation.runRound();
      REPORTED_ROUNDS.forEach((r, i) => perRound[i]!.push(simulation.rounds[r - 1]!.test.hr10));
      await simulation.close();
    }
    const cells = perRound.map((values) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
      return `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
    });
    console.log(`| ${kept} | ${start} | ${cells.join(" | ")} |`);
  }
}
