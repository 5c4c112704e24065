import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { SEED_PRESET } from "../config/presets.ts";
import { generateSyntheticDataset } from "../data/synthetic.ts";
import { streamOf } from "../random/federation-streams.ts";
import { leaveOneOutSplit } from "../split/leave-one-out.ts";
import { ClientRuntime, SharedWorkspace } from "./client-runtime.ts";
import { initialModel } from "../model/initial-model.ts";
import { modelDimensions } from "../config/derived-settings.ts";

describe("ClientRuntime snapshot", () => {
  it("a runtime restored from a snapshot continues exactly like the original (Adam moments and random streams included)", () => {
    const config = resolveConfig(SEED_PRESET, { evalNegatives: 9 }); // adam: moments must survive too
    const dataset = generateSyntheticDataset({ numUsers: 3, numItems: 40 });
    const split = leaveOneOutSplit(dataset, 9, streamOf(1, "split"))[1]!;
    const profile = Float32Array.from({ length: 8 }, (_, k) => Math.cos(k));
    const initial = initialModel(config, modelDimensions(config, 8, 40));
    const workspace = new SharedWorkspace().obtain(config, initial);
    const table = initial.itemTable;
    const original = new ClientRuntime(config, split, profile, 1, initial);
    original.runRound(table, workspace, () => 0);
    const saved = original.snapshot();
    const next = original.runRound(table, workspace, () => 0).upload;

    const restored = new ClientRuntime(config, split, profile, 1, initial);
    restored.restore(saved);
    const again = restored.runRound(table, workspace, () => 0).upload;
    expect(again.userWeights).toEqual(next.userWeights);
    expect(again.rows).toEqual(next.rows);
    expect(again.values).toEqual(next.values);
    // Without the snapshot, the second round differs (the test can fail).
    const fresh = new ClientRuntime(config, split, profile, 1, initial).runRound(table, workspace, () => 0).upload;
    expect(fresh.userWeights).not.toEqual(next.userWeights);
  });

  it("a stepwise round (pausing after each epoch) trains exactly like a plain one", async () => {
    const config = resolveConfig(SEED_PRESET, { evalNegatives: 9, localEpochs: 3 });
    const dataset = generateSyntheticDataset({ numUsers: 3, numItems: 40 });
    const split = leaveOneOutSplit(dataset, 9, streamOf(1, "split"))[0]!;
    const profile = Float32Array.from({ length: 8 }, (_, k) => Math.sin(k));
    const initial = initialModel(config, modelDimensions(config, 8, 40));
    const plain = new ClientRuntime(config, split, profile, 0, initial);
    const stepwise = new ClientRuntime(config, split, profile, 0, initial);
    const a = plain.runRound(initial.itemTable, new SharedWorkspace().obtain(config, initial), () => 0);
    const seen: number[] = [];
    const b = await stepwise.runRoundStepwise(
      initial.itemTable,
      new SharedWorkspace().obtain(config, initial),
      () => 0,
      async (p) => {
        seen.push(p.epoch);
        expect(p.epochs).toBe(3);
      },
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(b.upload.values).toEqual(a.upload.values);
    expect(b.upload.userWeights).toEqual(a.upload.userWeights);
    expect(b.loss).toBe(a.loss);
  });

  it("refuses a snapshot of other shapes", () => {
    const config = resolveConfig(SEED_PRESET, { evalNegatives: 9 });
    const dataset = generateSyntheticDataset({ numUsers: 2, numItems: 40 });
    const split = leaveOneOutSplit(dataset, 9, streamOf(1, "split"))[0]!;
    const small = new ClientRuntime(config, split, new Float32Array(4), 0);
    const large = new ClientRuntime(config, split, new Float32Array(8), 0);
    expect(() => large.restore(small.snapshot())).toThrow(/does not fit/);
  });
});
