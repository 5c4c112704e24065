import { describe, expect, it } from "vitest";
import { cutTrainingHistory } from "./cut-history.ts";
import type { ClientSplit } from "./leave-one-out.ts";

const split: ClientSplit = {
  train: Int32Array.of(4, 1, 3), // time order: 4 oldest, 3 newest
  validation: { item: 0, negatives: Int32Array.of(5) },
  test: { item: 2, negatives: Int32Array.of(6) },
  interacted: Uint8Array.of(1, 1, 1, 1, 1, 0, 0),
  trainItems: Uint8Array.of(0, 1, 0, 1, 1, 0, 0),
};

describe("cutTrainingHistory", () => {
  it("keeps the most recent training positives and the held-out items", () => {
    const cut = cutTrainingHistory(split, 2);
    expect(Array.from(cut.train)).toEqual([1, 3]);
    expect(Array.from(cut.trainItems)).toEqual([0, 1, 0, 1, 0, 0, 0]);
    expect(cut.validation).toBe(split.validation);
    expect(cut.test).toBe(split.test);
    expect(cut.interacted).toBe(split.interacted);
  });

  it("keeps nothing at 0 and everything when asked for more than there is", () => {
    expect(Array.from(cutTrainingHistory(split, 0).train)).toEqual([]);
    expect(Array.from(cutTrainingHistory(split, 0).trainItems).every((x) => x === 0)).toBe(true);
    expect(Array.from(cutTrainingHistory(split, 9).train)).toEqual([4, 1, 3]);
  });

  it("refuses a negative or fractional count", () => {
    expect(() => cutTrainingHistory(split, -1)).toThrow(/integer ≥ 0/);
    expect(() => cutTrainingHistory(split, 1.5)).toThrow(/integer ≥ 0/);
  });
});
