import { describe, expect, it } from "vitest";
import { secureAggregationGroups, thresholdFor } from "./group-plan.ts";

const ids = (n: number) => Array.from({ length: n }, (_, i) => 100 + i);

describe("secure-aggregation groups", () => {
  it("t = ⌊2g/3⌋ + 1", () => {
    expect([3, 5, 7, 32, 255].map(thresholdFor)).toEqual([3, 4, 5, 22, 171]);
  });

  it("splits into ⌈n / size⌉ consecutive groups whose sizes differ by at most one", () => {
    expect(secureAggregationGroups(ids(10), 32)).toEqual([ids(10)]);
    const groups = secureAggregationGroups(ids(943), 32);
    expect(groups.map((g) => g.length)).toEqual([...new Array<number>(13).fill(32), ...new Array<number>(17).fill(31)]);
    expect(groups.flat()).toEqual(ids(943));
    // Just above the size: two groups of more than size / 2, never one below 3.
    expect(secureAggregationGroups(ids(7), 6).map((g) => g.length)).toEqual([4, 3]);
  });

  it("refuses rounds below 3 participants and group sizes outside [6, 255]", () => {
    expect(() => secureAggregationGroups(ids(2), 32)).toThrow(/at least 3 participants in a round, got 2/);
    expect(() => secureAggregationGroups(ids(10), 5)).toThrow(/integer in \[6, 255\], got 5/);
    expect(() => secureAggregationGroups(ids(10), 256)).toThrow(/got 256/);
  });
});
