import { describe, expect, it } from "vitest";
import { learningRates } from "../config/derived-settings.ts";
import { PAPER_PRESET, SEED_PRESET } from "../config/presets.ts";
import { tinyModel } from "../testing/tiny-model.ts";
import { createGradients } from "./gradients.ts";
import { createMoments, createOptimizerState, optimizerStep, type OptimizerSettings } from "./optimizer.ts";

const rates = { user: 0.5, mlp: 0.1, item: 2 };

function stepOnce(settings: OptimizerSettings, grad: number) {
  const model = tinyModel();
  const state = createOptimizerState(model, settings);
  const grads = createGradients(model);
  grads.dense[0]!.weight[0] = grad; // θ_user
  grads.dense[1]!.weight[0] = grad; // θ_umlp
  grads.itemTable[2] = grad; // row 1
  const before = {
    user: model.userJoint.weight[0]!,
    mlp: model.userMlp[0].weight[0]!,
    item: model.itemTable[2]!,
    other: model.itemTable[4]!,
  };
  const itemState = { moments: settings.item === "adam" ? createMoments(model.itemTable.length) : null, step: 0 };
  optimizerStep(state, itemState, model, grads, [1]);
  return {
    user: model.userJoint.weight[0]! - before.user,
    mlp: model.userMlp[0].weight[0]! - before.mlp,
    item: model.itemTable[2]! - before.item,
    other: model.itemTable[4]! - before.other,
  };
}

describe("optimizerStep", () => {
  it("mixes algorithms: Adam for the dense layers, SGD for the item table", () => {
    const d = stepOnce({ dense: "adam", item: "sgd", rates, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, 0.25);
    expect(d.user).toBeCloseTo(-0.5, 5);
    expect(d.item).toBeCloseTo(-0.5, 6); // −2 · 0.25
  });

  it("SGD moves each group by −rate·gradient and leaves inactive rows alone", () => {
    const d = stepOnce({ dense: "sgd", item: "sgd", rates, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, 0.25);
    expect(d.user).toBeCloseTo(-0.125, 6);
    expect(d.mlp).toBeCloseTo(-0.025, 6);
    expect(d.item).toBeCloseTo(-0.5, 6);
    expect(d.other).toBe(0);
  });

  it("Adam's first step is −rate·sign(g) (bias-corrected m/√v = g/|g|), as in PyTorch", () => {
    // m = 0.1·g, v = 0.001·g²; m̂ = g, v̂ = g²; step = rate·g/(|g| + 1e-8).
    const d = stepOnce({ dense: "adam", item: "adam", rates, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, -0.5);
    expect(d.user).toBeCloseTo(0.5, 5);
    expect(d.mlp).toBeCloseTo(0.1, 5);
    expect(d.item).toBeCloseTo(2, 5);
    expect(d.other).toBe(0);
  });
});

describe("learningRates", () => {
  it("derives the paper's per-group SGD rates from lr and η", () => {
    const r = learningRates(PAPER_PRESET, 1682);
    expect(r.mlp).toBe(0.1);
    expect(r.item).toBeCloseTo(0.1 * 1682 * 80 - 0.1, 9);
    expect(r.user).toBeCloseTo(0.1 * 80 - 0.1, 9);
    expect(learningRates({ ...PAPER_PRESET, fractionTrain: 0.5 }, 1682).user).toBeCloseTo(0.1 * 80 * 2 - 0.1, 9);
  });

  it("uses one rate for Adam", () => {
    expect(learningRates(SEED_PRESET, 1682)).toEqual({ user: 1e-3, mlp: 1e-3, item: 1e-3 });
  });
});
