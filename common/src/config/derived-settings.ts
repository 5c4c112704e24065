/** Turns the flat configuration into the settings objects of the model, trainer and strategy. */
import type { GraphStrategyOptions } from "../aggregation/graph-strategy.ts";
import type { NeighbourhoodRule } from "../graph/neighbourhood.ts";
import type { ModelDimensions } from "../model/client-model.ts";
import type { LearningRates, OptimizerSettings } from "../model/optimizer.ts";
import type { LocalTrainingSettings } from "../train/local-training.ts";
import type { FederationConfig } from "./federation-config.ts";

export function modelDimensions(c: FederationConfig, profileDim: number, numItems: number): ModelDimensions {
  return {
    profileDim,
    jointDim: c.jointDim,
    userHiddenDim: c.userHiddenDim,
    userOutDim: c.userOutDim,
    itemDim: c.itemDim,
    scoreHidden: c.scoreHidden,
    numItems,
  };
}

/**
 * Adam: one rate. SGD with η (the paper's code): θ_item at lr·numItems·η − lr, θ_user at
 * lr·η/fractionTrain − lr — the BCE is a batch mean, so per-row item gradients are tiny.
 */
export function learningRates(c: FederationConfig, numItems: number): LearningRates {
  const lr = c.learningRate;
  if (c.optimizer === "adam" || c.lrEta === null) return { user: lr, mlp: lr, item: lr };
  return { user: (lr * c.lrEta) / c.fractionTrain - lr, mlp: lr, item: lr * numItems * c.lrEta - lr };
}

export function optimizerSettings(c: FederationConfig, numItems: number): OptimizerSettings {
  const rates = learningRates(c, numItems);
  return c.optimizer === "adam"
    ? { kind: "adam", rates, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    : { kind: "sgd", rates };
}

export function localTrainingSettings(c: FederationConfig): LocalTrainingSettings {
  return {
    localEpochs: c.localEpochs,
    batchSize: c.batchSize,
    numNegatives: c.numNegatives,
    proximalLambda: c.proximalLambda,
  };
}

export function neighbourhoodRule(c: FederationConfig): NeighbourhoodRule {
  switch (c.neighbourhood) {
    case "topk":
      return { kind: "topk", k: c.neighbourhoodSize };
    case "threshold":
      return { kind: "threshold", factor: c.thresholdFactor };
    case "dense":
      return { kind: "dense" };
    case "none":
      return { kind: "none" };
  }
}

export function strategyOptions(c: FederationConfig): GraphStrategyOptions {
  return {
    graphSource: c.graphSource,
    neighbourhood: neighbourhoodRule(c),
    propagationLayers: c.propagationLayers,
    globalUpdate: c.globalUpdate,
    distribution: c.distribution,
  };
}
