import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { randomVector, tinyModel, TINY_DIMS } from "../testing/tiny-model.ts";
import { createClientModel } from "../model/client-model.ts";
import type { OptimizerSettings } from "../model/optimizer.ts";
import { createLocalLearner, trainLocally, type LocalTrainingSettings } from "./local-training.ts";
import { createTrainingWorkspace } from "./training-workspace.ts";

const adam: OptimizerSettings = {
  dense: "adam",
  item: "adam",
  rates: { user: 0.01, mlp: 0.01, item: 0.05 },
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};
const settings: LocalTrainingSettings = { localEpochs: 2, batchSize: 3, numNegatives: 1, proximalLambda: 0.5, weightDecay: 0 };
const positives = Int32Array.of(0, 2);
const interacted = Uint8Array.of(1, 0, 1, 0, 0, 0);

function run(seed: number) {
  const initial = tinyModel();
  const learner = createLocalLearner(initial, adam);
  const workspace = createTrainingWorkspace(initial, adam);
  const serverTable = randomVector(initial.itemTable.length, 5);
  const result = trainLocally(
    learner,
    workspace,
    randomVector(5, 6),
    serverTable,
    positives,
    interacted,
    settings,
    createRng(seed),
  );
  return { result, serverTable, table: result.trained.itemTable.slice(), learner };
}

describe("trainLocally", () => {
  it("changes only the rows it reports, and reports at least the positives", () => {
    const { result, serverTable, table } = run(1);
    const changed = new Set(result.changedRows);
    expect(changed.has(0) && changed.has(2)).toBe(true);
    for (let row = 0; row < TINY_DIMS.numItems; row++) {
      const same = table.subarray(row * 2, row * 2 + 2).every((v, k) => v === serverTable[row * 2 + k]);
      if (!changed.has(row)) expect(same, `row ${row}`).toBe(true);
    }
    expect(result.samples).toBe(4); // 2 positives + 1 negative each
  });

  it("is deterministic under a fixed seed, and depends on it", () => {
    expect(Array.from(run(7).table)).toEqual(Array.from(run(7).table));
    expect(Array.from(run(7).table)).not.toEqual(Array.from(run(8).table));
  });

  it("never samples a negative among the user's interactions", () => {
    const { result } = run(3);
    // Rows 0 and 2 are positives; any other changed row came from a negative, which must be unseen.
    for (const row of result.changedRows) if (row !== 0 && row !== 2) expect(interacted[row]).toBe(0);
  });

  it("lowers the loss over rounds on a fixed table", () => {
    const initial = createClientModel(TINY_DIMS, createRng(2), 0.5);
    const learner = createLocalLearner(initial, adam);
    const workspace = createTrainingWorkspace(initial, adam);
    const profile = randomVector(5, 9);
    const rng = createRng(4);
    const losses: number[] = [];
    let table = initial.itemTable;
    for (let round = 0; round < 60; round++) {
      const r = trainLocally(learner, workspace, profile, table, positives, interacted, settings, rng);
      losses.push(r.loss);
      table = r.trained.itemTable.slice();
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
  });

  it("reports NaN loss and no rows for a client without interactions", () => {
    const initial = tinyModel();
    const learner = createLocalLearner(initial, adam);
    const workspace = createTrainingWorkspace(initial, adam);
    const r = trainLocally(
      learner,
      workspace,
      randomVector(5, 1),
      initial.itemTable,
      new Int32Array(0),
      new Uint8Array(6),
      settings,
      createRng(1),
    );
    expect(r.loss).toBeNaN();
    expect(r.changedRows.length).toBe(0);
    expect(Array.from(r.trained.itemTable)).toEqual(Array.from(initial.itemTable));
  });
});
