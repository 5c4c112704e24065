/**
 * L2 regularisation of the parameters a batch uses: the gradient of (wd/2)·‖θ‖² over the item
 * rows in the batch (once per distinct row) and every private dense layer, g ← g + wd·θ — the
 * per-example regularisation of matrix factorisation trained by SGD. Added after the batch
 * kernel, so every engine (core, TensorFlow.js) is regularised the same way. The reported loss
 * excludes the penalty.
 */
import type { ClientModel } from "../model/client-model.ts";
import { denseLayersOf } from "../model/client-model.ts";
import type { ModelGradients } from "../model/gradients.ts";

export function addWeightDecay(
  model: ClientModel,
  grads: ModelGradients,
  batchItems: ArrayLike<number>,
  weightDecay: number,
): void {
  if (weightDecay === 0) return;
  const batchRows = new Set(Array.from(batchItems));
  denseLayersOf(model).forEach((layer, l) => {
    addScaled(grads.dense[l]!.weight, layer.weight, weightDecay, 0, layer.weight.length);
    addScaled(grads.dense[l]!.bias, layer.bias, weightDecay, 0, layer.bias.length);
  });
  const itemDim = model.dims.itemDim;
  for (const row of batchRows) addScaled(grads.itemTable, model.itemTable, weightDecay, row * itemDim, (row + 1) * itemDim);
}

function addScaled(target: Float32Array, values: Float32Array, scale: number, from: number, to: number): void {
  for (let i = from; i < to; i++) target[i] += scale * values[i]!;
}
