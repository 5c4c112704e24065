import { describe, expect, it } from "vitest";
import type { RoundSummary } from "@fedrec/common";
import { roundsCsv } from "./rounds-export.ts";

const metrics = (hr10: number, ndcg10: number) => ({ hr10, ndcg10, count: 10 });

function summary(round: number, loss: number | null, dpEpsilon: number | null = null): RoundSummary {
  return {
    round,
    sampled: 12,
    aggregated: 11,
    loss,
    metrics: { val: metrics(0.5, 0.25), test: metrics(0.4, 0.2) },
    bytes: { in: 1000, out: 2000 },
    seconds: { total: 3.5, aggregate: 0.5 },
    rejected: {},
    bestRound: round,
    dpEpsilon,
  };
}

describe("rounds CSV export", () => {
  it("writes a header and one line per round, a null loss or ε as an empty cell", () => {
    expect(roundsCsv([summary(1, 0.75), summary(2, null, 1.5)])).toBe(
      "round,sampled,aggregated,loss,val_hr10,val_ndcg10,test_hr10,test_ndcg10,bytes_in,bytes_out,seconds,dp_epsilon\n" +
        "1,12,11,0.75,0.5,0.25,0.4,0.2,1000,2000,3.5,\n" +
        "2,12,11,,0.5,0.25,0.4,0.2,1000,2000,3.5,1.5\n",
    );
  });

  it("is the header alone before any round", () => {
    expect(roundsCsv([])).toBe(
      "round,sampled,aggregated,loss,val_hr10,val_ndcg10,test_hr10,test_ndcg10,bytes_in,bytes_out,seconds,dp_epsilon\n",
    );
  });
});
