/**
 * The batch-gradient kernel on TensorFlow.js: the same loss as batch-gradient.ts — mean BCE of
 * σ(logit) over the batch, computed batched (B rows at once) and differentiated by tf.grads — on
 * whichever backend the page chose (wasm, webgl, cpu). The proximal term, the optimiser and the
 * touched-row bookkeeping stay in the core, so both engines train the same model the same way.
 *
 * The item rows enter as one B × d_i input (gathered in JS), so no gather is differentiated on
 * the backend (tfjs-wasm lacks UnsortedSegmentSum); their gradients are scattered back in JS.
 * `tf` is passed in: common/ stays free of a runtime dependency on TensorFlow.js.
 */
import type * as tfc from "@tensorflow/tfjs-core";
import { accumulateProximalGradient, type BatchGradientKernel } from "./batch-gradient.ts";
import { denseLayersOf } from "./client-model.ts";
import type { DenseLayer } from "./dense-layer.ts";

type Tf = typeof tfc;

export function tfjsBatchGradient(tf: Tf): BatchGradientKernel {
  return (model, profile, batch, proximal, grads) => {
    const { itemDim, userOutDim, scorer } = model.dims;
    const size = batch.items.length;
    const layers = denseLayersOf(model); // θ_user, θ_umlp[0], θ_umlp[1], θ_score…
    const rows = new Float32Array(size * itemDim);
    batch.items.forEach((item, b) => rows.set(model.itemTable.subarray(item * itemDim, (item + 1) * itemDim), b * itemDim));

    const { bce, gradients } = tf.tidy(() => {
      const params = layers.flatMap((l: DenseLayer) => [tf.tensor2d(l.weight, [l.outDim, l.inDim]), tf.tensor1d(l.bias)]);
      const itemRows = tf.tensor2d(rows, [size, itemDim]);
      const x = tf.tensor2d(profile, [1, profile.length]);
      const labels = tf.tensor2d(batch.labels, [size, 1]);
      const dense = (input: tfc.Tensor2D, w: tfc.Tensor, b: tfc.Tensor) =>
        tf.add(tf.matMul(input, w as tfc.Tensor2D, false, true), b) as tfc.Tensor2D;
      const loss = (...inputs: tfc.Tensor[]) => {
        const p = inputs.slice(0, -1);
        const joint = dense(x, p[0]!, p[1]!);
        const user = dense(tf.relu(dense(joint, p[2]!, p[3]!)), p[4]!, p[5]!);
        const rowsIn = inputs.at(-1) as tfc.Tensor2D;
        let a: tfc.Tensor2D;
        if (scorer === "dot") {
          // u · q + b, the row = [q; b] (see forward.ts dotRow).
          const [q, bias] = tf.split(rowsIn, [userOutDim, 1], 1) as [tfc.Tensor2D, tfc.Tensor2D];
          a = tf.add(tf.matMul(q, user, false, true), bias) as tfc.Tensor2D;
        } else {
          a = tf.concat([tf.tile(user, [size, 1]), rowsIn], 1);
          for (let l = 6; l < p.length; l += 2) {
            a = dense(a, p[l]!, p[l + 1]!);
            if (l + 2 < p.length) a = tf.relu(a);
          }
        }
        // BCE with logits: softplus(z) − z·y (its gradient is exactly σ(z) − y).
        return tf.mean(tf.sub(tf.softplus(a), tf.mul(a, labels))) as tfc.Scalar;
      };
      const all = [...params, itemRows];
      return {
        bce: loss(...all).dataSync()[0]!,
        gradients: tf
          .grads(loss)(all)
          .map((g) => g.dataSync() as Float32Array),
      };
    });

    layers.forEach((_, i) => {
      const target = grads.dense[i]!;
      addInto(target.weight, gradients[2 * i]!);
      addInto(target.bias, gradients[2 * i + 1]!);
    });
    const rowGrads = gradients.at(-1)!;
    batch.items.forEach((item, b) => {
      for (let k = 0; k < itemDim; k++) grads.itemTable[item * itemDim + k] += rowGrads[b * itemDim + k]!;
    });
    return bce + accumulateProximalGradient(model.itemTable, proximal, itemDim, grads.itemTable);
  };
}

function addInto(target: Float32Array, values: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += values[i]!;
}
