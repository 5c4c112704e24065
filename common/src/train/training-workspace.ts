/**
 * Per-round scratch state of local training: the working item table, gradient buffers, the item
 * table's optimiser moments and the set of touched rows. It is reset at the start of each round,
 * so a simulator running clients one after another shares one workspace between all of them.
 */
import type { ClientModel } from "../model/client-model.ts";
import { createGradients, type ModelGradients } from "../model/gradients.ts";
import { createMoments, type ItemOptimizerState, type OptimizerSettings } from "../model/optimizer.ts";
import { RowSet } from "./row-set.ts";

export interface TrainingWorkspace {
  /** The working θ_item (numItems × itemDim). */
  readonly itemTable: Float32Array;
  readonly grads: ModelGradients;
  readonly itemOptimizer: ItemOptimizerState;
  /** Rows touched this round. */
  readonly activeRows: RowSet;
}

export function createTrainingWorkspace(shapeOf: ClientModel, settings: OptimizerSettings): TrainingWorkspace {
  const length = shapeOf.itemTable.length;
  return {
    itemTable: new Float32Array(length),
    grads: createGradients(shapeOf),
    itemOptimizer: { moments: settings.item === "adam" ? createMoments(length) : null, step: 0 },
    activeRows: new RowSet(shapeOf.dims.numItems),
  };
}
