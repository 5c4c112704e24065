/**
 * The noise multiplier σ that meets a privacy target: the smallest σ (to a relative 1e-6) whose
 * `steps` Poisson-subsampled Gaussian steps at sampling rate q spend at most ε at δ
 * (rdp-accountant.ts). ε falls monotonically as σ grows, so bisection on log σ finds it.
 */
import { subsampledGaussianEpsilon } from "./rdp-accountant.ts";

export interface PrivacyTarget {
  readonly epsilon: number;
  readonly delta: number;
  readonly samplingRate: number;
  readonly steps: number;
}

/** The search range of σ; a target that needs more noise than the top is refused. */
export const NOISE_MULTIPLIER_RANGE = { min: 0.01, max: 10_000 } as const;

export function calibrateNoiseMultiplier(target: PrivacyTarget): number {
  const { epsilon, delta, samplingRate, steps } = target;
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new Error(`target ε must be finite and > 0, got ${epsilon}`);
  const spent = (sigma: number): number => subsampledGaussianEpsilon(samplingRate, sigma, steps, delta);
  let hi: number = NOISE_MULTIPLIER_RANGE.max;
  if (spent(hi) > epsilon) {
    throw new Error(
      `ε = ${epsilon} at δ = ${delta} over ${steps} rounds at sampling rate ${samplingRate} needs a noise multiplier above ${hi}; allow a larger ε or fewer rounds`,
    );
  }
  let lo: number = NOISE_MULTIPLIER_RANGE.min;
  if (spent(lo) <= epsilon) return lo;
  while (hi / lo > 1 + 1e-6) {
    const mid = Math.sqrt(lo * hi);
    if (spent(mid) <= epsilon) hi = mid;
    else lo = mid;
  }
  return hi;
}
