import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { randomVector, TINY_DIMS } from "../testing/tiny-model.ts";
import { accumulateBatchGradient, bceWithLogit, type Batch, type ProximalTerm } from "./batch-gradient.ts";
import { createClientModel, denseLayersOf, type ClientModel } from "./client-model.ts";
import { createGradients } from "./gradients.ts";
import { forwardUserBranch } from "./forward.ts";

const batch: Batch = { items: Int32Array.of(0, 3, 3, 5, 1), labels: Float32Array.of(1, 0, 1, 0, 0) };

type Scorer = { scoreHidden: readonly number[] } | { scorer: "dot"; userOutDim: number };

function setup(scorer: Scorer = { scoreHidden: [3, 2] }): { model: ClientModel; profile: Float32Array; proximal: ProximalTerm } {
  const model = createClientModel({ ...TINY_DIMS, ...scorer }, createRng(11), 0.5);
  const profile = randomVector(5, 12);
  // The server table differs from the model's on rows 0, 2 and 3, so the proximal term is active.
  const serverTable = model.itemTable.slice();
  for (const row of [0, 2, 3]) for (let k = 0; k < 2; k++) serverTable[row * 2 + k] += 0.3 * (k + 1) - row * 0.1;
  return { model, profile, proximal: { lambda: 0.7, serverTable, activeRows: [0, 1, 2, 3, 5] } };
}

function loss(model: ClientModel, profile: Float32Array, proximal: ProximalTerm): number {
  return accumulateBatchGradient(model, profile, batch, proximal, createGradients(model));
}

/** Every parameter of the model as (array, index) pairs. */
function parameters(model: ClientModel): [Float32Array, number, string][] {
  const out: [Float32Array, number, string][] = [];
  denseLayersOf(model).forEach((layer, l) => {
    for (let i = 0; i < layer.weight.length; i++) out.push([layer.weight, i, `layer ${l} W[${i}]`]);
    for (let i = 0; i < layer.bias.length; i++) out.push([layer.bias, i, `layer ${l} b[${i}]`]);
  });
  for (let i = 0; i < model.itemTable.length; i++) out.push([model.itemTable, i, `item[${i}]`]);
  return out;
}

describe("accumulateBatchGradient", () => {
  it.each<[string, Scorer]>([
    ["mlp [3, 2]", { scoreHidden: [3, 2] }],
    ["mlp [4]", { scoreHidden: [4] }],
    ["mlp []", { scoreHidden: [] }],
    ["dot", { scorer: "dot", userOutDim: TINY_DIMS.itemDim - 1 }],
  ])("matches central finite differences for every parameter (scorer %s)", (_name, scorer) => {
    const { model, profile, proximal } = setup(scorer);
    const grads = createGradients(model);
    accumulateBatchGradient(model, profile, batch, proximal, grads);
    const analytic = [
      ...grads.dense.flatMap((layer) => [...Array.from(layer.weight), ...Array.from(layer.bias)]),
      ...Array.from(grads.itemTable),
    ];
    const eps = 1e-3;
    parameters(model).forEach(([array, i, name], p) => {
      const original = array[i]!;
      array[i] = original + eps;
      const up = loss(model, profile, proximal);
      array[i] = original - eps;
      const down = loss(model, profile, proximal);
      array[i] = original;
      const numeric = (up - down) / (2 * eps);
      expect(Math.abs(numeric - analytic[p]!), name).toBeLessThan(2e-4 + 1e-2 * Math.abs(numeric));
    });
  });

  it("gives items never in the batch a gradient only from the proximal term", () => {
    const { model, profile, proximal } = setup();
    const grads = createGradients(model);
    accumulateBatchGradient(model, profile, batch, proximal, grads);
    // Row 2 is not in the batch: its gradient is 2λ(θ − T)/(numItems·itemDim).
    for (let k = 0; k < 2; k++) {
      const expected = ((2 * 0.7) / 12) * (model.itemTable[4 + k]! - proximal.serverTable[4 + k]!);
      expect(grads.itemTable[4 + k]).toBeCloseTo(expected, 7);
    }
    // Row 4 is neither in the batch nor active: exactly zero.
    expect(Array.from(grads.itemTable.subarray(8, 10))).toEqual([0, 0]);
  });

  it("returns mean BCE plus λ·mean((θ − T)²)", () => {
    const { model, profile } = setup();
    const same: ProximalTerm = { lambda: 5, serverTable: model.itemTable.slice(), activeRows: [0, 1, 3, 5] };
    const bceOnly = loss(model, profile, same);
    const shifted = model.itemTable.slice();
    shifted[0] += 0.2; // one entry off by 0.2 → mean square = 0.04 / 12
    const withProximal = loss(model, profile, { ...same, serverTable: shifted });
    // Changing T alone moves only the proximal term.
    expect(withProximal - bceOnly).toBeCloseTo((5 * 0.04) / 12, 6);
  });
});

describe("the dot scorer", () => {
  it("scores u·q_i + b_i (the row's last entry) with u from the profile branch, and has no θ_score", () => {
    const { model, profile, proximal } = setup({ scorer: "dot", userOutDim: TINY_DIMS.itemDim - 1 });
    expect(model.score).toEqual([]);
    const u = forwardUserBranch(model, profile).user;
    expect(u.length).toBe(1);
    const [q, b] = model.itemTable.subarray(6, 8); // row 3 of the 6 × 2 table
    const logit = u[0]! * q! + b!;
    const single: Batch = { items: Int32Array.of(3), labels: Float32Array.of(1) };
    const same = { ...proximal, serverTable: model.itemTable.slice() };
    expect(accumulateBatchGradient(model, profile, single, same, createGradients(model))).toBeCloseTo(bceWithLogit(logit, 1), 6);
  });

  it("refuses a user vector and item rows of different widths", () => {
    expect(() => createClientModel({ ...TINY_DIMS, scorer: "dot" }, createRng(1), 0.5)).toThrow(/userOutDim = itemDim − 1/);
  });
});

describe("bceWithLogit", () => {
  it("equals −log σ(x) for a positive and −log(1 − σ(x)) for a negative, stably", () => {
    expect(bceWithLogit(0, 1)).toBeCloseTo(Math.log(2), 12);
    expect(bceWithLogit(2, 1)).toBeCloseTo(-Math.log(1 / (1 + Math.exp(-2))), 12);
    expect(bceWithLogit(2, 0)).toBeCloseTo(-Math.log(1 - 1 / (1 + Math.exp(-2))), 12);
    expect(bceWithLogit(-800, 1)).toBeCloseTo(800, 6);
    expect(Number.isFinite(bceWithLogit(800, 0))).toBe(true);
  });
});
