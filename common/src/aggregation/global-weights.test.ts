import { describe, expect, it } from "vitest";
import { globalUpdateWeights } from "./global-weights.ts";

describe("globalUpdateWeights", () => {
  it("mean weighs every participant 1/|U|", () => {
    expect(Array.from(globalUpdateWeights("mean", [5, 0, 7, 1])!)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("sum weighs every participant 1, whatever its size", () => {
    expect(Array.from(globalUpdateWeights("sum", [5, 0, 7])!)).toEqual([1, 1, 1]);
    expect(globalUpdateWeights("sum", [])).toBeNull();
  });

  it("fedavg with equal sizes equals the mean", () => {
    expect(Array.from(globalUpdateWeights("fedavg", [4, 4, 4])!)).toEqual(Array.from(globalUpdateWeights("mean", [4, 4, 4])!));
  });

  it("fedavg with sizes 1 and 3 gives exactly 0.25 and 0.75", () => {
    expect(Array.from(globalUpdateWeights("fedavg", [1, 3])!)).toEqual([0.25, 0.75]);
  });

  it("fedavg gives a client without interactions weight 0, and null when nobody has any", () => {
    expect(Array.from(globalUpdateWeights("fedavg", [0, 2, 2])!)).toEqual([0, 0.5, 0.5]);
    expect(globalUpdateWeights("fedavg", [0, 0])).toBeNull();
    expect(globalUpdateWeights("mean", [])).toBeNull();
  });

  it("rejects negative or non-finite counts", () => {
    expect(() => globalUpdateWeights("fedavg", [1, -1])).toThrow(/finite counts ≥ 0/);
    expect(() => globalUpdateWeights("fedavg", [Number.NaN])).toThrow(/finite counts ≥ 0/);
  });
});
