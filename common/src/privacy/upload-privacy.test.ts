import { describe, expect, it } from "vitest";
import { buildUpload } from "../client/client-upload.ts";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { createClientModel } from "../model/client-model.ts";
import { createRng } from "../random/rng.ts";
import { FederatedSimulation } from "../simulation/federated-simulation.ts";
import { bagOfWordsEncoder } from "../testing/bag-of-words-encoder.ts";
import { padWithPseudoItems } from "./pseudo-items.ts";

const ITEM_DIM = 4;
const NUM_ITEMS = 200;
const dims = {
  profileDim: 3,
  jointDim: 2,
  userHiddenDim: 2,
  userOutDim: 2,
  itemDim: ITEM_DIM,
  scoreHidden: [2],
  scorer: "mlp" as const,
  numItems: NUM_ITEMS,
};
const metrics = { val: { hr10: 1, ndcg10: 1, count: 1 }, test: { hr10: 0, ndcg10: 0, count: 1 } };

/** A trained model whose rows 3, 10 and 50 moved by ±0.5 from the server table. */
function trained() {
  const model = createClientModel(dims, createRng(1), 1);
  const server = model.itemTable.slice();
  const changed = Int32Array.of(3, 10, 50);
  for (const row of changed) for (let d = 0; d < ITEM_DIM; d++) model.itemTable[row * ITEM_DIM + d] += d % 2 ? 0.5 : -0.5;
  return { model, server, changed };
}

const OFF = { sendUserWeights: true, userWeightsNoiseScale: 0, itemNoiseScale: 0, pseudoItems: 0 };

describe("upload privacy options", () => {
  it("all off: the exact update (changed rows only, their trained values, θ_user untouched)", () => {
    const { model, server, changed } = trained();
    const upload = buildUpload(model, changed, server, 7, metrics, OFF, createRng(2));
    expect(Array.from(upload.rows)).toEqual([3, 10, 50]);
    expect(upload.values).toEqual(
      Float32Array.from([3, 10, 50].flatMap((r) => Array.from(model.itemTable.subarray(r * 4, r * 4 + 4)))),
    );
    expect(upload.userWeights).toEqual(model.userJoint.weight);
  });

  it("without sendUserWeights θ_user is not sent at all, and the item rows are the same", () => {
    const { model, server, changed } = trained();
    const withTheta = buildUpload(model, changed, server, 7, metrics, { ...OFF, pseudoItems: 5 }, createRng(2));
    const without = { ...OFF, sendUserWeights: false, pseudoItems: 5 };
    const upload = buildUpload(model, changed, server, 7, metrics, without, createRng(2));
    expect(upload.userWeights).toHaveLength(0);
    expect(withTheta.userWeights).toHaveLength(model.userJoint.weight.length);
    expect(upload.rows).toEqual(withTheta.rows);
    expect(upload.values).toEqual(withTheta.values);
  });

  it("pseudo items hide the trained rows: every uploaded row changed, by noise as large as the real changes", () => {
    const { model, server, changed } = trained();
    const upload = buildUpload(model, changed, server, 7, metrics, { ...OFF, pseudoItems: 40 }, createRng(2));
    expect(upload.rows).toHaveLength(43);
    expect(Array.from(upload.rows)).toEqual([...new Set(upload.rows)].sort((a, b) => a - b)); // sorted, distinct: a valid upload
    const change = (r: number) => {
      const row = upload.rows[r]!;
      let s = 0;
      for (let d = 0; d < ITEM_DIM; d++) s += (upload.values[r * ITEM_DIM + d]! - server[row * ITEM_DIM + d]!) ** 2;
      return Math.sqrt(s / ITEM_DIM);
    };
    const real = new Set([3, 10, 50]);
    const pseudoChanges = Array.from(upload.rows.keys())
      .filter((r) => !real.has(upload.rows[r]!))
      .map(change);
    // The naive test "did the row change?" flags every row, so it cannot single out the real ones.
    for (const c of pseudoChanges) expect(c).toBeGreaterThan(0);
    const rms = Math.sqrt(pseudoChanges.reduce((a, c) => a + c * c, 0) / pseudoChanges.length);
    expect(rms).toBeGreaterThan(0.5 * 0.7);
    expect(rms).toBeLessThan(0.5 * 1.4); // the real rows moved by RMS 0.5
    // The real rows are sent unchanged.
    for (const row of real) {
      const r = Array.from(upload.rows).indexOf(row);
      expect(Array.from(upload.values.subarray(r * 4, r * 4 + 4))).toEqual(
        Array.from(model.itemTable.subarray(row * 4, row * 4 + 4)),
      );
    }
    // Turning padding on does not change the θ_user draws of the other options.
    expect(upload.userWeights).toEqual(buildUpload(model, changed, server, 7, metrics, OFF, createRng(2)).userWeights);
  });

  it("pads with at most the items that are left", () => {
    const server = new Float32Array(5 * 2);
    const padded = padWithPseudoItems(Int32Array.of(0, 1, 2), new Float32Array(6), server, 2, 10, createRng(3));
    expect(Array.from(padded.rows)).toEqual([0, 1, 2, 3, 4]);
  });

  it("item noise: Laplace with the scale asked for (mean 0, mean |noise| = b)", () => {
    const { model, server } = trained();
    const rows = Int32Array.from({ length: NUM_ITEMS }, (_, i) => i);
    const exact = buildUpload(model, rows, server, 7, metrics, OFF, createRng(4)).values;
    const noisy = buildUpload(model, rows, server, 7, metrics, { ...OFF, itemNoiseScale: 0.2 }, createRng(4)).values;
    const noise = Array.from(noisy, (v, i) => v - exact[i]!);
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
    const meanAbs = noise.reduce((a, b) => a + Math.abs(b), 0) / noise.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(meanAbs).toBeGreaterThan(0.18);
    expect(meanAbs).toBeLessThan(0.22);
  });

  it("a federation with pseudo items and noise still learns", async () => {
    const dataset = generateSyntheticDataset({ numUsers: 60, numItems: 200 });
    const profiles = await bagOfWordsEncoder().encode(dataset.users.map((u) => u.profileText));
    const run = async (privacy: object) => {
      const sim = FederatedSimulation.inProcess(
        resolveConfig(DEFAULT_CONFIG, { rounds: 20, negativeExclusion: "train", ...privacy }),
        dataset,
        profiles,
        () => 0,
      );
      for (let r = 0; r < 20; r++) await sim.runRound();
      return sim.result();
    };
    const plain = await run({});
    const privateRun = await run({ pseudoItems: 20, itemNoiseScale: 0.01, userWeightsNoiseScale: 0.01 });
    expect(privateRun.summary!.test.hr10).toBeGreaterThan(2 * privateRun.dataset.randomHr10);
    expect(privateRun.summary!.test.hr10).toBeGreaterThan(plain.summary!.test.hr10 - 0.2);
  });
});
