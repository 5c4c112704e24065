/**
 * A fully connected layer y = W·x + b with row-major W (outDim × inDim), and the kernels the
 * model needs around it. Plain Float32Array code: for a model this small, per-op overhead of a
 * tensor library dominates (see docs/design.md).
 */
import type { Rng } from "../random/rng.ts";

export interface DenseLayer {
  readonly inDim: number;
  readonly outDim: number;
  /** Row-major outDim × inDim. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** PyTorch's nn.Linear default: weights and biases ~ U(−1/√inDim, 1/√inDim). */
export function createDenseLayer(inDim: number, outDim: number, rng: Rng): DenseLayer {
  const bound = 1 / Math.sqrt(inDim);
  const weight = new Float32Array(outDim * inDim);
  const bias = new Float32Array(outDim);
  for (let i = 0; i < weight.length; i++) weight[i] = (rng.next() * 2 - 1) * bound;
  for (let i = 0; i < bias.length; i++) bias[i] = (rng.next() * 2 - 1) * bound;
  return { inDim, outDim, weight, bias };
}

export function zerosLike(layer: DenseLayer): DenseLayer {
  return {
    inDim: layer.inDim,
    outDim: layer.outDim,
    weight: new Float32Array(layer.weight.length),
    bias: new Float32Array(layer.bias.length),
  };
}

export function cloneLayer(layer: DenseLayer): DenseLayer {
  return { inDim: layer.inDim, outDim: layer.outDim, weight: layer.weight.slice(), bias: layer.bias.slice() };
}

/**
 * out[o] = b[o] + Σ_k W[o, k] · x[xOffset + k] over the first `cols` columns starting at column
 * `colOffset` (lets the scorer apply the user half and the item half of its first layer apart).
 */
export function affine(
  layer: DenseLayer,
  x: Float32Array,
  xOffset: number,
  out: Float32Array,
  withBias = true,
  colOffset = 0,
  cols = layer.inDim,
): void {
  const { inDim, outDim, weight, bias } = layer;
  for (let o = 0; o < outDim; o++) {
    let sum = withBias ? bias[o]! : 0;
    const row = o * inDim + colOffset;
    for (let k = 0; k < cols; k++) sum += weight[row + k]! * x[xOffset + k]!;
    out[o] = sum;
  }
}

/** In place: v ← max(v, 0). */
export function reluInPlace(v: Float32Array): void {
  for (let i = 0; i < v.length; i++) if (v[i]! < 0) v[i] = 0;
}

/**
 * Backward pass of y = W·x + b over the columns [colOffset, colOffset + cols), in one sweep:
 *   grad.W[o, colOffset + k] += dOut[o] · x[xOffset + k]     (and grad.b[o] += dOut[o] when withBias)
 *   dIn[dInOffset + k]       += W[o, colOffset + k] · dOut[o]  (skipped when dIn is null)
 * dIn is accumulated, not overwritten, so an item row's gradient can go straight into the table's.
 */
export function backpropDense(
  layer: DenseLayer,
  grad: DenseLayer,
  dOut: Float32Array,
  x: Float32Array,
  xOffset: number,
  dIn: Float32Array | null,
  dInOffset: number,
  colOffset = 0,
  cols = layer.inDim,
  withBias = true,
): void {
  const { inDim, outDim, weight } = layer;
  const gw = grad.weight;
  for (let o = 0; o < outDim; o++) {
    const g = dOut[o]!;
    if (withBias) grad.bias[o] += g;
    if (g === 0) continue; // ReLU zeroed this unit
    const row = o * inDim + colOffset;
    if (dIn === null) {
      for (let k = 0; k < cols; k++) gw[row + k] += g * x[xOffset + k]!;
    } else {
      for (let k = 0; k < cols; k++) {
        gw[row + k] += g * x[xOffset + k]!;
        dIn[dInOffset + k] += weight[row + k]! * g;
      }
    }
  }
}

/** dPre ← dOut ⊙ 1[activation > 0], the ReLU gradient, in place on dOut. */
export function reluBackwardInPlace(dOut: Float32Array, activation: Float32Array): void {
  for (let i = 0; i < dOut.length; i++) if (activation[i]! <= 0) dOut[i] = 0;
}
