/**
 * Named starting points. `paper`: the UFGraphFR paper's setting (SGD with per-group rates, λ = 1,
 * top-k neighbourhoods, personalised tables, mean global update). `seed`: the design notebook's
 * (Adam 1e-3, λ = 0.01, dense row-normalised graph, FedAvg, one global table).
 */
import type { FederationConfig } from "./federation-config.ts";

const MODEL = {
  jointDim: 32,
  userHiddenDim: 64,
  userOutDim: 32,
  itemDim: 32,
  scoreHidden: [16, 8],
  itemInitStd: 1,
  privateInit: "shared",
} as const;

const EVALUATION = { evalNegatives: 99, pooling: "mean", userWeightsNoiseScale: 0 } as const;

export const PAPER_PRESET: FederationConfig = {
  seed: 1,
  rounds: 100,
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
  proximalLambda: 1,
  graphSource: "user",
  neighbourhood: "topk",
  neighbourhoodSize: 10,
  thresholdFactor: 1,
  propagationLayers: 1,
  globalUpdate: "mean",
  distribution: "personalized",
  fractionTrain: 1,
  minTrainClients: 1,
  ...EVALUATION,
};

export const SEED_PRESET: FederationConfig = {
  ...PAPER_PRESET,
  optimizer: "adam",
  learningRate: 1e-3,
  lrEta: null,
  batchSize: 32,
  proximalLambda: 0.01,
  neighbourhood: "dense",
  globalUpdate: "fedavg",
  distribution: "global",
};

export const PRESETS = { paper: PAPER_PRESET, seed: SEED_PRESET } as const;
export type PresetName = keyof typeof PRESETS;

/** What runs when nothing is chosen. */
export const DEFAULT_CONFIG: FederationConfig = PAPER_PRESET;
