import { describe, expect, it } from "vitest";
import { globalUpdateWeights } from "./global-weights.ts";

describe("globalUpdateWeights", () => {
  it("mean weighs every participant 1/|U|", () => {
    expect(Array.from(globalUpdateWeights("mean", [5, 0, 7, 1], 100)!)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("sum weighs every participant 1, whatever its size", () => {
    expect(Array.from(globalUpdateWeights("sum", [5, 0, 7], 100)!)).toEqual([1, 1, 1]);
    expect(globalUpdateWeights("sum", [], 100)).toBeNull();
  });

  it("fedavg with equal sizes equals the mean", () => {
    expect(Array.from(globalUpdateWeights("fedavg", [4, 4, 4], 100)!)).toEqual(
      Array.from(globalUpdateWeights("mean", [4, 4, 4], 100)!),
    );
  });

  it("fedavg with sizes 1 and 3 gives exactly 0.25 and 0.75", () => {
    expect(Array.from(globalUpdateWeights("fedavg", [1, 3], 100)!)).toEqual([0.25, 0.75]);
  });

  it("fedavg gives a client without interactions weight 0, and null when nobody has any", () => {
    expect(Array.from(globalUpdateWeights("fedavg", [0, 2, 2], 100)!)).toEqual([0, 0.5, 0.5]);
    expect(globalUpdateWeights("fedavg", [0, 0], 100)).toBeNull();
    expect(globalUpdateWeights("mean", [], 100)).toBeNull();
  });

  it("fedavg caps each claimed count at the bound: 10⁸ weighs as much as the cap, no more", () => {
    // Counts 10, 20 and 10⁸ under a cap of 30: 10 / 60, 20 / 60, 30 / 60.
    expect(Array.from(globalUpdateWeights("fedavg", [10, 20, 1e8], 30)!)).toEqual([10 / 60, 20 / 60, 30 / 60]);
    expect(Array.from(globalUpdateWeights("fedavg", [10, 20, 30], 30)!)).toEqual([10 / 60, 20 / 60, 30 / 60]);
  });

  it("rejects negative or non-finite counts", () => {
    expect(() => globalUpdateWeights("fedavg", [1, -1], 100)).toThrow(/finite counts ≥ 0/);
    expect(() => globalUpdateWeights("fedavg", [Number.NaN], 100)).toThrow(/finite counts ≥ 0/);
  });
});
