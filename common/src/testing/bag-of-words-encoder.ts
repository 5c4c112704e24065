/**
 * Test-only stand-in for MiniLM: a hashed bag of words, L2-normalised. Texts sharing words get
 * similar vectors, which is all the core's unit tests need. Never used by the simulator,
 * benchmarks or clients (they use MiniLM).
 */
import { encodeUtf8 } from "../data/text-decoding.ts";
import { modelFilesChecksum, type EncoderIdentity } from "../encoder/encoder-identity.ts";
import { sha256Hex } from "../encoder/sha256.ts";
import type { EncoderPrecision, Pooling, ProfileEncoder } from "../encoder/text-encoder.ts";

function hash(word: string): number {
  let h = 2166136261;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function bagOfWordsEncoder(dimension = 64): ProfileEncoder {
  const embed = (text: string): Float32Array => {
    const v = new Float32Array(dimension);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      const h = hash(word);
      v[h % dimension] += h & 1 ? 1 : -1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };
  return { id: `bag-of-words:${dimension}`, dimension, encode: async (texts) => texts.map(embed) };
}

/**
 * The identity tests give the bag-of-words stand-in (a fixed checksum per width), so clients and
 * coordinators in tests name their encoder as MiniLM's do.
 */
export function bagOfWordsIdentity(
  dimension = 64,
  pooling: Pooling = "mean",
  precision: EncoderPrecision = "int8",
): EncoderIdentity {
  return {
    model: "test/bag-of-words",
    pooling,
    precision,
    dimension,
    checksum: modelFilesChecksum({ "bag-of-words.txt": sha256Hex(encodeUtf8(`bag-of-words:${dimension}`)) }),
  };
}
