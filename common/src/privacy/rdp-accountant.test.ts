import { describe, expect, it } from "vitest";
import { calibrateNoiseMultiplier } from "./calibrate-noise.ts";
import { epsilonFromRdp, subsampledGaussianEpsilon, subsampledGaussianRdp } from "./rdp-accountant.ts";

// Reference values from Google's dp-accounting 0.6.0 (PyPI), generated once in a throwaway venv:
//   RdpAccountant(orders=[2..64, 128, 256, 512]) composing
//   SelfComposedDpEvent(PoissonSampledDpEvent(q, GaussianDpEvent(σ)), steps), get_epsilon(δ);
// and _compute_rdp_poisson_subsampled_gaussian(q, σ, orders) for the per-step RDP.
const EPSILON_REFERENCES = [
  // q, σ, steps, δ, ε. The first is the setting of Abadi et al. 2016's worked example (q = 0.01,
  // σ = 4, 10⁴ steps, δ = 1e-5); their moments accountant used the basic conversion, so its
  // published ε is larger than this one (the figure could not be checked offline: we pin dp-accounting's).
  [0.01, 4.0, 10_000, 1e-5, 1.0354900660362436],
  [0.01, 1.1, 10_000, 1e-5, 5.6543080001495145],
  [1.0, 1.0, 1, 1e-5, 4.752728336819822],
  [1.0, 5.0, 100, 1e-5, 10.801691480042894],
  [0.1, 1.0, 100, 1e-5, 7.972921510380539],
  [0.1, 2.0, 100, 1e-5, 2.5866521781675305],
  [0.05, 0.8, 500, 1e-6, 15.833667081031958],
  [0.2, 10.0, 50, 1e-4, 0.46978146027181544],
] as const;

const RDP_REFERENCES = [
  [0.01, 4.0, [2, 8, 32, 64], [6.449425094202615e-6, 2.5899123012412577e-5, 1.0526360659077987e-4, 2.1520916161849735e-4]],
  [0.1, 1.0, [2, 8, 32, 64], [0.017036863236176605, 1.3783614113481268, 13.623137968522595, 29.66086593727589]],
  [0.5, 2.0, [2, 3, 10, 256], [0.06859872438165843, 0.11002319335762328, 0.6078834458685799, 31.304134595202566]],
] as const;

describe("subsampled Gaussian RDP accountant", () => {
  it.each(RDP_REFERENCES)("per-step RDP at q = %s, σ = %s matches dp-accounting", (q, sigma, orders, expected) => {
    const rdp = subsampledGaussianRdp(q, sigma, orders);
    expected.forEach((value, i) => expect(rdp[i]! / value).toBeCloseTo(1, 10));
  });

  it.each(EPSILON_REFERENCES)("q = %s, σ = %s, %s steps, δ = %s → ε = %s (dp-accounting)", (q, sigma, steps, delta, epsilon) => {
    expect(subsampledGaussianEpsilon(q, sigma, steps, delta) / epsilon).toBeCloseTo(1, 10);
  });

  it("without subsampling is the Gaussian mechanism: RDP α/(2σ²), converted by hand", () => {
    expect(Array.from(subsampledGaussianRdp(1, 2, [2, 3, 10]))).toEqual([0.25, 0.375, 1.25]);
    // One order only, α = 10, r = 1.25, δ = 1e-5: ε = r + ln(1 − 1/α) − ln(δ·α)/(α − 1).
    const byHand = 1.25 + Math.log(0.9) - Math.log(1e-4) / 9;
    expect(epsilonFromRdp([1.25], 1e-5, [10]).epsilon).toBeCloseTo(byHand, 12);
  });

  it("spends nothing with no steps or no sampling, everything with no noise", () => {
    expect(subsampledGaussianEpsilon(0.1, 1, 0, 1e-5)).toBe(0);
    expect(subsampledGaussianEpsilon(0, 1, 100, 1e-5)).toBe(0);
    expect(subsampledGaussianEpsilon(0.1, 0, 1, 1e-5)).toBe(Infinity);
  });

  it("refuses out-of-range inputs with the reason", () => {
    expect(() => subsampledGaussianRdp(1.5, 1)).toThrow(/sampling rate must be in \[0, 1\], got 1.5/);
    expect(() => subsampledGaussianRdp(0.1, -1)).toThrow(/noise multiplier must be ≥ 0/);
    expect(() => epsilonFromRdp([1], 0, [2])).toThrow(/δ must be in \(0, 1\), got 0/);
    expect(() => subsampledGaussianRdp(0.1, 1, [1.5])).toThrow(/integers ≥ 2/);
  });
});

describe("calibrateNoiseMultiplier", () => {
  it.each([
    [1, 0.1, 100],
    [8, 0.1, 100],
    [4, 1, 100],
    [1.0354900660362436, 0.01, 10_000],
  ])("finds the smallest σ meeting ε = %s at q = %s over %s steps", (epsilon, samplingRate, steps) => {
    const sigma = calibrateNoiseMultiplier({ epsilon, delta: 1e-5, samplingRate, steps });
    expect(subsampledGaussianEpsilon(samplingRate, sigma, steps, 1e-5)).toBeLessThanOrEqual(epsilon);
    expect(subsampledGaussianEpsilon(samplingRate, sigma * (1 - 1e-4), steps, 1e-5)).toBeGreaterThan(epsilon);
  });

  it("recovers Abadi et al.'s σ = 4 from the ε it spends", () => {
    expect(calibrateNoiseMultiplier({ epsilon: 1.0354900660362436, delta: 1e-5, samplingRate: 0.01, steps: 10_000 })).toBeCloseTo(
      4,
      4,
    );
  });

  it("refuses a target that needs absurd noise, and a non-positive ε", () => {
    expect(() => calibrateNoiseMultiplier({ epsilon: 1e-6, delta: 1e-5, samplingRate: 1, steps: 100_000 })).toThrow(
      /needs a noise multiplier above 10000; allow a larger ε or fewer rounds/,
    );
    expect(() => calibrateNoiseMultiplier({ epsilon: 0, delta: 1e-5, samplingRate: 1, steps: 1 })).toThrow(
      /target ε must be finite and > 0/,
    );
  });
});
