/**
 * A helper thread of the parallel Gram kernel: computes its row block with its own tfjs-wasm
 * instance straight into the shared output, then counts itself finished (or failed) and wakes
 * the waiting caller.
 */
import { parentPort } from "node:worker_threads";
import { createWasmRowBlockProduct } from "./wasm-gram.ts";
import { FAILED, FINISHED, type GramShare } from "./gram-protocol.ts";

const port = parentPort!;
const product = await createWasmRowBlockProduct();

port.on("message", (share: GramShare) => {
  const control = new Int32Array(share.control);
  try {
    const { n, dim, r0, r1 } = share;
    const block = product(new Float32Array(share.input, 0, n * dim), n, dim, r0, r1);
    new Float32Array(share.output, r0 * n * 4, (r1 - r0) * n).set(block);
  } catch (error) {
    Atomics.add(control, FAILED, 1);
    // The caller is blocked in Atomics.wait and cannot read messages: report on stderr.
    console.error(`gram helper failed: ${(error as Error).stack ?? String(error)}`);
  }
  Atomics.add(control, FINISHED, 1);
  Atomics.notify(control, FINISHED);
});
port.postMessage("ready");
