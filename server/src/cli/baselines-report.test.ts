import { describe, expect, it } from "vitest";
import type { BaselineOutcome, RankingMetrics } from "@fedrec/common";
import { markdownReport, spread, summariseRuns, summaryTable, type SeedRun } from "./baselines-report.ts";

const m = (hr10: number, ndcg10: number): RankingMetrics => ({ hr10, ndcg10, count: 100 });
const outcome = (method: string, hr: number, parameters: Record<string, number>, refit = true): BaselineOutcome => ({
  method,
  val: m(hr + 0.01, hr / 2),
  test: m(hr, hr / 2),
  testRefit: refit ? m(hr + 0.02, hr / 2) : null,
  parameters,
  seconds: 1,
});
const runs: SeedRun[] = [
  {
    seed: 1,
    outcomes: [outcome("ease", 0.6, { lambda: 500 }), outcome("model", 0.5, { bestEpoch: 3, epochs: 4 }, false)],
    modelEpochs: [],
  },
  {
    seed: 2,
    outcomes: [outcome("ease", 0.7, { lambda: 1000 }), outcome("model", 0.5, { bestEpoch: 2, epochs: 4, divergedAt: 3 }, false)],
    modelEpochs: [],
  },
];

describe("baselines report", () => {
  it("computes mean ± population std over seeds", () => {
    expect(spread([1, 3])).toEqual({ mean: 2, std: 1 });
    expect(spread([0.5])).toEqual({ mean: 0.5, std: 0 });
  });

  it("summarises each method over seeds with the chosen parameters", () => {
    const [ease, model] = summariseRuns(runs);
    expect(ease!.label).toBe("EASE");
    expect(ease!.test.hr10.mean).toBeCloseTo(0.65, 12);
    expect(ease!.test.hr10.std).toBeCloseTo(0.05, 12);
    expect(ease!.testRefit!.hr10.mean).toBeCloseTo(0.67, 12);
    expect(ease!.chosen).toBe("λ 500, λ 1000");
    expect(model!.testRefit).toBeNull();
    expect(model!.chosen).toBe("epoch 3/4, epoch 2/4 (NaN at 3)");
  });

  it("renders Markdown tables", () => {
    const table = summaryTable(summariseRuns(runs)).split("\n");
    expect(table).toHaveLength(4);
    expect(table[2]).toBe(
      "| EASE | 0.6600 ± 0.0500 | 0.6500 ± 0.0500 | 0.3250 ± 0.0250 | 0.6700 ± 0.0500 | 0.3250 ± 0.0250 | λ 500, λ 1000 |",
    );
    expect(table[3]).toContain("| Centralised model | 0.5100 ± 0.0000 | 0.5000 ± 0.0000 |");
    const info = { name: "ml-100k", users: 943, items: 1682, interactions: 100000, randomHr10: 0.1 };
    const options = { seeds: [1, 2], methods: ["ease", "model"], k: 50, lambdas: [500, 1000], epochs: 4 };
    const report = markdownReport({
      dataset: info,
      protocol: "LOO",
      options,
      modelConfig: null,
      runs,
      summary: summariseRuns(runs),
    });
    expect(report).toContain("# Centralised baselines: ml-100k");
    expect(report).toContain("| 2 | EASE | 0.7100 | 0.3500 | 0.7000 | 0.3500 | 0.7200 | 0.3500 | λ 1000 | 1.0 |");
  });
});
