/**
 * A GramKernel split over threads: the calling thread and `threads − 1` helper threads each
 * compute a block of rows of X·Xᵀ with their own tfjs-wasm instance (wasm-gram.ts), reading X
 * from and writing X·Xᵀ to shared memory. The kernel stays synchronous, as GramKernel is: the
 * caller blocks on Atomics.wait until the helpers are done — allowed in Node's threads, and the
 * reason the coordinator calls it only inside its aggregation worker (worker-aggregator.ts),
 * never on its event loop. The simulator calls it directly, between training phases.
 * The same threads split an approximate graph's re-ranking (a CandidateRerank) by rows.
 */
import { Worker } from "node:worker_threads";
import { rerankRows, type CandidateRerank, type GramKernel } from "@fedrec/common";
import { createWasmRowBlockProduct } from "./wasm-gram.ts";
import { FAILED, FINISHED, type GramShare, type RerankShare } from "./gram-protocol.ts";

export interface ParallelGram {
  readonly gram: GramKernel;
  readonly rerank: CandidateRerank;
  readonly threads: number;
  close(): Promise<void>;
}

/** A helper that has not finished within this long is taken as dead (a Gram of 10k × 12,288 rows takes ≈ 2 min). */
const HELPER_TIMEOUT_MS = 15 * 60 * 1000;

export async function createParallelGramKernel(threads: number): Promise<ParallelGram> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`gram threads must be an integer ≥ 1, got ${threads}`);
  const own = await createWasmRowBlockProduct();
  const helpers = await Promise.all(Array.from({ length: threads - 1 }, startHelper));
  const crashed: string[] = [];
  // A crashed helper must not take the process down with an unhandled 'error' event.
  for (const h of helpers) h.on("error", (error) => crashed.push(error.message));

  const gram: GramKernel = (rows, n, dim) => {
    const bounds = rowBounds(n, threads);
    const input = sharedCopy(rows, n * dim);
    const output = new SharedArrayBuffer(n * n * 4);
    const control = new SharedArrayBuffer(8);
    helpers.forEach((h, i) => {
      h.postMessage({ kind: "gram", input, output, control, n, dim, r0: bounds[i + 1]!, r1: bounds[i + 2]! } satisfies GramShare);
    });
    const mine = own(new Float32Array(input, 0, n * dim), n, dim, 0, bounds[1]!);
    new Float32Array(output, 0, mine.length).set(mine);
    if (crashed.length > 0) throw new Error(`a gram helper thread crashed: ${crashed.join("; ")}`);
    waitForHelpers(new Int32Array(control), helpers.length);
    return new Float32Array(output);
  };

  const rerank: CandidateRerank = (vectors, scale, candidates, size) => {
    const n = vectors.length;
    const bounds = rowBounds(n, threads);
    const width = candidates.reduce((widest, c) => Math.max(widest, c.length), 0); // no spread: n may be 100,000
    const flat = new Int32Array(new SharedArrayBuffer(n * width * 4)).fill(-1);
    candidates.forEach((c, i) => flat.set(c, i * width));
    const sharedScale = new Float64Array(new SharedArrayBuffer(n * 8));
    sharedScale.set(scale);
    const output = new Int32Array(new SharedArrayBuffer(n * size * 4)).fill(-1);
    const control = new SharedArrayBuffer(8);
    const share = {
      kind: "rerank" as const,
      vectors: sharedVectors(vectors),
      scale: sharedScale.buffer,
      candidates: flat.buffer,
      width,
    };
    helpers.forEach((h, i) => {
      h.postMessage({
        ...share,
        output: output.buffer,
        control,
        size,
        r0: bounds[i + 1]!,
        r1: bounds[i + 2]!,
      } satisfies RerankShare);
    });
    const mine = rerankRows(vectors, scale, candidates, size, 0, bounds[1]!);
    if (crashed.length > 0) throw new Error(`a kernel helper thread crashed: ${crashed.join("; ")}`);
    waitForHelpers(new Int32Array(control), helpers.length);
    return Array.from({ length: n }, (_, i) => {
      if (i < bounds[1]!) return mine[i]!;
      const row = output.subarray(i * size, (i + 1) * size);
      const end = row.indexOf(-1);
      return row.slice(0, end < 0 ? size : end);
    });
  };
  return {
    gram,
    rerank,
    threads,
    close: async () => {
      await Promise.all(helpers.map((h) => h.terminate()));
    },
  };
}

/** Row boundaries giving each of `parts` threads an equal share of the n rows. */
export function rowBounds(n: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, p) => Math.round((p * n) / parts));
}

function sharedCopy(rows: Float32Array, length: number): SharedArrayBuffer {
  if (rows.buffer instanceof SharedArrayBuffer && rows.byteOffset === 0) return rows.buffer;
  const shared = new SharedArrayBuffer(length * 4);
  new Float32Array(shared).set(rows.subarray(0, length));
  return shared;
}

/** The vectors over shared memory: as they are when they already are (the coordinator's uploads), else copied into one buffer. */
function sharedVectors(vectors: readonly Float32Array[]): Float32Array[] {
  if (vectors.every((v) => v.buffer instanceof SharedArrayBuffer)) return [...vectors];
  const dim = vectors[0]?.length ?? 0;
  const buffer = new SharedArrayBuffer(vectors.length * dim * 4);
  return vectors.map((v, i) => {
    const copy = new Float32Array(buffer, i * dim * 4, dim);
    copy.set(v);
    return copy;
  });
}

function waitForHelpers(control: Int32Array, count: number): void {
  const deadline = Date.now() + HELPER_TIMEOUT_MS;
  for (let done = Atomics.load(control, FINISHED); done < count; done = Atomics.load(control, FINISHED)) {
    if (Date.now() > deadline) throw new Error(`gram helpers: ${done} of ${count} finished within ${HELPER_TIMEOUT_MS / 1000} s`);
    Atomics.wait(control, FINISHED, done, 1000);
  }
  if (Atomics.load(control, FAILED) > 0) throw new Error("a gram helper thread failed (its error is on stderr)");
}

function startHelper(): Promise<Worker> {
  const worker = new Worker(new URL("./gram-helper-bootstrap.mjs", import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once("message", () => resolve(worker));
    worker.once("error", reject);
  });
}
