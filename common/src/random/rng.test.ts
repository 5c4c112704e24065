import { describe, expect, it } from "vitest";
import { createRng, shuffleInPlace } from "./rng.ts";

const draw = (seed: number, n = 5) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe("createRng", () => {
  it("repeats a seed exactly and separates nearby seeds", () => {
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it("draws integers in range without bias (chi-square on 6 bins)", () => {
    const rng = createRng(1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
    const chi = counts.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
    expect(chi).toBeLessThan(20.5); // p ≈ 0.001 for 5 degrees of freedom
    expect(() => rng.int(0)).toThrow(/positive integer bound/);
  });

  it("draws standard normals with mean 0 and variance 1", () => {
    const rng = createRng(2);
    const xs = Array.from({ length: 50_000 }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it("forks independent, reproducible streams", () => {
    const a = createRng(9).fork(1).next();
    expect(createRng(9).fork(1).next()).toBe(a);
    expect(createRng(9).fork(2).next()).not.toBe(a);
    expect(() => createRng(1.5)).toThrow(/integer/);
  });

  it("shuffles to a permutation", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = shuffleInPlace([...xs], createRng(3));
    expect([...shuffled].sort((a, b) => a - b)).toEqual(xs);
    expect(shuffled).not.toEqual(xs);
  });
});
