import { describe, expect, it } from "vitest";
import { blockedGram, createRng } from "@fedrec/common";
import { createWasmGramKernel } from "./wasm-gram.ts";

describe("createWasmGramKernel", () => {
  it("computes the same X·Xᵀ as the JS kernel (odd sizes) and frees its tensors", async () => {
    const gram = await createWasmGramKernel();
    const rng = createRng(4);
    const [n, dim] = [37, 515];
    const rows = Float32Array.from({ length: n * dim }, () => rng.normal());
    const tf = await import("@tensorflow/tfjs-core");
    const before = tf.memory().numTensors;
    const fast = gram(rows, n, dim);
    expect(tf.memory().numTensors).toBe(before);
    const reference = blockedGram(rows, n, dim);
    expect(fast.length).toBe(n * n);
    for (let i = 0; i < n * n; i++) expect(fast[i]).toBeCloseTo(reference[i]!, 2);
  });
});
