/**
 * The server's step on the global item table (FedOpt, Reddi et al., ICLR 2021, Algorithm 2), given
 * the pseudo-gradient Δ = Σ_i w_i (R_i − T_i) — the weighted change of the round's tables:
 * - sgd:  x ← x + η_s·Δ
 * - adam: m ← β1·m + (1 − β1)·Δ;  v ← β2·v + (1 − β2)·Δ²;  x ← x + η_s·m / (√v + τ)
 *   with β1 = 0.9, β2 = 0.99, τ = 1e-3 and no bias correction, as in the paper.
 * Pure: new buffers out, inputs untouched.
 */
import type { Moments } from "../model/optimizer.ts";

export type ServerOptimizerKind = "sgd" | "adam";

export const FED_ADAM = { beta1: 0.9, beta2: 0.99, tau: 1e-3 } as const;

export interface ServerStep {
  readonly table: Float32Array;
  /** Adam's moments after this step (null for sgd). */
  readonly moments: Moments | null;
}

export function serverStep(
  kind: ServerOptimizerKind,
  rate: number,
  table: Float32Array,
  delta: Float32Array,
  moments: Moments | null,
): ServerStep {
  const next = new Float32Array(table.length);
  if (kind === "sgd") {
    for (let i = 0; i < table.length; i++) next[i] = table[i]! + rate * delta[i]!;
    return { table: next, moments: null };
  }
  const { beta1, beta2, tau } = FED_ADAM;
  const m = moments ? moments.m.slice() : new Float32Array(table.length);
  const v = moments ? moments.v.slice() : new Float32Array(table.length);
  for (let i = 0; i < table.length; i++) {
    const d = delta[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * d;
    v[i] = beta2 * v[i]! + (1 - beta2) * d * d;
    next[i] = table[i]! + (rate * m[i]!) / (Math.sqrt(v[i]!) + tau);
  }
  return { table: next, moments: { m, v } };
}
