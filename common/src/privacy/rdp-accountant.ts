/**
 * Rényi-DP accountant of the Poisson-subsampled Gaussian mechanism (Mironov 2017, "Rényi
 * Differential Privacy"; Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled
 * Gaussian Mechanism", §3.3 integer orders), the mathematics of TensorFlow Privacy's and Google's
 * dp-accounting `compute_rdp`, with its conversion to (ε, δ) (Balle et al. 2020, Prop. 12;
 * Canonne, Kamath, Steinke 2020, eq. 20). Adjacency: add or remove one client's whole update.
 *
 * One step: each client is included independently with probability q (the sampling rate), the
 * included clients' updates (each clipped to L2 norm C) are summed and N(0, (σ·C)²) is added to
 * every coordinate; σ is the noise multiplier (a standard deviation in units of C). Steps compose
 * by adding their RDP at each order. Integer orders only: the ε found is a valid upper bound,
 * at most slightly above what fractional orders would give.
 */

/** The orders the bound is minimised over (dp-accounting's integer defaults up to 64, then 128, 256, 512). */
export const RDP_ORDERS: readonly number[] = [...Array.from({ length: 63 }, (_, i) => i + 2), 128, 256, 512];

/** RDP ε_α of one step at each order (can be Infinity when σ = 0). */
export function subsampledGaussianRdp(
  samplingRate: number,
  noiseMultiplier: number,
  orders: readonly number[] = RDP_ORDERS,
): Float64Array {
  if (!(samplingRate >= 0 && samplingRate <= 1)) throw new Error(`sampling rate must be in [0, 1], got ${samplingRate}`);
  if (!(noiseMultiplier >= 0)) throw new Error(`noise multiplier must be ≥ 0, got ${noiseMultiplier}`);
  return Float64Array.from(orders, (alpha) => {
    if (!Number.isInteger(alpha) || alpha < 2) throw new Error(`RDP orders must be integers ≥ 2, got ${alpha}`);
    if (samplingRate === 0) return 0;
    if (noiseMultiplier === 0) return Infinity;
    if (samplingRate === 1) return alpha / (2 * noiseMultiplier ** 2);
    return logA(samplingRate, noiseMultiplier, alpha) / (alpha - 1);
  });
}

/**
 * log A_α for integer α (Mironov et al. 2019, eq. for integer α):
 *   A_α = Σ_{i=0..α} C(α, i) (1 − q)^{α−i} q^i exp((i² − i) / (2σ²)), summed in log space.
 */
function logA(q: number, sigma: number, alpha: number): number {
  const log1mq = Math.log1p(-q);
  const logq = Math.log(q);
  let total = -Infinity;
  for (let i = 0; i <= alpha; i++) {
    const term = logBinomial(alpha, i) + i * logq + (alpha - i) * log1mq + (i * i - i) / (2 * sigma * sigma);
    total = logAdd(total, term);
  }
  return total;
}

function logAdd(a: number, b: number): number {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) logFactorials.push(logFactorials[k - 1]! + Math.log(k));
  return logFactorials[n]!;
}

function logBinomial(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

export interface DpGuarantee {
  readonly epsilon: number;
  /** The RDP order that gave the tightest ε. */
  readonly order: number;
}

/**
 * The smallest ε over the orders such that RDP (α, r_α) implies (ε, δ)-DP:
 *   ε = r_α + log(1 − 1/α) − log(δ·α)/(α − 1)   (Balle et al. 2020, Prop. 12),
 * and ε = 0 when δ already bounds the whole divergence (δ² + e^{−r} − 1 > 0, via KL).
 */
export function epsilonFromRdp(rdp: ArrayLike<number>, delta: number, orders: readonly number[] = RDP_ORDERS): DpGuarantee {
  if (!(delta > 0 && delta < 1)) throw new Error(`δ must be in (0, 1), got ${delta}`);
  if (rdp.length !== orders.length) throw new Error(`got ${rdp.length} RDP values for ${orders.length} orders`);
  let best: DpGuarantee = { epsilon: Infinity, order: orders[0]! };
  for (let i = 0; i < orders.length; i++) {
    const alpha = orders[i]!;
    const r = rdp[i]!;
    const epsilon =
      r <= 0 || delta ** 2 + Math.expm1(-r) > 0 ? 0 : r + Math.log1p(-1 / alpha) - Math.log(delta * alpha) / (alpha - 1);
    if (epsilon < best.epsilon) best = { epsilon, order: alpha };
  }
  return best;
}

/** ε at δ after `steps` identical subsampled-Gaussian steps (0 steps: ε = 0). */
export function subsampledGaussianEpsilon(samplingRate: number, noiseMultiplier: number, steps: number, delta: number): number {
  if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`steps must be a whole number ≥ 0, got ${steps}`);
  const perStep = subsampledGaussianRdp(samplingRate, noiseMultiplier);
  return epsilonFromRdp(
    perStep.map((r) => r * steps),
    delta,
  ).epsilon;
}
