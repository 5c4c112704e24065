/**
 * What names a profile encoder across a federation: model id, pooling, weight precision, embedding
 * width and a checksum of the model files. Every client of a federation must embed profiles exactly
 * as the others do (θ_user is shared, and the user graph compares it), so the coordinator publishes its
 * encoder in the catalogue and refuses a join from another one (`encoder-mismatch`).
 */
import * as v from "valibot";
import { encodeUtf8 } from "../data/text-decoding.ts";
import { fields, integerIn, oneOf, text } from "../schema/message-fields.ts";
import { sha256Hex } from "./sha256.ts";
import { ENCODER_PRECISIONS, POOLINGS } from "./text-encoder.ts";

export const ENCODER_CHECKSUM_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** Model ids such as "Xenova/all-MiniLM-L6-v2". */
const MODEL_PATTERN = /^[A-Za-z0-9._:/-]{1,128}$/;

export const EncoderIdentitySchema = fields({
  /** Model id, e.g. "Xenova/all-MiniLM-L6-v2". */
  model: text(MODEL_PATTERN),
  pooling: oneOf(POOLINGS),
  /** fp32 or int8 weights (the int8 graph is another file, so the checksum differs too). */
  precision: oneOf(ENCODER_PRECISIONS),
  /** Width of the embedding (the catalogue's profileDim). */
  dimension: integerIn(1, 65_536),
  /** "sha256:" + 64 hex digits: modelFilesChecksum of the model's files. */
  checksum: text(ENCODER_CHECKSUM_PATTERN),
});
export type EncoderIdentity = v.InferOutput<typeof EncoderIdentitySchema>;

/**
 * The checksum of a model's files, from each file's SHA-256: the SHA-256 of their `sha256sum`
 * listing ("<hex>  <path>\n" per file, sorted by path), prefixed "sha256:". Node hashes the files
 * themselves; the browser reads the digests from the manifest served beside the files it loads.
 */
export function modelFilesChecksum(digests: Readonly<Record<string, string>>): string {
  const listing = Object.keys(digests)
    .sort()
    .map((path) => `${digests[path]}  ${path}\n`)
    .join("");
  return `sha256:${sha256Hex(encodeUtf8(listing))}`;
}

/**
 * Each file's SHA-256 from a model manifest (`fedrec-manifest.json`, written by
 * scripts/fetch-model.mjs: `{files: {"<path>": {sha256, bytes}}}`); throws when one is missing.
 */
export function manifestDigests(manifest: unknown, files: readonly string[]): Record<string, string> {
  const listed = (manifest as { files?: Record<string, { sha256?: unknown }> } | null)?.files;
  const digests: Record<string, string> = {};
  for (const file of files) {
    const sha256 = listed?.[file]?.sha256;
    if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) {
      throw new Error(`the model manifest has no sha256 of ${file}`);
    }
    digests[file] = sha256;
  }
  return digests;
}

export function describeEncoder(e: EncoderIdentity): string {
  return `${e.model} (${e.precision} weights, ${e.pooling} pooling, ${e.dimension} dimensions, model files ${e.checksum.slice(0, 19)}…)`;
}

/** Null when the client's encoder is the federation's; else a message naming both. */
export function encoderMismatch(federation: EncoderIdentity, client: EncoderIdentity): string | null {
  const differ = (["model", "precision", "pooling", "dimension", "checksum"] as const).filter((k) => federation[k] !== client[k]);
  if (differ.length === 0) return null;
  return `this federation embeds profiles with ${describeEncoder(federation)}; the client used ${describeEncoder(client)} (${differ.join(", ")} differ${differ.length === 1 ? "s" : ""}): embed the profile again with the federation's encoder`;
}
