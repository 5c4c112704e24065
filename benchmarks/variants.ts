/**
 * The benchmark's configurations on ML-100K, as overrides of the default (`tuned`, honest
 * negatives):
 * - default: the text graph (top-10 neighbours of θ_user) weighting the clients' added row changes;
 * - no-graph: the same without the graph (every client's changes added with weight 1);
 * - fedavg: the seed's FedAvg weights n_i / Σ n with FedAdam on the server (η_s 0.1), graph kept;
 * - local-only: no federation at all (each client trains on its own table);
 * - dim16, dim64: 16 or 64 factors instead of 32;
 * - field, field-local-only: the default and local-only under the field's leaky negative sampling
 *   (held-out items never drawn as training negatives), for comparison with published numbers;
 * - float16 (on request): the default with float16 uploads;
 * - approximate-graph (on request): the default with the top-10 neighbours found approximately
 *   (graphSearch "approximate": count sketch + exact re-ranking), for issue 11's quality check.
 */
export const VARIANTS = {
  default: {},
  "no-graph": { neighbourhood: "none" },
  fedavg: { globalUpdate: "fedavg", serverOptimizer: "adam", serverLearningRate: 0.1 },
  "local-only": { neighbourhood: "none", distribution: "personalized", serverOptimizer: "none", globalUpdate: "mean" },
  dim16: { userOutDim: 16, itemDim: 17 },
  dim64: { userOutDim: 64, itemDim: 65 },
  field: { negativeExclusion: "all" },
  "field-local-only": {
    negativeExclusion: "all",
    neighbourhood: "none",
    distribution: "personalized",
    serverOptimizer: "none",
    globalUpdate: "mean",
  },
  float16: { uploadPrecision: "float16" },
  "approximate-graph": { graphSearch: "approximate" },
} as const satisfies Record<string, Record<string, unknown>>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];
/** Variants that `npm run bench` runs only when --variants names them. */
export const ON_REQUEST: readonly VariantName[] = ["float16", "approximate-graph"];
