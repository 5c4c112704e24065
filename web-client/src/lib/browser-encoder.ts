/**
 * MiniLM in the browser: transformers.js with onnxruntime-web, every file from the coordinator's
 * own origin (`/models/`, `/ort/`) — remote models disabled, so nothing reaches a hub or CDN.
 * Pooling, weight precision and truncation are the federation's (its catalogue names the
 * encoder), identical to the server's encoder. The encoder's identity names the model files by the
 * sha256 digests in the manifest served beside them.
 */
import {
  embedWithMiniLm,
  manifestDigests,
  MINILM_DIMENSION,
  MINILM_MODEL_ID,
  MINILM_VARIANTS,
  modelFilesChecksum,
  type EncoderIdentity,
  type EncoderPrecision,
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

const loading = new Map<EncoderPrecision, Promise<LoadedMiniLm>>();
let reportProgress: (p: LoadProgress) => void = () => {};

/**
 * `fetch` with download progress. Progress is counted here rather than through transformers.js'
 * `progress_callback`: given one, transformers.js first GETs every model file once more just to
 * read its size (the metadata for its overall progress), and a browser downloads such a GET in
 * full — twice the model over the classroom Wi-Fi.
 */
async function fetchWithProgress(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const total = Number(response.headers.get("content-length") ?? 0);
  if (!response.ok || response.body === null || !(total > 0)) return response;
  const file = new URL(input instanceof Request ? input.url : String(input), location.href).pathname.split("/").pop() ?? "";
  let loaded = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        reportProgress({ file, percent: Math.min(100, Math.round((100 * loaded) / total)) });
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * onnxruntime-web's plain SIMD build (3.7 MB gzipped) rather than the WebGPU/JSEP build
 * transformers.js asks for by default (6.7 MB): the page runs MiniLM on the wasm CPU backend only.
 */
const ORT_WASM = { mjs: "/ort/ort-wasm-simd-threaded.mjs", wasm: "/ort/ort-wasm-simd-threaded.wasm" };

export function loadMiniLm(precision: EncoderPrecision, onProgress: (p: LoadProgress) => void): Promise<LoadedMiniLm> {
  reportProgress = onProgress;
  let loaded = loading.get(precision);
  if (loaded) return loaded;
  loaded = (async () => {
    const { env, AutoModel, AutoTokenizer } = await import("@huggingface/transformers");
    env.fetch = fetchWithProgress;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = "/models/"; // a path, not a URL: transformers.js treats URLs as remote
    const wasm = env.backends.onnx.wasm!;
    wasm.wasmPaths = { mjs: new URL(ORT_WASM.mjs, location.origin).href, wasm: new URL(ORT_WASM.wasm, location.origin).href };
    wasm.numThreads = 1; // no cross-origin isolation on a plain LAN server: single-threaded wasm
    const tokenizer = await AutoTokenizer.from_pretrained(MINILM_MODEL_ID);
    const model = await AutoModel.from_pretrained(MINILM_MODEL_ID, {
      device: "wasm",
      dtype: MINILM_VARIANTS[precision].dtype,
      // onnxruntime keeps DequantizeLinear nodes out of constant folding unless QDQ handling is off;
      // with it off, the int8 weights become fp32 once, at load, instead of at every embedding.
      session_options: { extra: { session: { disable_quant_qdq: "1" } } },
    });
    const sepId = tokenizer.sep_token_id;
    if (typeof sepId !== "number") throw new Error("MiniLM: the tokenizer has no [SEP] token");
    const tokenize = ((texts, options) => tokenizer(texts, options)) as Tokenize;
    const forward = (async (inputs) => await model(inputs)) as Forward;
    return { sepId, tokenize, forward };
  })();
  loading.set(precision, loaded);
  loaded.catch(() => loading.delete(precision));
  return loaded;
}

export async function embedProfile(
  text: string,
  encoder: { readonly pooling: Pooling; readonly precision: EncoderPrecision },
  onProgress: (p: LoadProgress) => void,
): Promise<Float32Array> {
  const [embedding] = await embedWithMiniLm([text], await loadMiniLm(encoder.precision, onProgress), encoder.pooling, 1);
  return embedding!;
}

const checksums = new Map<EncoderPrecision, Promise<string>>();

/** The identity of the MiniLM files this page loads for `precision`, with `pooling`. */
export async function browserEncoderIdentity(pooling: Pooling, precision: EncoderPrecision): Promise<EncoderIdentity> {
  let checksum = checksums.get(precision);
  if (!checksum) {
    const variant = MINILM_VARIANTS[precision];
    checksum = (async () => {
      const response = await fetch(`/models/${MINILM_MODEL_ID}/${variant.manifest}`);
      if (!response.ok) throw new Error(`the coordinator serves no ${precision} model manifest (${response.status})`);
      return modelFilesChecksum(manifestDigests(await response.json(), variant.files));
    })();
    checksums.set(precision, checksum);
    checksum.catch(() => checksums.delete(precision));
  }
  return { model: MINILM_MODEL_ID, pooling, precision, dimension: MINILM_DIMENSION, checksum: await checksum };
}
