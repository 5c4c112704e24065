/**
 * The frozen sentence encoder all-MiniLM-L6-v2 (384 dimensions), run by @huggingface/transformers
 * (onnxruntime-node, CPU, fp32) entirely from local files: remote models are disabled and nothing is
 * ever fetched. The files come from `node scripts/fetch-model.mjs` (see docs/encoder.md).
 *
 * Pooling:
 * - "mean": mean of the last hidden state over the tokens the attention mask keeps, then L2
 *   normalisation: exactly sentence-transformers' all-MiniLM-L6-v2 (Transformer -> Pooling(mean) ->
 *   Normalize), including its 256-token truncation.
 * - "cls": the last hidden state of the [CLS] token, also L2-normalised (unit length, like "mean", so
 *   the two modes are interchangeable as features). The model was not trained for CLS pooling; it is
 *   offered for comparison.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PreTrainedModel } from "@huggingface/transformers";
import type { Pooling, ProfileEncoder } from "../../../common/src/encoder/text-encoder.ts";

export const MINILM_MODEL_ID = "Xenova/all-MiniLM-L6-v2";
export const MINILM_DIMENSION = 384;
/** sentence-transformers' max_seq_length for all-MiniLM-L6-v2; longer texts are truncated. */
export const MINILM_MAX_TOKENS = 256;
/** Files the encoder needs under `<modelDir>/Xenova/all-MiniLM-L6-v2/`. */
export const MINILM_REQUIRED_FILES: readonly string[] = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
];

export interface MiniLmEncoderOptions {
  /** The local model root (transformers' `env.localModelPath`): the model is `<modelDir>/Xenova/all-MiniLM-L6-v2/`. */
  readonly modelDir: string;
  readonly pooling: Pooling;
  /** Texts per forward pass (default 32). */
  readonly batchSize?: number;
  /** onnxruntime intra-op threads (default: onnxruntime's choice, all cores). */
  readonly threads?: number;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** `$FEDREC_MODEL_DIR`, else `<repo>/.cache/models` (where scripts/fetch-model.mjs puts the model). */
export function defaultModelDir(): string {
  const fromEnv = process.env["FEDREC_MODEL_DIR"];
  return resolve(fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(REPO_ROOT, ".cache", "models"));
}

/** Thrown when the model files are not on disk. */
export class MiniLmModelMissingError extends Error {
  constructor(
    readonly modelPath: string,
    readonly missing: readonly string[],
  ) {
    super(
      `all-MiniLM-L6-v2 model files not found in ${modelPath} (missing: ${missing.join(", ")}). ` +
        "Fetch them with `node scripts/fetch-model.mjs` from the repository root " +
        "(it honours FEDREC_MODEL_DIR); the encoder never downloads anything itself.",
    );
    this.name = "MiniLmModelMissingError";
  }
}

/** Path of the model inside a model root. */
export function miniLmModelPath(modelDir: string): string {
  return join(resolve(modelDir), ...MINILM_MODEL_ID.split("/"));
}

/** Throws MiniLmModelMissingError unless every required file exists under `modelDir`. */
export function assertMiniLmModelPresent(modelDir: string): void {
  const modelPath = miniLmModelPath(modelDir);
  const missing = MINILM_REQUIRED_FILES.filter((file) => !existsSync(join(modelPath, file)));
  if (missing.length > 0) throw new MiniLmModelMissingError(modelPath, missing);
}

/** Minimal view of transformers.js tensors (its typings use `any` for call results). */
interface TensorView {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint>;
}
type Tokenize = (
  texts: string[],
  options: { padding: boolean; truncation: boolean; max_length: number },
) => Record<string, TensorView>;
type Forward = (inputs: Record<string, TensorView>) => Promise<Record<string, TensorView | undefined>>;

interface Loaded {
  readonly model: PreTrainedModel;
  readonly sepId: number;
  readonly tokenize: Tokenize;
  readonly forward: Forward;
}

/** transformers' `env` is global: loads are serialised so each sees its own localModelPath. */
let loadChain: Promise<unknown> = Promise.resolve();

async function loadModel(modelDir: string, threads: number | undefined): Promise<Loaded> {
  assertMiniLmModelPresent(modelDir);
  const { env, AutoModel, AutoTokenizer } = await import("@huggingface/transformers");
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = resolve(modelDir);
  const tokenizer = await AutoTokenizer.from_pretrained(MINILM_MODEL_ID, { local_files_only: true });
  const model = await AutoModel.from_pretrained(MINILM_MODEL_ID, {
    local_files_only: true,
    device: "cpu",
    dtype: "fp32",
    ...(threads !== undefined ? { session_options: { intraOpNumThreads: threads } } : {}),
  });
  const sepId = tokenizer.sep_token_id;
  if (typeof sepId !== "number") throw new Error("MiniLM: the tokenizer has no [SEP] token");
  const tokenize: Tokenize = (texts, options) => tokenizer(texts, options) as Record<string, TensorView>;
  const forward: Forward = async (inputs) => (await model(inputs)) as Record<string, TensorView | undefined>;
  return { model, sepId, tokenize, forward };
}

export class MiniLmEncoder implements ProfileEncoder {
  readonly id: string;
  readonly dimension = MINILM_DIMENSION;
  readonly pooling: Pooling;
  readonly modelDir: string;
  private readonly batchSize: number;
  private readonly threads: number | undefined;
  private loading: Promise<Loaded> | null = null;

