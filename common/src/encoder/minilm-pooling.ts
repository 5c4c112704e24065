/**
 * all-MiniLM-L6-v2 as sentence-transformers computes it, over any transformers.js tokenizer and
 * model (Node's onnxruntime in the server, onnxruntime-web in the browser — the shells load them):
 * 256-token truncation with the final [SEP] kept, then mean pooling over the attention mask (or
 * the [CLS] state) and L2 normalisation. Pure: the shells inject `tokenize` and `forward`.
 */
import type { EncoderPrecision, Pooling } from "./text-encoder.ts";

export const MINILM_MODEL_ID = "Xenova/all-MiniLM-L6-v2";
export const MINILM_DIMENSION = 384;
const TOKENIZER_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"];

/**
 * Per precision: the model files, as listed (with their sha256) in the manifest
 * scripts/fetch-model.mjs writes beside them (MODEL_FILES / INT8_MODEL_FILES there) — the encoder's
 * checksum covers exactly these — and transformers.js' dtype, whose file-name convention
 * (`model.onnx`, `model_quantized.onnx`) the fetch step follows.
 */
export const MINILM_VARIANTS: Readonly<
  Record<EncoderPrecision, { readonly files: readonly string[]; readonly manifest: string; readonly dtype: "fp32" | "q8" }>
> = {
  fp32: { files: [...TOKENIZER_FILES, "onnx/model.onnx"], manifest: "fedrec-manifest.json", dtype: "fp32" },
  int8: { files: [...TOKENIZER_FILES, "onnx/model_quantized.onnx"], manifest: "fedrec-manifest-int8.json", dtype: "q8" },
};
/** sentence-transformers' max_seq_length for all-MiniLM-L6-v2; longer texts are truncated. */
export const MINILM_MAX_TOKENS = 256;

/** Minimal view of transformers.js tensors (its typings use `any` for call results). */
export interface TensorView {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint>;
}
export type Tokenize = (
  texts: string[],
  options: { padding: boolean; truncation: boolean; max_length: number },
) => Record<string, TensorView>;
export type Forward = (inputs: Record<string, TensorView>) => Promise<Record<string, TensorView | undefined>>;

export interface LoadedMiniLm {
  readonly sepId: number;
  readonly tokenize: Tokenize;
  readonly forward: Forward;
}

/** Embeds `texts` in batches (longest first, so padding is small), in input order. */
export async function embedWithMiniLm(
  texts: readonly string[],
  { sepId, tokenize, forward }: LoadedMiniLm,
  pooling: Pooling,
  batchSize: number,
): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  // Longest first, so each batch pads to similar lengths; results go back to input order.
  const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length);
  const out = new Array<Float32Array>(texts.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
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
    const pooled = pooling === "mean" ? meanPool(hidden.data, keep, batch, seq, dim) : clsPool(hidden.data, batch, seq, dim);
    indices.forEach((textIndex, row) => {
      out[textIndex] = pooled[row]!;
    });
  }
  return out;
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
