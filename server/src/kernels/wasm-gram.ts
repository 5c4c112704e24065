/**
 * Gram products on tfjs-wasm (XNNPACK, SIMD, single thread in Node): rows r0..r1 of X·Xᵀ as
 * matMul(X[r0:r1], transpose(X)), the layout XNNPACK runs fast (matMul with transposeB=true is
 * ≈ 7× slower on 4.22). The full Gram matrix is the block of all rows: ≈ 1.0–1.4 s for
 * 943 × 12,288 here, against ≈ 2.9 s for the JS kernel.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import type { GramKernel } from "@fedrec/common";

/** Rows [r0, r1) of X·Xᵀ for row-major X (n × dim): (r1 − r0) × n, row-major. */
export type RowBlockProduct = (rows: Float32Array, n: number, dim: number, r0: number, r1: number) => Float32Array;

let ready: Promise<void> | null = null;

/** Initialises this thread's wasm backend once (shells call it at start-up, never at import). */
export async function createWasmRowBlockProduct(): Promise<RowBlockProduct> {
  ready ??= tf.setBackend("wasm").then(async (ok) => {
    if (!ok) throw new Error("the tfjs wasm backend failed to initialise");
    await tf.ready();
  });
  await ready;
  return (rows, n, dim, r0, r1) => {
    const product = tf.tidy(() => {
      const x = tf.tensor2d(rows.subarray(0, n * dim), [n, dim]);
      const block = r0 === 0 && r1 === n ? x : tf.slice(x, [r0, 0], [r1 - r0, dim]);
      return tf.matMul(block, tf.transpose(x));
    });
    try {
      // Copy out of the wasm heap before the tensor is freed.
      return new Float32Array(product.dataSync());
    } finally {
      product.dispose();
    }
  };
}

export async function createWasmGramKernel(): Promise<GramKernel> {
  const product = await createWasmRowBlockProduct();
  return (rows, n, dim) => product(rows, n, dim, 0, n);
}
