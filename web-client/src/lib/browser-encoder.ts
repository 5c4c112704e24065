/**
 * MiniLM in the browser: transformers.js with onnxruntime-web, every file from the coordinator's
 * own origin (`/models/`, `/ort/`) — remote models disabled, so nothing reaches a hub or CDN.
 * Pooling and truncation are common/'s, identical to the server's encoder.
 */
import { embedWithMiniLm, MINILM_MODEL_ID, type LoadedMiniLm, type Forward, type Tokenize } from "@fedrec/common";

export interface LoadProgress {
  readonly file: string;
  /** 0–100 for the file being fetched. */
  readonly percent: number;
}

let loading: Promise<LoadedMiniLm> | null = null;

export function loadMiniLm(onProgress: (p: LoadProgress) => void): Promise<LoadedMiniLm> {
  loading ??= (async () => {
    const { env, AutoModel, AutoTokenizer } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = "/models/"; // a path, not a URL: transformers.js treats URLs as remote
    const wasm = env.backends.onnx.wasm!;
    wasm.wasmPaths = new URL("/ort/", location.origin).href;
    wasm.numThreads = 1; // no cross-origin isolation on a plain LAN server: single-threaded wasm
    const progress_callback = (p: { status: string; file?: string; progress?: number }) => {
      if (p.status === "progress" && p.file) onProgress({ file: p.file, percent: Math.round(p.progress ?? 0) });
    };
    const tokenizer = await AutoTokenizer.from_pretrained(MINILM_MODEL_ID, { progress_callback });
    const model = await AutoModel.from_pretrained(MINILM_MODEL_ID, { device: "wasm", dtype: "fp32", progress_callback });
    const sepId = tokenizer.sep_token_id;
    if (typeof sepId !== "number") throw new Error("MiniLM: the tokenizer has no [SEP] token");
    const tokenize = ((texts, options) => tokenizer(texts, options)) as Tokenize;
    const forward = (async (inputs) => await model(inputs)) as Forward;
    return { sepId, tokenize, forward };
  })();
  loading.catch(() => (loading = null));
  return loading;
}

export async function embedProfile(text: string, onProgress: (p: LoadProgress) => void): Promise<Float32Array> {
  const [embedding] = await embedWithMiniLm([text], await loadMiniLm(onProgress), "mean", 1);
  return embedding!;
}
