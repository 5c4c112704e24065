/** Turns the flat configuration into the settings objects of the model, trainer and strategy. */
import type { GraphStrategyOptions } from "../aggregation/graph-strategy.ts";
import type { ModelDimensions } from "../model/client-model.ts";
import type { LearningRates, OptimizerKind, OptimizerSettings } from "../model/optimizer.ts";
import type { LocalTrainingSettings } from "../train/local-training.ts";
import { clientLevelDp } from "../privacy/client-level-dp.ts";
import type { FederationConfig } from "./federation-config.ts";

export function modelDimensions(c: FederationConfig, profileDim: number, numItems: number): ModelDimensions {
  return {
    profileDim,
    jointDim: c.jointDim,
    userHiddenDim: c.userHiddenDim,
    userOutDim: c.userOutDim,
    itemDim: c.itemDim,
    scoreHidden: c.scoreHidden,
    scorer: c.scorer,
    numItems,
  };
}

export function itemOptimizerKind(c: FederationConfig): OptimizerKind {
  return c.itemOptimizer === "same" ? c.optimizer : c.itemOptimizer;
}

/**
 * Explicit rates win. Otherwise, for SGD groups with η (the paper's code): θ_item at
 * lr·numItems·η − lr and θ_user at lr·η/fractionTrain − lr — the BCE is a batch mean, so per-row
 * item gradients are tiny. Everything else runs at lr.
 */
export function learningRates(c: FederationConfig, numItems: number): LearningRates {
  const lr = c.learningRate;
  const eta = c.lrEta;
  const derivedUser = c.optimizer === "sgd" && eta !== null ? (lr * eta) / c.fractionTrain - lr : lr;
  const derivedItem = itemOptimizerKind(c) === "sgd" && eta !== null ? lr * numItems * eta - lr : lr;
  return { user: c.userLearningRate ?? derivedUser, mlp: lr, item: c.itemLearningRate ?? derivedItem };
}

export function optimizerSettings(c: FederationConfig, numItems: number): OptimizerSettings {
  return {
    dense: c.optimizer,
    item: itemOptimizerKind(c),
    rates: learningRates(c, numItems),
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  };
}

export function localTrainingSettings(c: FederationConfig): LocalTrainingSettings {
  return {
    localEpochs: c.localEpochs,
    batchSize: c.batchSize,
    numNegatives: c.numNegatives,
    proximalLambda: c.proximalLambda,
    weightDecay: c.weightDecay,
  };
}

/**
 * Whether clients upload θ_user. θ_user − the shared initialisation is rank one with row space the
 * profile embedding (docs/privacy.md), so only federations whose graph needs it receive it.
 */
export function uploadsUserWeights(c: FederationConfig): boolean {
  return c.userWeightsUpload === "full";
}

/** Values of θ_user in an upload: profileDim × jointDim, or 0 when it is not uploaded. */
export function uploadedUserWeightsLength(c: FederationConfig, profileDim: number): number {
  return uploadsUserWeights(c) ? profileDim * c.jointDim : 0;
}

export function strategyOptions(c: FederationConfig): GraphStrategyOptions {
  return {
    graphSource: c.graphSource,
    neighbourhood: c.neighbourhood, // the graph's NeighbourhoodRule, as the schema infers it
    graphSearch: c.graphSearch,
    propagationLayers: c.propagationLayers,
    globalUpdate: c.globalUpdate,
    serverOptimizer: c.serverOptimizer,
    serverLearningRate: c.serverLearningRate,
    distribution: c.distribution,
    uploadClipNorm: c.uploadClipNorm,
    dp: dpNoise(c),
  };
}

function dpNoise(c: FederationConfig): GraphStrategyOptions["dp"] {
  const dp = clientLevelDp(c);
  return dp && { clipNorm: dp.clipNorm, noiseStd: dp.noiseMultiplier * dp.clipNorm };
}
