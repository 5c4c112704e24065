/**
 * MiniLM in the browser: transformers.js with onnxruntime-web, every file from the coordinator's
 * own origin (`/models/`, `/ort/`) — remote models disabled, so nothing reaches a hub or CDN.
 * Pooling and truncation are common/'s, identical to the server's encoder; the pooling is the
 * federation's (its catalogue names the encoder). The encoder's identity names the model files by
 * the sha256 digests in the manifest served beside them.
 */
import {
  embedWithMiniLm,
  manifestDigests,
  MINILM_DIMENSION,
  MINILM_MANIFEST,
  MINILM_MODEL_FILES,
  MINILM_MODEL_ID,
  modelFilesChecksum,
  type EncoderIdentity,
  type Forward,
  type LoadedMiniLm,
  type Pooling,
  type Tokenize,
} from "@fedrec/common";

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

export async function embedProfile(text: string, pooling: Pooling, onProgress: (p: LoadProgress) => void): Promise<Float32Array> {
  const [embedding] = await embedWithMiniLm([text], await loadMiniLm(onProgress), pooling, 1);
  return embedding!;
}

let checksum: Promise<string> | null = null;

/** The identity of the MiniLM files this page loads, with `pooling`. */
export async function browserEncoderIdentity(pooling: Pooling): Promise<EncoderIdentity> {
  checksum ??= (async () => {
    const response = await fetch(`/models/${MINILM_MODEL_ID}/${MINILM_MANIFEST}`);
    if (!response.ok) throw new Error(`the coordinator serves no model manifest (${response.status})`);
    return modelFilesChecksum(manifestDigests(await response.json(), MINILM_MODEL_FILES));
  })();
  checksum.catch(() => (checksum = null));
  return { model: MINILM_MODEL_ID, pooling, dimension: MINILM_DIMENSION, checksum: await checksum };
}
