/**
 * Named starting points. Every preset trains with honest negatives (`negativeExclusion: "train"`);
 * the field's leaky protocol is one setting away (`negativeExclusion: "all"`), for comparing with
 * published numbers only.
 * - `paper`: the UFGraphFR paper's setting (SGD with per-group rates, λ = 1, top-k neighbourhoods,
 *   personalised tables, mean global update, PyTorch's N(0, 1) item initialisation).
 * - `seed`: the design notebook's (Adam 1e-3, λ = 0.01, dense row-normalised graph, FedAvg, one
 *   global table).
 * - `mlp`: the paper's model and graph tuned under the field's protocol in the first release
 *   (docs/tuning.md): private layers at SGD 0.3, the paper's huge item rate, λ = 0.01, item std
 *   0.1, every client receiving the graph-weighted global table.
 * - `text-graph`: chosen on ML-100K validation HR@10 under the honest protocol
 *   (docs/tuning.md, "Honest protocol"): the dot scorer with item biases (matrix factorisation
 *   over the text-derived user vector), the clients' item-row changes added into the global table
 *   (`sum` + server SGD at 1, weighted through the top-10 text graph of the uploaded θ_user),
 *   per-example rates 0.02 for item rows (1.28 on batches of 64), SGD 0.5 / 0.2 for the private
 *   layers / θ_user, item std 0.01. Uploading θ_user gives the profile embedding away
 *   (docs/privacy.md), and the graph does not beat no graph beyond the seed spread (BENCHMARKS.md).
 * - `tuned` (the default): `text-graph` without the graph, so θ_user never leaves the device
 *   (docs/privacy.md: the attack harness's numbers, and what it costs).
 */
import type { FederationConfig } from "./federation-config.ts";

const MODEL = {
  jointDim: 32,
  userHiddenDim: 64,
  userOutDim: 32,
  itemDim: 32,
  scoreHidden: [16, 8],
  scorer: "mlp",
  itemInitStd: 1,
  privateInit: "shared",
} as const;

const COORDINATOR = { minClientsToStart: 2, roundDeadlineSeconds: 60, quorum: 0.5 } as const;

const EVALUATION = {
  evalNegatives: 99,
  pooling: "mean",
  encoderPrecision: "int8",
  userWeightsUpload: "full",
  userWeightsNoiseScale: 0,
  itemNoiseScale: 0,
  pseudoItems: 0,
} as const;

// B = 4: in rounds 1–10 of the default on ML-100K no entry moved by more than 1.24 in a round (BENCHMARKS.md §9).
const SECURE_AGGREGATION = { secureAggregation: false, secureAggregationRange: 4, secureAggregationGroupSize: 32 } as const;

/** Client-level DP off; δ and C apply once an ε target or a noise multiplier is set. */
const DIFFERENTIAL_PRIVACY = { dpEpsilon: null, dpNoiseMultiplier: null, dpDelta: 1e-5, dpClipNorm: 0.05 } as const;

export const PAPER_PRESET: FederationConfig = {
  seed: 1,
  rounds: 100,
  earlyStoppingPatience: 0,
  ...MODEL,
  optimizer: "sgd",
  itemOptimizer: "same",
  learningRate: 0.1,
  lrEta: 80,
  userLearningRate: null,
  itemLearningRate: null,
  localEpochs: 1,
  batchSize: 256,
  numNegatives: 4,
  negativeExclusion: "train",
  proximalLambda: 1,
  weightDecay: 0,
  graphSource: "user",
  neighbourhood: { kind: "topk", k: 10 },
  graphSearch: "auto",
  propagationLayers: 1,
  globalUpdate: "mean",
  serverOptimizer: "none",
  serverLearningRate: 1,
  distribution: "personalized",
  fractionTrain: 1,
  minTrainClients: 1,
  uploadClipNorm: null,
  uploadPrecision: "float32",
  ...COORDINATOR,
  ...EVALUATION,
  ...SECURE_AGGREGATION,
  ...DIFFERENTIAL_PRIVACY,
};

export const SEED_PRESET: FederationConfig = {
  ...PAPER_PRESET,
  optimizer: "adam",
  learningRate: 1e-3,
  lrEta: null,
  batchSize: 32,
  proximalLambda: 0.01,
  neighbourhood: { kind: "dense" },
  globalUpdate: "fedavg",
  distribution: "global",
};

export const MLP_PRESET: FederationConfig = {
  ...PAPER_PRESET,
  itemInitStd: 0.1,
  learningRate: 0.3,
  // θ_item at 0.3·numItems·η − 0.3 = 13,455.8 on ML-100K (the paper's 0.1·numItems·80 − 0.1);
  // θ_user at 0.3·η − 0.3 = 7.7 (the paper: 7.9).
  lrEta: 80 / 3,
  proximalLambda: 0.01,
  distribution: "global",
};

export const TEXT_GRAPH_PRESET: FederationConfig = {
  ...PAPER_PRESET,
  scorer: "dot",
  userOutDim: 32,
  itemDim: 33, // 32 factors + the item bias
  itemInitStd: 0.01,
  learningRate: 0.5,
  userLearningRate: 0.2,
  itemLearningRate: 1.28,
  lrEta: null,
  batchSize: 64,
  proximalLambda: 0.01,
  globalUpdate: "sum",
  serverOptimizer: "sgd",
  serverLearningRate: 1,
  distribution: "global",
};

export const TUNED_PRESET: FederationConfig = {
  ...TEXT_GRAPH_PRESET,
  neighbourhood: { kind: "none" },
  userWeightsUpload: "none",
};

/**
 * What `npm start -- --classroom` sets under the command line's own settings: a lesson-sized run
 * (20 rounds, early stopping after 5 without a new best), a deadline phones on a busy Wi-Fi can
 * meet (90 s; a round still closes as soon as everyone has uploaded), and rounds that go on when
 * two thirds of the sampled students are in. The int8 encoder is the default already.
 */
export const CLASSROOM_SETTINGS = {
  rounds: 20,
  earlyStoppingPatience: 5,
  roundDeadlineSeconds: 90,
  quorum: 0.67,
  minClientsToStart: 2,
} as const satisfies Partial<FederationConfig>;

export const PRESETS = {
  tuned: TUNED_PRESET,
  "text-graph": TEXT_GRAPH_PRESET,
  paper: PAPER_PRESET,
  seed: SEED_PRESET,
  mlp: MLP_PRESET,
} as const;
export type PresetName = keyof typeof PRESETS;

/** What runs when nothing is chosen. */
export const DEFAULT_CONFIG: FederationConfig = TUNED_PRESET;
