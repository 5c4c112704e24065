/**
 * `npm run baselines`: centralised baselines on exactly the federation's split — per seed,
 * leaveOneOutSplit(dataset, evalNegatives, streamOf(seed, "split")) as the simulator's clients
 * build it — so the held-out items and their sampled negatives are the federated runs' own.
 * Prints a Markdown table (mean ± std over seeds) and writes baselines.json and report.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  CentralisedTrainer,
  centralisedConfig,
  datasetSummary,
  describeDataset,
  formatDatasetSummary,
  leaveOneOutSplit,
  resolveConfig,
  runClassicBaselines,
  streamOf,
  type BaselineOutcome,
  type Clock,
  type ClassicMethod,
  type Dataset,
  type EpochRecord,
  type FederationConfig,
  type RankingMetrics,
} from "@fedrec/common";
import { withEmbeddingCache } from "../encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../encoder/minilm-encoder.ts";
import type { BaselinesOptions } from "./baselines-args.ts";
import {
  markdownReport,
  METHOD_LABELS,
  summariseRuns,
  summaryTable,
  type BaselinesResult,
  type SeedRun,
} from "./baselines-report.ts";
import { REPO_ROOT } from "./dataset-location.ts";
import { loadCliDataset } from "./load-cli-dataset.ts";
import { loadConfig } from "./load-config.ts";

export const PROTOCOL =
  "per user, interactions sorted by time (equal timestamps keep the source row order, the later row counting as " +
  "later): the latest is test, the second latest validation, the rest training (leaveOneOutSplit with the run's " +
  "seed, as in the federation); each held-out item is ranked against its " +
  "evalNegatives sampled never-seen items; HR@10 and NDCG@10, ties count against the positive; users without a " +
  "held-out item are skipped. Methods are fitted on the training positives only (like the federated clients); " +
  "'refit' columns refit the same method (same k / chosen λ) on train + validation before scoring test. " +
  "EASE's λ and the centralised model's epoch are chosen on validation HR@10; the centralised model's training " +
  "negatives follow negativeExclusion (train unless set otherwise) and it stops early when its loss becomes NaN.";

type Log = (line: string) => void;

const metricText = (m: RankingMetrics) => `HR@10 ${m.hr10.toFixed(4)} NDCG@10 ${m.ndcg10.toFixed(4)}`;

function outcomeLine(seed: number, o: BaselineOutcome): string {
  const refit = o.testRefit ? ` | refit test ${metricText(o.testRefit)}` : "";
  const chosen = Object.entries(o.parameters)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
  return (
    `seed ${seed} ${METHOD_LABELS[o.method] ?? o.method}: val ${metricText(o.val)} | test ${metricText(o.test)}${refit}` +
    `${chosen ? ` (${chosen})` : ""} [${o.seconds.toFixed(1)} s]`
  );
}

function trainModel(
  config: FederationConfig,
  dataset: Dataset,
  profiles: readonly Float32Array[],
  epochs: number,
  clock: Clock,
  log: Log,
): { outcome: BaselineOutcome; curve: readonly EpochRecord[] } {
  const t0 = clock();
  const trainer = new CentralisedTrainer(config, dataset, profiles, clock);
  let diverged = false;
  for (let e = 0; e < epochs && !diverged; e++) {
    const r = trainer.runEpoch();
    log(
      `seed ${config.seed} model epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)} | val ${metricText(r.val)} | ` +
        `test ${metricText(r.test)} [train ${r.seconds.train.toFixed(1)} s, eval ${r.seconds.evaluate.toFixed(1)} s]`,
    );
    // A NaN loss never recovers (every later epoch ranks nothing): stop and keep the best epoch so far.
    diverged = Number.isNaN(r.loss);
    if (diverged) log(`seed ${config.seed} model: the loss became NaN at epoch ${r.epoch}; stopping (learning rates too large?)`);
  }
  const best = trainer.best()!;
  const outcome: BaselineOutcome = {
    method: "model",
    val: best.val,
    test: best.test,
    testRefit: null,
    parameters: { bestEpoch: best.epoch, epochs, ...(diverged && { divergedAt: trainer.epochs.length }) },
    seconds: clock() - t0,
  };
  return { outcome, curve: trainer.epochs };
}

async function embedProfiles(dataset: Dataset, config: FederationConfig, log: Log): Promise<Float32Array[]> {
  const encoder = withEmbeddingCache(createMiniLmEncoder(config.pooling, config.encoderPrecision));
  const started = performance.now();
  const profiles = await encoder.encode(dataset.users.map((u) => u.profileText));
  log(`embedded ${profiles.length} profiles with ${encoder.id} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return profiles;
}

export async function runBaselines(options: BaselinesOptions, log: Log = console.log): Promise<BaselinesResult> {
  // Honest training negatives unless the command line says otherwise: the classic baselines never see held-out items either.
  const base = await loadConfig({ ...options, overrides: { negativeExclusion: "train", ...options.overrides } });
  const dataset = await loadCliDataset(options);
  log(formatDatasetSummary(datasetSummary(dataset)));
  const seeds = options.seeds ?? [base.seed];
  const classicMethods = options.methods.filter((m): m is ClassicMethod => m !== "model");
  const profiles = options.methods.includes("model") ? await embedProfiles(dataset, base, log) : null;
  const clock = () => performance.now() / 1000;
  const runs: SeedRun[] = [];
  for (const seed of seeds) {
    const config = resolveConfig(base, { seed }, "--seeds");
    const splits = leaveOneOutSplit(dataset, config.evalNegatives, streamOf(config.seed, "split"));
    const outcomes = runClassicBaselines(splits, clock, { methods: classicMethods, k: options.k, lambdas: options.lambdas });
    outcomes.forEach((o) => log(outcomeLine(seed, o)));
    let modelEpochs: readonly EpochRecord[] | null = null;
    if (profiles !== null) {
      const model = trainModel(config, dataset, profiles, options.epochs, clock, log);
      log(outcomeLine(seed, model.outcome));
      outcomes.push(model.outcome);
      modelEpochs = model.curve;
    }
    runs.push({ seed, outcomes, modelEpochs });
  }
  const result: BaselinesResult = {
    dataset: describeDataset(dataset, base.evalNegatives),
    protocol: PROTOCOL,
    options: { seeds, methods: options.methods, k: options.k, lambdas: options.lambdas, epochs: options.epochs },
    modelConfig: profiles !== null ? centralisedConfig(resolveConfig(base, { seed: seeds[0] })) : null,
    runs,
    summary: summariseRuns(runs),
  };
  const out = resolve(options.out ?? join(REPO_ROOT, "results", `baselines-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  await mkdir(out, { recursive: true });
  await Promise.all([
    writeFile(join(out, "baselines.json"), JSON.stringify(result, null, 2) + "\n"),
    writeFile(join(out, "report.md"), markdownReport(result)),
  ]);
  log(`\n${summaryTable(result.summary)}\n`);
  log(`results: ${out}/baselines.json, report.md`);
  return result;
}
