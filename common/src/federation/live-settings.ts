/** Settings an admin may change while the federation runs (the clients' training settings are fixed at join). */
import type { FederationConfig } from "../config/federation-config.ts";

export const LIVE_SETTINGS = [
  "rounds",
  "fractionTrain",
  "minTrainClients",
  "minClientsToStart",
  "roundDeadlineSeconds",
  "quorum",
  "neighbourhood",
  "neighbourhoodSize",
  "thresholdFactor",
  "propagationLayers",
  "globalUpdate",
  "serverOptimizer",
  "serverLearningRate",
  "distribution",
  "uploadClipNorm",
  "earlyStoppingPatience",
] as const satisfies readonly (keyof FederationConfig)[];
