/**
 * A helper thread of the parallel kernels: computes its row block of a Gram matrix (with its own
 * tfjs-wasm instance) or of an approximate graph's re-ranking straight into shared memory, then
 * counts itself finished (or failed) and wakes the waiting caller.
 */
import { parentPort } from "node:worker_threads";
import { rerankRows } from "@fedrec/common";
import { createWasmRowBlockProduct } from "./wasm-gram.ts";
import { FAILED, FINISHED, type GramShare, type RerankShare } from "./gram-protocol.ts";

const port = parentPort!;
const product = await createWasmRowBlockProduct();

port.on("message", (share: GramShare | RerankShare) => {
  const control = new Int32Array(share.control);
  try {
    if (share.kind === "gram") gramBlock(share);
    else rerankBlock(share);
  } catch (error) {
    Atomics.add(control, FAILED, 1);
    // The caller is blocked in Atomics.wait and cannot read messages: report on stderr.
    console.error(`kernel helper failed: ${(error as Error).stack ?? String(error)}`);
  }
  Atomics.add(control, FINISHED, 1);
  Atomics.notify(control, FINISHED);
});
port.postMessage("ready");

function gramBlock({ input, output, n, dim, r0, r1 }: GramShare): void {
  const block = product(new Float32Array(input, 0, n * dim), n, dim, r0, r1);
  new Float32Array(output, r0 * n * 4, (r1 - r0) * n).set(block);
}

function rerankBlock(share: RerankShare): void {
  const { vectors, width, size, r0, r1 } = share;
  const all = new Int32Array(share.candidates);
  const candidates = Array.from({ length: vectors.length }, (_, i) =>
    i >= r0 && i < r1 ? all.subarray(i * width, (i + 1) * width) : new Int32Array(0),
  );
  const rows = rerankRows(vectors, new Float64Array(share.scale), candidates, size, r0, r1);
  const output = new Int32Array(share.output);
  rows.forEach((row, p) => output.set(row, (r0 + p) * size));
}
