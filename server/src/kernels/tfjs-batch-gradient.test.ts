/**
 * The TensorFlow.js batch-gradient kernel (the browser's engine) against the core's Float32Array
 * kernel: same rounds, same uploads up to float rounding — on tfjs-wasm, the browser's default.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import {
  ClientRuntime,
  DEFAULT_CONFIG,
  SEED_PRESET,
  SharedWorkspace,
  generateSyntheticDataset,
  initialModel,
  leaveOneOutSplit,
  modelDimensions,
  resolveConfig,
  streamOf,
  tfjsBatchGradient,
  type FederationConfig,
} from "@fedrec/common";
import { createWasmGramKernel } from "./wasm-gram.ts";

await createWasmGramKernel(); // initialises the wasm backend

function twoRounds(config: FederationConfig, engine: "core" | "tfjs") {
  const dataset = generateSyntheticDataset({ numUsers: 4, numItems: 120 });
  const split = leaveOneOutSplit(dataset, 20, streamOf(config.seed, "split"))[2]!;
  const profile = Float32Array.from({ length: 24 }, (_, k) => Math.sin(k + 1));
  const initial = initialModel(config, modelDimensions(config, 24, 120));
  const workspace = new SharedWorkspace().obtain(config, initial);
  const runtime = new ClientRuntime(config, split, profile, 2, initial, engine === "tfjs" ? tfjsBatchGradient(tf) : undefined);
  const first = runtime.runRound(initial.itemTable, workspace, () => 0);
  const second = runtime.runRound(initial.itemTable, workspace, () => 0);
  return [first, second];
}

describe("tfjsBatchGradient (wasm backend)", () => {
  it.each([
    ["the default configuration (SGD, proximal term)", resolveConfig(DEFAULT_CONFIG, { evalNegatives: 20 })],
    ["the seed configuration (Adam)", resolveConfig(SEED_PRESET, { evalNegatives: 20, batchSize: 16 })],
    [
      "the dot scorer with weight decay",
      resolveConfig(SEED_PRESET, { evalNegatives: 20, scorer: "dot", userOutDim: 7, itemDim: 8, weightDecay: 0.01 }),
    ],
  ])("trains like the core kernel with %s", (_name, config) => {
    expect(tf.getBackend()).toBe("wasm");
    const core = twoRounds(config, "core");
    const tfjs = twoRounds(config, "tfjs");
    for (let r = 0; r < 2; r++) {
      const a = core[r]!;
      const b = tfjs[r]!;
      expect(b.loss).toBeCloseTo(a.loss, 4);
      expect(Array.from(b.upload.rows)).toEqual(Array.from(a.upload.rows));
      const maxDiff = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
      const scale = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxDiff(b.upload.values, a.upload.values)).toBeLessThan(1e-4 * Math.max(1, scale(a.upload.values)));
      expect(maxDiff(b.upload.userWeights, a.upload.userWeights)).toBeLessThan(1e-4 * Math.max(1, scale(a.upload.userWeights)));
    }
  });
});
