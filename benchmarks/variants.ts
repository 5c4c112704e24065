/**
 * The benchmark's configurations on ML-100K: the default graph strategy with the paper's mean
 * and with FedAvg, and two ablations — plain FedAvg (no graph: each R_i = A_i, one global table
 * weighted by interaction counts) and local-only training (no federation at all) — plus the
 * default with float16 uploads (half the upload bytes).
 */
export const VARIANTS = {
  mean: { globalUpdate: "mean" },
  fedavg: { globalUpdate: "fedavg" },
  "plain-fedavg": { neighbourhood: "none", globalUpdate: "fedavg", distribution: "global" },
  "local-only": { neighbourhood: "none", distribution: "personalized" },
  "mean-float16": { globalUpdate: "mean", uploadPrecision: "float16" },
} as const satisfies Record<string, Record<string, unknown>>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];
