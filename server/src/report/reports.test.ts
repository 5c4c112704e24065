import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, summarise, type RoundRecord, type SimulationResult } from "@fedrec/common";
import { learningCurveSvg } from "./learning-curve-svg.ts";
import { formatDuration, progressLine } from "./progress-line.ts";
import { roundSummaryLine } from "./round-summary-line.ts";
import { roundsCsv } from "./rounds-csv.ts";
import { scalingSvg } from "./scaling-svg.ts";

const round = (n: number, val: number, test: number): RoundRecord => ({
  round: n,
  loss: 0.5,
  participants: 10,
  seconds: { train: 1.5, aggregate: 0.25, evaluate: 0.125 },
  val: { hr10: val, ndcg10: val / 2 },
  test: { hr10: test, ndcg10: test / 2 },
  dpEpsilon: null,
});
const rounds = [round(1, 0.2, 0.3), round(2, 0.6, 0.5), round(3, 0.4, 0.7)];
const result: SimulationResult = {
  config: DEFAULT_CONFIG,
  dataset: { name: "fixture", users: 10, items: 20, interactions: 50, randomHr10: 0.1 },
  rounds,
  summary: summarise(rounds),
  stoppedEarlyAt: null,
  privacy: null,
};

describe("reports", () => {
  it("summary takes the test value of the best validation round", () => {
    expect(result.summary).toEqual({ bestRound: 2, val: { hr10: 0.6, ndcg10: 0.3 }, test: { hr10: 0.5, ndcg10: 0.25 } });
  });

  it("CSV has a header and one row per round", () => {
    const lines = roundsCsv(rounds).trim().split("\n");
    expect(lines[0]).toBe(
      "round,loss,participants,seconds_train,seconds_aggregate,seconds_evaluate,val_hr10,val_ndcg10,test_hr10,test_ndcg10,dp_epsilon",
    );
    expect(lines[2]).toBe("2,0.5,10,1.5,0.25,0.125,0.6,0.3,0.5,0.25,");
    expect(
      roundsCsv([{ ...rounds[0]!, dpEpsilon: 0.75 }])
        .trim()
        .split("\n")[1],
    ).toBe("1,0.5,10,1.5,0.25,0.125,0.2,0.1,0.3,0.15,0.75");
    expect(lines).toHaveLength(4);
  });

  it("SVG is well-formed, escapes the title and marks the best round", () => {
    const svg = learningCurveSvg(result, "a < b & c");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("a &lt; b &amp; c");
    expect(svg).toContain("best val (round 2)");
    expect(svg.match(/<polyline/g)).toHaveLength(4);
  });

  it("progress line shows round, metrics, time split and ETA", () => {
    const line = progressLine(rounds[1]!, 4, 10);
    expect(line).toContain("round 2/4");
    expect(line).toContain("val HR@10 0.6000");
    expect(line).toContain("train 1.5s agg 0.3s eval 0.1s");
    expect(line).toContain("ETA 10s");
    expect(line).not.toContain("ε");
    expect(progressLine({ ...rounds[1]!, dpEpsilon: 1.234 }, 4, 10)).toContain("| ε 1.23 |");
    expect(formatDuration(119.6)).toBe("2m00s");
  });

  it("the coordinator's round line says the ε spent under DP, and nothing about it otherwise", () => {
    const metrics = { val: { hr10: 0.5, ndcg10: 0.25, count: 4 }, test: { hr10: 0.4, ndcg10: 0.2, count: 4 } };
    const summary = {
      round: 3,
      sampled: 5,
      aggregated: 4,
      loss: 0.5,
      metrics,
      bytes: { in: 2e6, out: 1e6 },
      seconds: { total: 2, aggregate: 0.5 },
      rejected: {},
      bestRound: 3,
      dpEpsilon: null,
    };
    expect(roundSummaryLine("ABC123", summary, 10)).not.toContain("ε");
    expect(roundSummaryLine("ABC123", { ...summary, dpEpsilon: 2.345 }, 10)).toMatch(
      /^\[ABC123\] round 3\/10 · 4\/5 clients .* · ε 2\.35 spent$/,
    );
  });
});

describe("scalingSvg", () => {
  it("plots each point on log axes, the 60 s goal across, and escapes the title", () => {
    const svg = scalingSvg(
      [
        {
          label: "wall & clock",
          points: [
            { participants: 1000, seconds: 1 },
            { participants: 10_000, seconds: 10 },
          ],
        },
        { label: "CPU", points: [{ participants: 10_000, seconds: 0.1 }] },
      ],
      "a < b",
    );
    expect(svg).toContain("a &lt; b");
    expect(svg).toContain(">wall &amp; clock</text>");
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('<circle cx="616.0" cy="352.0" r="4" fill="#2ca02c"/>'); // 0.1 s at the bottom decade
    // x spans the decades 1,000–10,000 over 64..616 px; y the decades 0.1–100 s over 36..352 px.
    expect(svg).toContain('points="64.0,246.7 616.0,141.3"');
    expect(svg).toContain("goal 60 s");
    expect(svg).toContain(">participants per round (log)</text>");
    expect(
      scalingSvg([{ label: "one", points: [{ participants: 10, seconds: 1 }] }], "t", "participants (10 % < all)"),
    ).toContain(">participants (10 % &lt; all)</text>");
    expect(() => scalingSvg([], "empty")).toThrow(/no points/);
  });
});
