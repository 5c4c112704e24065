/**
 * The most any test can tell of one client's participation under the Gaussian mechanism with noise
 * σ·C per coordinate and sensitivity C, composed over T rounds with every client taking part
 * (no subsampling): μ-Gaussian DP with μ = √T/σ, so at false-positive rate α the true-positive
 * rate is at most Φ(Φ⁻¹(α) + μ) (Dong, Roth, Su, "Gaussian Differential Privacy", JRSS-B 2022,
 * Thm. 2.7 and Cor. 3.3). Used at α = 5 %.
 */
export const FALSE_POSITIVE_RATE = 0.05;
/** Φ⁻¹(0.95) = −Φ⁻¹(0.05). */
export const Z_95 = 1.6448536269514722;

export function gaussianDpTprBound(noiseMultiplier: number, rounds: number): number {
  if (!(noiseMultiplier > 0) || !(rounds >= 1)) throw new Error(`need σ > 0 and rounds ≥ 1, got ${noiseMultiplier}, ${rounds}`);
  return normalCdf(Math.sqrt(rounds) / noiseMultiplier - Z_95);
}

/** Φ(x) through erfc (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-z * z);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}
