import { describe, expect, it } from "vitest";
import { cryptoRandom } from "./crypto-random.ts";

describe("cryptoRandom", () => {
  it("draws uniforms in [0, 1) with mean ½ and variance 1/12", () => {
    const random = cryptoRandom();
    const n = 100_000;
    let sum = 0;
    let squares = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = random.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      squares += u * u;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    // Standard errors: mean ≈ 0.0009, variance ≈ 0.0003.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(squares / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it("draws standard normals: mean 0, variance 1, 95 % within ±1.96", () => {
    const random = cryptoRandom();
    const n = 100_000;
    let sum = 0;
    let squares = 0;
    let inside = 0;
    for (let i = 0; i < n; i++) {
      const z = random.normal();
      sum += z;
      squares += z * z;
      if (Math.abs(z) < 1.96) inside++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.015);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(inside / n - 0.95)).toBeLessThan(0.004);
  });

  it("is not reproducible: two sources never agree", () => {
    const a = cryptoRandom();
    const b = cryptoRandom();
    expect(Array.from({ length: 8 }, () => a.next())).not.toEqual(Array.from({ length: 8 }, () => b.next()));
  });
});
