/**
 * The identity of the MiniLM encoder on this machine: model id, the pooling and weight precision asked for, its width,
 * and the checksum of its model files (common/src/encoder/encoder-identity.ts), computed from the
 * files themselves with node:crypto — 90 MB in about half a second, once per process and model
 * directory. The coordinator publishes it in a federation's catalogue; headless clients send it
 * at join.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import {
  MINILM_DIMENSION,
  MINILM_MODEL_ID,
  MINILM_VARIANTS,
  modelFilesChecksum,
  type EncoderIdentity,
  type EncoderPrecision,
  type Pooling,
} from "@fedrec/common";
import { assertMiniLmModelPresent, defaultModelDir, miniLmModelPath } from "./minilm-encoder.ts";

const checksums = new Map<string, Promise<string>>();

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** The checksum of the MiniLM files of one precision under `modelDir` (cached per directory and precision). */
export function miniLmChecksum(precision: EncoderPrecision, modelDir: string = defaultModelDir()): Promise<string> {
  const modelPath = miniLmModelPath(modelDir);
  const key = `${modelPath}:${precision}`;
  let checksum = checksums.get(key);
  if (!checksum) {
    checksum = (async () => {
      assertMiniLmModelPresent(modelDir, precision);
      const digests: Record<string, string> = {};
      for (const file of MINILM_VARIANTS[precision].files) digests[file] = await sha256OfFile(join(modelPath, file));
      return modelFilesChecksum(digests);
    })();
    checksums.set(key, checksum);
    checksum.catch(() => checksums.delete(key)); // missing files: try again next time
  }
  return checksum;
}

export async function miniLmIdentity(
  pooling: Pooling,
  precision: EncoderPrecision,
  modelDir: string = defaultModelDir(),
): Promise<EncoderIdentity> {
  const checksum = await miniLmChecksum(precision, modelDir);
  return { model: MINILM_MODEL_ID, pooling, precision, dimension: MINILM_DIMENSION, checksum };
}
