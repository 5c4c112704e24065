import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { splitUser } from "../split/leave-one-out.ts";
import { coOccurrence, itemCounts, trainingMatrix } from "./interaction-matrix.ts";

const at = (item: number, timestamp: number) => ({ item, rating: 5, timestamp });

describe("trainingMatrix", () => {
  // User 0 saw 2, 0, 4, 1 (in time order): test = 1, validation = 4, train = {0, 2}.
  // User 1 saw 3, 3, 0: test = 0, validation = 3, train = {3} (the repeat counts once).
  const splits = [
    splitUser([at(1, 40), at(2, 10), at(0, 20), at(4, 30)], 6, 1, createRng(1)),
    splitUser([at(3, 1), at(3, 2), at(0, 3)], 6, 1, createRng(2)),
  ];

  it("holds each user's distinct training positives, never the held-out items", () => {
    const m = trainingMatrix(splits);
    expect(m.numItems).toBe(6);
    expect(m.rows.map((r) => Array.from(r))).toEqual([[0, 2], [3]]);
    expect(Array.from(itemCounts(m))).toEqual([1, 0, 1, 1, 0, 0]);
  });

  it("adds the validation item on request (train + validation)", () => {
    expect(trainingMatrix(splits, true).rows.map((r) => Array.from(r))).toEqual([[0, 2, 4], [3]]);
  });

  it("counts co-occurrences G = XᵀX", () => {
    // Rows {0, 1}, {1, 2}, {0, 1, 2}, {0}: G_00 = 3, G_01 = 2, G_02 = 1, G_11 = 3, G_12 = 2, G_22 = 2.
    const rows = [Int32Array.of(0, 1), Int32Array.of(1, 2), Int32Array.of(0, 1, 2), Int32Array.of(0)];
    expect(Array.from(coOccurrence({ numItems: 3, rows }))).toEqual([3, 2, 1, 2, 3, 2, 1, 2, 2]);
  });
});
