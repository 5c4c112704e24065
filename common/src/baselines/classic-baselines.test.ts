import { describe, expect, it } from "vitest";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { createRng } from "../random/rng.ts";
import { describeDataset } from "../simulation/describe-dataset.ts";
import { leaveOneOutSplit } from "../split/leave-one-out.ts";
import { runClassicBaselines } from "./classic-baselines.ts";
import { fitEase } from "./ease.ts";
import { selectEaseLambda } from "./ease-selection.ts";
import { evaluateScorer, evaluateScorerOn } from "./evaluate-scorer.ts";
import { trainingMatrix } from "./interaction-matrix.ts";

const dataset = generateSyntheticDataset({ numUsers: 120, numItems: 300 });
const splits = leaveOneOutSplit(dataset, 99, createRng(4));
let ticks = 0;
const clock = () => ticks++;

describe("selectEaseLambda", () => {
  it("keeps the λ with the best validation HR@10 and reports every trial", () => {
    const train = trainingMatrix(splits);
    const grid = [0.5, 20, 100, 5000];
    const selection = selectEaseLambda(train, splits, grid);
    expect(selection.trials.map((t) => t.lambda)).toEqual(grid);
    for (const t of selection.trials) expect(t.val).toEqual(evaluateScorerOn(splits, fitEase(train, t.lambda), "validation"));
    const bestHr = Math.max(...selection.trials.map((t) => t.val.hr10));
    expect(selection.trials.find((t) => t.lambda === selection.lambda)!.val.hr10).toBe(bestHr);
    expect(evaluateScorer(splits, selection.scorer)).toEqual(evaluateScorer(splits, fitEase(train, selection.lambda)));
    expect(() => selectEaseLambda(train, splits, [])).toThrow(/grid is empty/);
  });
});

describe("runClassicBaselines on the synthetic dataset", () => {
  it("runs popularity, ItemKNN and EASE, personalised ones far above popularity and popularity above random", () => {
    const outcomes = runClassicBaselines(splits, clock, { k: 20, lambdas: [10, 100] });
    const by = Object.fromEntries(outcomes.map((o) => [o.method, o]));
    expect(outcomes.map((o) => o.method)).toEqual(["popularity", "item-knn", "ease"]);
    expect(by["item-knn"]!.parameters).toEqual({ k: 20 });
    expect([10, 100]).toContain(by["ease"]!.parameters["lambda"]);
    const random = describeDataset(dataset, 99).randomHr10;
    expect(by["popularity"]!.test.hr10).toBeGreaterThan(1.5 * random);
    for (const method of ["item-knn", "ease"]) {
      expect(by[method]!.val.hr10).toBeGreaterThan(by["popularity"]!.val.hr10 + 0.2);
      expect(by[method]!.test.hr10).toBeGreaterThan(by["popularity"]!.test.hr10 + 0.2);
    }
    for (const o of outcomes) {
      expect(o.test.count).toBe(splits.filter((s) => s.test !== null).length);
      expect(o.testRefit!.count).toBe(o.test.count);
      expect(o.seconds).toBeGreaterThan(0);
    }
  });

  it("runs only the methods asked for", () => {
    expect(runClassicBaselines(splits, clock, { methods: ["ease"], lambdas: [50] }).map((o) => o.method)).toEqual(["ease"]);
  });
});
