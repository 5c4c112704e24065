import { describe, expect, it } from "vitest";
import { bestValidationRound } from "./best-validation.ts";
import { hitRatioAt } from "./hit-ratio.ts";
import { ndcgAt } from "./ndcg.ts";
import { rankOfPositive } from "./rank.ts";
import { combineMetrics, metricsFromScores } from "./ranking-metrics.ts";

describe("ranking metrics", () => {
  it("ranks the positive with ties counted against it", () => {
    expect(rankOfPositive(0.9, [0.1, 0.2])).toBe(1);
    expect(rankOfPositive(0.5, [0.9, 0.5, 0.1])).toBe(3); // the tie ranks above
    expect(rankOfPositive(0.3, new Array(99).fill(0.3))).toBe(100); // a constant model gets the worst rank
    expect(rankOfPositive(Number.NaN, [0.1])).toBe(2);
  });

  it("HR@10 and NDCG@10 follow their definitions", () => {
    expect(hitRatioAt(10, 10)).toBe(1);
    expect(hitRatioAt(11, 10)).toBe(0);
    expect(ndcgAt(1, 10)).toBe(1);
    expect(ndcgAt(3, 10)).toBe(0.5);
    expect(ndcgAt(10, 10)).toBeCloseTo(1 / Math.log2(11), 12);
    expect(ndcgAt(11, 10)).toBe(0);
    const m = metricsFromScores(0.5, [0.9, 0.8, 0.1]);
    expect(m).toEqual({ hr10: 1, ndcg10: 0.5, count: 1 });
  });

  it("combines partial means weighted by their counts", () => {
    const c = combineMetrics([
      { hr10: 1, ndcg10: 0.5, count: 1 },
      { hr10: 0.5, ndcg10: 0.25, count: 3 },
      { hr10: 0, ndcg10: 0, count: 0 },
    ]);
    expect(c).toEqual({ hr10: 0.625, ndcg10: 0.3125, count: 4 });
    expect(combineMetrics([]).count).toBe(0);
  });

  it("reports the test value of the best validation round, the earlier round winning ties", () => {
    const r = (round: number, val: number, test: number) => ({
      round,
      val: { hr10: val, ndcg10: 0, count: 1 },
      test: { hr10: test, ndcg10: 0, count: 1 },
    });
    expect(bestValidationRound([r(1, 0.2, 0.9), r(2, 0.5, 0.3), r(3, 0.5, 0.4), r(4, 0.1, 1)])?.round).toBe(2);
    expect(bestValidationRound([])).toBeNull();
  });
});
