/**
 * The benchmark's configurations on ML-100K, as overrides of the default (`tuned`, honest
 * negatives):
 * - default: every client's row changes added with weight 1; θ_user is never uploaded;
 * - text-graph: the same weighted through the top-10 text graph of the uploaded θ_user (the
 *   `text-graph` preset, the default before the privacy work: docs/privacy.md);
 * - fedavg: the seed's FedAvg weights n_i / Σ n with FedAdam on the server (η_s 0.1), text graph kept;
 * - local-only: no federation at all (each client trains on its own table);
 * - dim16, dim64: 16 or 64 factors instead of 32;
 * - field, field-local-only: text-graph and local-only under the field's leaky negative sampling
 *   (held-out items never drawn as training negatives), for comparison with published numbers;
 * - float16 (on request): the default with float16 uploads;
 * - approximate-graph (on request): text-graph with the top-10 neighbours found approximately
 *   (graphSearch "approximate": count sketch + exact re-ranking), for issue 11's quality check.
 */
const TEXT_GRAPH = { neighbourhood: "topk", userWeightsUpload: "full" } as const;

export const VARIANTS = {
  default: {},
  "text-graph": TEXT_GRAPH,
  fedavg: { ...TEXT_GRAPH, globalUpdate: "fedavg", serverOptimizer: "adam", serverLearningRate: 0.1 },
  "local-only": { neighbourhood: "none", distribution: "personalized", serverOptimizer: "none", globalUpdate: "mean" },
  dim16: { userOutDim: 16, itemDim: 17 },
  dim64: { userOutDim: 64, itemDim: 65 },
  field: { ...TEXT_GRAPH, negativeExclusion: "all" },
  "field-local-only": {
    negativeExclusion: "all",
    neighbourhood: "none",
    distribution: "personalized",
    serverOptimizer: "none",
    globalUpdate: "mean",
  },
  float16: { uploadPrecision: "float16" },
  "approximate-graph": { ...TEXT_GRAPH, graphSearch: "approximate" },
} as const satisfies Record<string, Record<string, unknown>>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];
/** Variants that `npm run bench` runs only when --variants names them. */
export const ON_REQUEST: readonly VariantName[] = ["float16", "approximate-graph"];
