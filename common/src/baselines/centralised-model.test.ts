import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { streamOf } from "../random/federation-streams.ts";
import { describeDataset } from "../simulation/describe-dataset.ts";
import { leaveOneOutSplit } from "../split/leave-one-out.ts";
import { bagOfWordsEncoder } from "../testing/bag-of-words-encoder.ts";
import { evaluateScorer } from "./evaluate-scorer.ts";
import { trainingMatrix } from "./interaction-matrix.ts";
import { fitPopularity } from "./popularity.ts";
import { CentralisedTrainer, centralisedConfig } from "./centralised-model.ts";

const dataset = generateSyntheticDataset({ numUsers: 120, numItems: 300 });
const profiles = await bagOfWordsEncoder().encode(dataset.users.map((u) => u.profileText));
const config = resolveConfig(DEFAULT_CONFIG, { seed: 1, negativeExclusion: "train" });
let ticks = 0;
const fakeClock = () => ticks++;

describe("CentralisedTrainer on the synthetic dataset", () => {
  it("beats popularity and random on validation HR@10 within 8 epochs", () => {
    const trainer = new CentralisedTrainer(config, dataset, profiles, fakeClock);
    for (let e = 0; e < 8; e++) trainer.runEpoch();
    const splits = leaveOneOutSplit(dataset, config.evalNegatives, streamOf(config.seed, "split"));
    const popularity = evaluateScorer(splits, fitPopularity(trainingMatrix(splits)));
    const random = describeDataset(dataset, config.evalNegatives).randomHr10;
    const best = trainer.best()!;
    expect(trainer.epochs).toHaveLength(8);
    expect(best.val.count).toBe(popularity.val.count);
    expect(best.val.hr10).toBeGreaterThan(popularity.val.hr10 + 0.1);
    expect(best.val.hr10).toBeGreaterThan(3 * random);
    expect(trainer.epochs.at(-1)!.loss).toBeLessThan(trainer.epochs[0]!.loss);
  });

  it("updates one shared item table in place and is deterministic per seed", () => {
    const run = (seed: number) => {
      const trainer = new CentralisedTrainer({ ...config, seed }, dataset, profiles, fakeClock);
      const before = trainer.itemTable.slice();
      const record = trainer.runEpoch();
      return { trainer, before, record };
    };
    const a = run(1);
    expect(a.trainer.itemTable).not.toEqual(a.before);
    const again = run(1);
    expect(again.trainer.itemTable).toEqual(a.trainer.itemTable);
    expect(again.record.val).toEqual(a.record.val);
    expect(run(2).trainer.itemTable).not.toEqual(a.trainer.itemTable);
  });

  it("trains without the proximal term and without upload privacy, whatever the configuration says", () => {
    const noisy = { ...config, proximalLambda: 1, itemNoiseScale: 0.5, pseudoItems: 3, uploadPrecision: "float16" } as const;
    expect(centralisedConfig(noisy)).toEqual({ ...config, proximalLambda: 0 });
    expect(new CentralisedTrainer(noisy, dataset, profiles, fakeClock).config).toEqual(centralisedConfig(config));
    expect(() => new CentralisedTrainer(config, dataset, profiles.slice(1), fakeClock)).toThrow(
      /119 profile embeddings for 120 users/,
    );
  });
});
