/**
 * The page's training engine, chosen at runtime: TensorFlow.js on wasm first, then webgl, then
 * cpu — or the one named by `?backend=wasm|webgl|cpu` (tests), or `?backend=core` for the shared
 * Float32Array kernel without tfjs. The wasm binaries come from this origin (Vite assets), never
 * from a CDN; threads are off (no cross-origin isolation on a plain LAN server).
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import wasmPlain from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { tfjsBatchGradient, type BatchGradientKernel } from "@fedrec/common";

export interface TrainingEngine {
  /** "tfjs-wasm", "tfjs-webgl", "tfjs-cpu" or "core". */
  readonly name: string;
  /** Undefined: the core's own kernel. */
  readonly kernel: BatchGradientKernel | undefined;
}

const BACKENDS = ["wasm", "webgl", "cpu"] as const;

export async function startTrainingEngine(requested: string | null): Promise<TrainingEngine> {
  if (requested === "core") return { name: "core", kernel: undefined };
  if (requested !== null && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new Error(`unknown backend "${requested}" (use wasm, webgl, cpu or core)`);
  }
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  setWasmPaths({
    "tfjs-backend-wasm.wasm": wasmPlain,
    "tfjs-backend-wasm-simd.wasm": wasmSimd,
    "tfjs-backend-wasm-threaded-simd.wasm": wasmThreaded,
  });
  for (const backend of requested ? [requested] : BACKENDS) {
    const ok = await tf.setBackend(backend).catch(() => false);
    if (ok) {
      await tf.ready();
      return { name: `tfjs-${backend}`, kernel: tfjsBatchGradient(tf) };
    }
  }
  throw new Error(`no TensorFlow.js backend could start (tried ${requested ?? BACKENDS.join(", ")})`);
}
