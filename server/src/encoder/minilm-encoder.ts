/**
 * The frozen sentence encoder all-MiniLM-L6-v2 (384 dimensions), run by @huggingface/transformers
 * (onnxruntime-node, CPU; fp32 weights or their int8 copy, fp32 arithmetic) entirely from local files: remote models are disabled and nothing is
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
import {
  embedWithMiniLm,
  MINILM_DIMENSION,
  MINILM_MODEL_ID,
  MINILM_VARIANTS,
  type EncoderPrecision,
  type Forward,
  type LoadedMiniLm,
  type TensorView,
  type Tokenize,
  type Pooling,
  type ProfileEncoder,
} from "@fedrec/common";

export { MINILM_DIMENSION, MINILM_MODEL_ID } from "@fedrec/common";

/** Files the encoder needs under `<modelDir>/Xenova/all-MiniLM-L6-v2/`, per weight precision. */
export function miniLmRequiredFiles(precision: EncoderPrecision): readonly string[] {
  return ["config.json", "tokenizer.json", "tokenizer_config.json", MINILM_VARIANTS[precision].files.at(-1)!];
}

export interface MiniLmEncoderOptions {
  /** The local model root (transformers' `env.localModelPath`): the model is `<modelDir>/Xenova/all-MiniLM-L6-v2/`. */
  readonly modelDir: string;
  readonly pooling: Pooling;
  /** fp32 weights or the int8 copy (default int8, as the federation's default). */
  readonly precision?: EncoderPrecision;
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
export function assertMiniLmModelPresent(modelDir: string, precision: EncoderPrecision = "int8"): void {
  const modelPath = miniLmModelPath(modelDir);
  const missing = miniLmRequiredFiles(precision).filter((file) => !existsSync(join(modelPath, file)));
  if (missing.length > 0) throw new MiniLmModelMissingError(modelPath, missing);
}

interface Loaded extends LoadedMiniLm {
  readonly model: PreTrainedModel;
}

/** transformers' `env` is global: loads are serialised so each sees its own localModelPath. */
let loadChain: Promise<unknown> = Promise.resolve();

async function loadModel(modelDir: string, precision: EncoderPrecision, threads: number | undefined): Promise<Loaded> {
  assertMiniLmModelPresent(modelDir, precision);
  const { env, AutoModel, AutoTokenizer } = await import("@huggingface/transformers");
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = resolve(modelDir);
  const tokenizer = await AutoTokenizer.from_pretrained(MINILM_MODEL_ID, { local_files_only: true });
  const model = await AutoModel.from_pretrained(MINILM_MODEL_ID, {
    local_files_only: true,
    device: "cpu",
    dtype: MINILM_VARIANTS[precision].dtype,
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
  readonly precision: EncoderPrecision;
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
    this.precision = options.precision ?? "int8";
    this.modelDir = resolve(options.modelDir);
    this.batchSize = batchSize;
    this.threads = options.threads;
    // fp32 keeps the id it always had (embedding caches are keyed by it).
    this.id = `${MINILM_MODEL_ID}:${options.pooling}${this.precision === "fp32" ? "" : `:${this.precision}`}`;
  }

  /** Loads tokenizer + ONNX session (done lazily by the first encode()); throws MiniLmModelMissingError. */
  load(): Promise<void> {
    return this.loaded().then(() => undefined);
  }

  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    return embedWithMiniLm(texts, await this.loaded(), this.pooling, this.batchSize);
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    const loading = this.loading;
    this.loading = null;
    if (loading) await (await loading.catch(() => null))?.model.dispose();
  }

  private loaded(): Promise<Loaded> {
    if (this.loading === null) {
      const next = loadChain.then(() => loadModel(this.modelDir, this.precision, this.threads));
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

export function createMiniLmEncoder(
  pooling: Pooling = "mean",
  precision: EncoderPrecision = "int8",
  modelDir: string = defaultModelDir(),
): MiniLmEncoder {
  return new MiniLmEncoder({ modelDir, pooling, precision });
}
