/** Times the two Gram kernels on the coordinator's real workload: 943 θ_user vectors of 32 × 384. */
import { blockedGram, cosineSimilarityMatrix, createRng } from "@fedrec/common";
import { createWasmGramKernel } from "../server/src/kernels/wasm-gram.ts";

export interface KernelTiming {
  readonly kernel: string;
  readonly seconds: number;
}

export async function timeSimilarityKernels(n = 943, dim = 32 * 384): Promise<KernelTiming[]> {
  const rng = createRng(1);
  const vectors = Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => rng.normal()));
  const wasm = await createWasmGramKernel();
  const timings: KernelTiming[] = [];
  for (const [kernel, gram] of [
    ["blocked JS", blockedGram],
    ["tfjs-wasm (XNNPACK)", wasm],
  ] as const) {
    cosineSimilarityMatrix(vectors.slice(0, 16), gram); // warm up
    const t0 = performance.now();
    cosineSimilarityMatrix(vectors, gram);
    timings.push({ kernel, seconds: (performance.now() - t0) / 1000 });
  }
  return timings;
}
