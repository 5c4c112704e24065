/**
 * Gradient buffers with the model's shapes. The item-table gradient is table-sized but only the
 * rows in `touchedRows` are ever non-zero, so clearing and stepping cost O(touched rows).
 */
import type { ClientModel } from "./client-model.ts";
import { denseLayersOf } from "./client-model.ts";
import { zerosLike, type DenseLayer } from "./dense-layer.ts";

export interface ModelGradients {
  /** Same order as denseLayersOf(model): θ_user, θ_umlp[0], θ_umlp[1], θ_score… */
  readonly dense: readonly DenseLayer[];
  readonly itemTable: Float32Array;
}

export function createGradients(model: ClientModel): ModelGradients {
  return { dense: denseLayersOf(model).map(zerosLike), itemTable: new Float32Array(model.itemTable.length) };
}

export function clearGradients(grads: ModelGradients, rows: Iterable<number>, itemDim: number): void {
  for (const layer of grads.dense) {
    layer.weight.fill(0);
    layer.bias.fill(0);
  }
  for (const row of rows) grads.itemTable.fill(0, row * itemDim, (row + 1) * itemDim);
}
