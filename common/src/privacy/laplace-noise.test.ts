import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { withLaplaceNoise } from "./laplace-noise.ts";

describe("withLaplaceNoise", () => {
  it("adds nothing at scale 0 and never mutates its input", () => {
    const x = Float32Array.of(1, 2, 3);
    expect(Array.from(withLaplaceNoise(x, 0, createRng(1)))).toEqual([1, 2, 3]);
    withLaplaceNoise(x, 1, createRng(1));
    expect(Array.from(x)).toEqual([1, 2, 3]);
  });

  it("has mean 0 and mean absolute deviation b (the Laplace scale)", () => {
    const noise = withLaplaceNoise(new Float32Array(100_000), 0.5, createRng(2));
    let sum = 0;
    let abs = 0;
    for (const v of noise) {
      sum += v;
      abs += Math.abs(v);
    }
    expect(Math.abs(sum / noise.length)).toBeLessThan(0.01);
    expect(abs / noise.length).toBeCloseTo(0.5, 2);
  });

  it("rejects a negative scale", () => {
    expect(() => withLaplaceNoise(new Float32Array(1), -1, createRng(1))).toThrow(/finite and ≥ 0/);
  });
});
