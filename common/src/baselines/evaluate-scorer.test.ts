import { describe, expect, it } from "vitest";
import type { ClientSplit, HeldOutItem } from "../split/leave-one-out.ts";
import { evaluateScorer, evaluateScorerOn } from "./evaluate-scorer.ts";

const N = 20;
const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, k) => from + k);
const heldOut = (item: number, negatives: Int32Array): HeldOutItem => ({ item, negatives });
const split = (validation: HeldOutItem | null, test: HeldOutItem | null): ClientSplit => ({
  train: Int32Array.of(),
  validation,
  test,
  interacted: new Uint8Array(N),
  trainItems: new Uint8Array(N),
});

// Scores: item i scores i, except that user 1's item 3 also scores 7 (a tie with item 7).
const scorer = (u: number) => Float64Array.from({ length: N }, (_, i) => (u === 1 && i === 3 ? 7 : i));
const splits = [
  // u0 val: 15 vs 0..11 → rank 1 (HR 1, NDCG 1); test: 5 vs 6..17, all 12 above → rank 13 (HR 0, NDCG 0).
  split(heldOut(15, range(0, 12)), heldOut(5, range(6, 18))),
  // u1 val: 10 vs {0,1,2,11,12} → 2 above, rank 3 (HR 1, NDCG 1/log2 4 = 0.5);
  //    test: 7 vs {3, 0}, item 3 ties at 7 and counts above → rank 2 (HR 1, NDCG 1/log2 3).
  split(heldOut(10, Int32Array.of(0, 1, 2, 11, 12)), heldOut(7, Int32Array.of(3, 0))),
  // u2 has no held-out items: skipped.
  split(null, null),
  // u3 has a test item only: 19 vs 0..5 → rank 1.
  split(null, heldOut(19, range(0, 6))),
];

describe("evaluateScorer", () => {
  it("ranks each held-out item against its negatives and combines users like the federation", () => {
    const scored: number[] = [];
    const result = evaluateScorer(splits, (u) => (scored.push(u), scorer(u)));
    expect(scored).toEqual([0, 1, 3]);
    expect(result.val).toEqual({ hr10: 1, ndcg10: 0.75, count: 2 });
    expect(result.test.count).toBe(3);
    expect(result.test.hr10).toBeCloseTo(2 / 3, 15);
    expect(result.test.ndcg10).toBeCloseTo((0 + 1 / Math.log2(3) + 1) / 3, 15);
  });

  it("evaluates one list alone with the same numbers", () => {
    const both = evaluateScorer(splits, scorer);
    expect(evaluateScorerOn(splits, scorer, "validation")).toEqual(both.val);
    expect(evaluateScorerOn(splits, scorer, "test")).toEqual(both.test);
  });
});
