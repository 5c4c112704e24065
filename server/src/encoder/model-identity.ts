/**
 * The identity of the MiniLM encoder on this machine: model id, the pooling asked for, its width,
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
  MINILM_MODEL_FILES,
  MINILM_MODEL_ID,
  modelFilesChecksum,
  type EncoderIdentity,
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

/** The checksum of the MiniLM files under `modelDir` (cached per directory). */
export function miniLmChecksum(modelDir: string = defaultModelDir()): Promise<string> {
  const modelPath = miniLmModelPath(modelDir);
  let checksum = checksums.get(modelPath);
  if (!checksum) {
    checksum = (async () => {
      assertMiniLmModelPresent(modelDir);
      const digests: Record<string, string> = {};
      for (const file of MINILM_MODEL_FILES) digests[file] = await sha256OfFile(join(modelPath, file));
      return modelFilesChecksum(digests);
    })();
    checksums.set(modelPath, checksum);
    checksum.catch(() => checksums.delete(modelPath)); // missing files: try again next time
  }
  return checksum;
}

export async function miniLmIdentity(pooling: Pooling, modelDir: string = defaultModelDir()): Promise<EncoderIdentity> {
  return { model: MINILM_MODEL_ID, pooling, dimension: MINILM_DIMENSION, checksum: await miniLmChecksum(modelDir) };
}