  constructor(options: MiniLmEncoderOptions) {
    if (options.pooling !== "mean" && options.pooling !== "cls") {
      throw new Error(`pooling must be "mean" or "cls", not ${JSON.stringify(options.pooling)}`);
    }
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, not ${batchSize}`);
    this.pooling = options.pooling;
    this.modelDir = resolve(options.modelDir);
    this.batchSize = batchSize;
    this.threads = options.threads;
    this.id = `${MINILM_MODEL_ID}:${options.pooling}`;
  }

  /** Loads tokenizer + ONNX session (done lazily by the first encode()); throws MiniLmModelMissingError. */
  load(): Promise<void> {
    return this.loaded().then(() => undefined);
  }

  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { sepId, tokenize, forward } = await this.loaded();
    // Longest first, so each batch pads to similar lengths; results go back to input order.
    const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length);
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const indices = order.slice(start, start + this.batchSize);
      const inputs = tokenize(
        indices.map((i) => texts[i]!),
        { padding: true, truncation: true, max_length: MINILM_MAX_TOKENS },
      );
      restoreSepAfterTruncation(inputs, sepId);
      const outputs = await forward(inputs);
      const hidden = outputs["last_hidden_state"];
      const mask = inputs["attention_mask"];
      if (hidden === undefined) throw new Error("MiniLM: the model returned no last_hidden_state");
      if (mask === undefined) throw new Error("MiniLM: the tokenizer returned no attention_mask");
      const [batch, seq, dim] = hidden.dims;
      if (batch !== indices.length || dim !== MINILM_DIMENSION || seq === undefined) {
        throw new Error(`MiniLM: unexpected output shape [${hidden.dims.join(", ")}]`);
      }
      if (!(hidden.data instanceof Float32Array)) throw new Error("MiniLM: last_hidden_state is not float32");
      const keep = Array.from(mask.data, (m) => Number(m) !== 0);
      const pooled =
        this.pooling === "mean" ? meanPool(hidden.data, keep, batch, seq, dim) : clsPool(hidden.data, batch, seq, dim);
      indices.forEach((textIndex, row) => {
        out[textIndex] = pooled[row]!;
      });
    }
    return out;
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    const loading = this.loading;
    this.loading = null;
    if (loading) await (await loading.catch(() => null))?.model.dispose();
  }

  private loaded(): Promise<Loaded> {
    if (this.loading === null) {
      const next = loadChain.then(() => loadModel(this.modelDir, this.threads));
      loadChain = next.catch(() => undefined);
      this.loading = next;
      // A failed load (e.g. missing files) is retried by the next call.
      next.catch(() => {
        if (this.loading === next) this.loading = null;
      });
    }
    return this.loading;
  }
}

/**
 * transformers.js truncates AFTER adding the special tokens, so a text longer than max_length loses its
 * final [SEP] ([CLS] + 255 word pieces). Python tokenizers (and so sentence-transformers) truncate the
 * word pieces to max_length - 2 and then add [CLS] ... [SEP]. Overwriting the last kept position of a
 * truncated row with [SEP] gives exactly the Python token sequence. Rows that were not truncated end in
 * [SEP] or padding and are left alone.
 */
function restoreSepAfterTruncation(inputs: Record<string, TensorView>, sepId: number): void {
  const ids = inputs["input_ids"];
  const mask = inputs["attention_mask"];
  if (ids === undefined || mask === undefined) throw new Error("MiniLM: the tokenizer returned no input_ids/attention_mask");
  const [batch, seq] = ids.dims;
  if (batch === undefined || seq === undefined || seq < MINILM_MAX_TOKENS) return;
  if (!(ids.data instanceof BigInt64Array)) throw new Error("MiniLM: input_ids are not int64");
  const sep = BigInt(sepId);
  for (let b = 0; b < batch; b++) {
    const last = b * seq + seq - 1;
    if (Number(mask.data[last]) !== 0 && ids.data[last] !== sep) ids.data[last] = sep;
  }
}

/** Sum of the token vectors the mask keeps / their count, then L2 normalisation (sentence-transformers). */
function meanPool(hidden: Float32Array, keep: readonly boolean[], batch: number, seq: number, dim: number): Float32Array[] {
  const rows: Float32Array[] = [];
  const sum = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    sum.fill(0);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      if (!keep[b * seq + t]) continue;
      count++;
      const base = (b * seq + t) * dim;
      for (let d = 0; d < dim; d++) sum[d]! += hidden[base + d]!;
    }
    const row = new Float32Array(dim);
    const denominator = Math.max(count, 1e-9);
    for (let d = 0; d < dim; d++) row[d] = sum[d]! / denominator;
    rows.push(l2Normalise(row));
  }
  return rows;
}

function clsPool(hidden: Float32Array, batch: number, seq: number, dim: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const row = new Float32Array(dim);
    const base = b * seq * dim;
    row.set(hidden.subarray(base, base + dim));
    rows.push(l2Normalise(row));
  }
  return rows;
}

/** In place; like torch.nn.functional.normalize (eps 1e-12). */
function l2Normalise(row: Float32Array): Float32Array {
  let squares = 0;
  for (let d = 0; d < row.length; d++) squares += row[d]! * row[d]!;
  const norm = Math.max(Math.sqrt(squares), 1e-12);
  for (let d = 0; d < row.length; d++) row[d] = row[d]! / norm;
  return row;
}

/** Convenience: a MiniLM encoder on the default model directory. */
export function createMiniLmEncoder(pooling: Pooling = "mean", modelDir: string = defaultModelDir()): MiniLmEncoder {
  return new MiniLmEncoder({ modelDir, pooling });
}
