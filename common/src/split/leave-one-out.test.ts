import { describe, expect, it } from "vitest";
import type { Dataset, Interaction } from "../data/dataset.ts";
import { createRng } from "../random/rng.ts";
import { chronological, leaveOneOutSplit } from "./leave-one-out.ts";
import { buildTrainingSamples } from "./training-negatives.ts";

const at = (item: number, timestamp: number): Interaction => ({ item, rating: 5, timestamp });

function dataset(users: Interaction[][], numItems = 300): Dataset {
  return {
    name: "fixture",
    users: users.map((interactions, u) => ({ sourceId: String(u), profileText: "", interactions })),
    numItems,
    itemTitles: [],
    itemSourceIds: [],
  };
}

describe("leaveOneOutSplit", () => {
  it("holds out the latest as test and the second latest as validation, ties by row order", () => {
    // Items 7 and 8 share the latest timestamp: 8 comes later in the file, so it is the test item.
    const [split] = leaveOneOutSplit(dataset([[at(5, 30), at(7, 50), at(1, 10), at(8, 50), at(2, 20)]]), 99, createRng(1));
    expect(split!.test!.item).toBe(8);
    expect(split!.validation!.item).toBe(7);
    expect(Array.from(split!.train)).toEqual([1, 2, 5]);
    expect(chronological([at(7, 50), at(8, 50)]).map((x) => x.item)).toEqual([7, 8]);
  });

  it("samples 99 unseen negatives per held-out item, disjoint between validation and test", () => {
    const history = Array.from({ length: 40 }, (_, i) => at(i * 3, i));
    const [split] = leaveOneOutSplit(dataset([history]), 99, createRng(2));
    const val = new Set(split!.validation!.negatives);
    const test = new Set(split!.test!.negatives);
    expect(val.size).toBe(99);
    expect(test.size).toBe(99);
    for (const item of test) expect(val.has(item)).toBe(false);
    for (const item of [...val, ...test]) expect(history.some((h) => h.item === item)).toBe(false);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const ds = dataset([Array.from({ length: 10 }, (_, i) => at(i, i))]);
    const a = leaveOneOutSplit(ds, 99, createRng(3))[0]!;
    const b = leaveOneOutSplit(ds, 99, createRng(3))[0]!;
    const c = leaveOneOutSplit(ds, 99, createRng(4))[0]!;
    expect(Array.from(a.test!.negatives)).toEqual(Array.from(b.test!.negatives));
    expect(Array.from(a.test!.negatives)).not.toEqual(Array.from(c.test!.negatives));
  });

  it("keeps at least one training item: 0, 1, 2 and 3 interactions", () => {
    const splits = leaveOneOutSplit(
      dataset([[], [at(1, 1)], [at(1, 1), at(2, 2)], [at(1, 1), at(2, 2), at(3, 3)]]),
      99,
      createRng(5),
    );
    expect(splits.map((s) => [s.train.length, s.validation?.item ?? null, s.test?.item ?? null])).toEqual([
      [0, null, null],
      [1, null, null],
      [1, null, 2],
      [1, 2, 3],
    ]);
  });

  it("shares the unseen items evenly when the catalogue is too small for 2 × 99", () => {
    const history = Array.from({ length: 10 }, (_, i) => at(i, i));
    const [split] = leaveOneOutSplit(dataset([history], 31), 99, createRng(6));
    expect(split!.validation!.negatives.length).toBe(10); // 21 unseen items → 10 each
    expect(split!.test!.negatives.length).toBe(10);
  });
});

describe("buildTrainingSamples", () => {
  it("pairs every positive with fresh unseen negatives", () => {
    const interacted = new Uint8Array(50);
    for (const i of [3, 4, 9]) interacted[i] = 1;
    const s = buildTrainingSamples(Int32Array.of(3, 4), interacted, 4, createRng(7));
    expect(s.items.length).toBe(10);
    expect(Array.from(s.labels)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    s.items.forEach((item, i) => {
      if (s.labels[i] === 0) expect(interacted[item]).toBe(0);
    });
    const again = buildTrainingSamples(Int32Array.of(3, 4), interacted, 4, createRng(8));
    expect(Array.from(again.items)).not.toEqual(Array.from(s.items));
  });
});
