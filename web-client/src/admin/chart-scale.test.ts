import { describe, expect, it } from "vitest";
import { niceScale, tickLabel } from "./chart-scale.ts";

describe("niceScale", () => {
  it("covers the data with 1-2-5 steps from zero", () => {
    expect(niceScale([0.12, 0.63])).toEqual({ min: 0, max: 0.8, ticks: [0, 0.2, 0.4, 0.6, 0.8] });
    expect(niceScale([3, 27])).toEqual({ min: 0, max: 30, ticks: [0, 10, 20, 30] });
    // A step of 120k rounds up to 200k.
    expect(niceScale([120_000, 480_000])).toEqual({ min: 0, max: 600_000, ticks: [0, 200_000, 400_000, 600_000] });
  });

  it("can leave zero out, and gives a flat or empty series a unit span", () => {
    expect(niceScale([0.3, 0.36], 3, false)).toEqual({ min: 0.3, max: 0.36, ticks: [0.3, 0.32, 0.34, 0.36] });
    // [5, 5] widens to [5, 10]; a step of 1.25 rounds up to 2, from 4.
    expect(niceScale([5, 5], 4, false)).toEqual({ min: 4, max: 10, ticks: [4, 6, 8, 10] });
    expect(niceScale([])).toEqual({ min: 0, max: 1, ticks: [0, 0.5, 1] });
  });
});

describe("tickLabel", () => {
  it("shortens thousands and millions and rounds fractions", () => {
    expect([0, 20, 1500, 250_000, 2_500_000, 0.25, 0.123456].map(tickLabel)).toEqual([
      "0",
      "20",
      "1.5k",
      "250k",
      "2.5M",
      "0.25",
      "0.123",
    ]);
  });
});
