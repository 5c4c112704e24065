import { describe, expect, it } from "vitest";
import { denseLayersOf } from "../model/client-model.ts";
import { createGradients } from "../model/gradients.ts";
import { tinyModel } from "../testing/tiny-model.ts";
import { addWeightDecay } from "./weight-decay.ts";

describe("addWeightDecay", () => {
  it("adds wd·θ to the batch's item rows and every private layer, nothing elsewhere", () => {
    const model = tinyModel();
    const grads = createGradients(model);
    grads.itemTable[2] = 1; // row 1, an existing gradient is kept and added to
    addWeightDecay(model, grads, [1, 4, 4], 0.5); // a row twice in the batch is decayed once
    // itemDim 2: rows 1 and 4 are entries 2–3 and 8–9.
    expect(grads.itemTable[2]).toBeCloseTo(1 + 0.5 * model.itemTable[2]!, 6);
    expect(grads.itemTable[3]).toBeCloseTo(0.5 * model.itemTable[3]!, 6);
    expect(grads.itemTable[9]).toBeCloseTo(0.5 * model.itemTable[9]!, 6);
    for (const untouched of [0, 1, 4, 5, 6, 7, 10, 11]) expect(grads.itemTable[untouched]).toBe(0);
    denseLayersOf(model).forEach((layer, l) => {
      expect(grads.dense[l]!.weight[0]).toBeCloseTo(0.5 * layer.weight[0]!, 6);
      expect(grads.dense[l]!.bias.at(-1)).toBeCloseTo(0.5 * layer.bias.at(-1)!, 6);
    });
  });

  it("is a no-op at wd = 0", () => {
    const model = tinyModel();
    const grads = createGradients(model);
    addWeightDecay(model, grads, [0, 1, 2], 0);
    expect(grads.itemTable.every((g) => g === 0)).toBe(true);
    expect(grads.dense.every((l) => l.weight.every((g) => g === 0))).toBe(true);
  });
});
