/**
 * A disk cache of embeddings that wraps any ProfileEncoder and is itself one: each distinct text is
 * embedded once ever (per encoder id), later calls read it back.
 *
 * Layout: one append-only binary file per encoder id, `<dir>/<slug of id>-<sha256(id) prefix>.f32emb`:
 *
 *   header  "FRECEMB1" (8 bytes) | dimension (uint32 LE) | id length n (uint32 LE) | id (n bytes UTF-8)
 *           | zero padding to a multiple of 4 bytes
 *   records sha256(text) (32 bytes) | dimension x float32 LE          (repeated)
 *
 * The file is read once (on the first encode) into a Map; new vectors are appended in one write per
 * encode() call. A record cut short by a crash is dropped on the next load. ~6,000 texts of 384
 * dimensions are ~9.4 MB and load in milliseconds. One writing process per file is assumed; calls
 * within a process are serialised.
 */
import { createHash } from "node:crypto";
import { appendFile, mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProfileEncoder } from "../../../common/src/encoder/text-encoder.ts";

const MAGIC = "FRECEMB1";
const HASH_BYTES = 32;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** `$FEDREC_EMBEDDING_CACHE_DIR`, else `<repo>/.cache/embeddings`. */
export function defaultEmbeddingCacheDir(): string {
  const fromEnv = process.env["FEDREC_EMBEDDING_CACHE_DIR"];
  return resolve(fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(REPO_ROOT, ".cache", "embeddings"));
}

export interface EmbeddingCacheOptions {
  /** Directory of the cache files (default defaultEmbeddingCacheDir()). */
  readonly dir?: string;
}

export interface EmbeddingCacheStats {
  /** Texts answered from the cache (memory or disk). */
  readonly hits: number;
  /** Texts sent to the inner encoder. */
  readonly misses: number;
  /** Vectors currently known. */
  readonly size: number;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** File name for an encoder id: readable slug + a hash so distinct ids never collide. */
export function embeddingCacheFileName(encoderId: string): string {
  const slug = encoderId.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
  return `${slug}-${sha256(encoderId).toString("hex").slice(0, 12)}.f32emb`;
}

function headerBytes(encoderId: string, dimension: number): Buffer {
  const id = Buffer.from(encoderId, "utf8");
  const unpadded = MAGIC.length + 8 + id.length;
  const header = Buffer.alloc(Math.ceil(unpadded / 4) * 4);
  header.write(MAGIC, 0, "latin1");
  header.writeUInt32LE(dimension, 8);
  header.writeUInt32LE(id.length, 12);
  id.copy(header, 16);
  return header;
}

export class EmbeddingCache implements ProfileEncoder {
  readonly id: string;
  readonly dimension: number;
  /** The cache file of this encoder id. */
  readonly file: string;
  private readonly vectors = new Map<string, Float32Array>();
  private loaded = false;
  private queue: Promise<unknown> = Promise.resolve();
  private hits = 0;
  private misses = 0;

  constructor(
    readonly inner: ProfileEncoder,
    options: EmbeddingCacheOptions = {},
  ) {
    this.id = inner.id;
    this.dimension = inner.dimension;
    this.file = join(resolve(options.dir ?? defaultEmbeddingCacheDir()), embeddingCacheFileName(inner.id));
  }

  get stats(): EmbeddingCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.vectors.size };
  }

  /** Embeds `texts`; only texts never seen before (by sha256) reach the inner encoder. Rows are fresh copies. */
  encode(texts: readonly string[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.encodeNow(texts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async encodeNow(texts: readonly string[]): Promise<Float32Array[]> {
    if (!this.loaded) await this.load();
    const keys = texts.map((text) => sha256(text).toString("hex"));
    const missing = new Map<string, string>(); // key -> text, deduplicated
    keys.forEach((key, i) => {
      if (!this.vectors.has(key) && !missing.has(key)) missing.set(key, texts[i]!);
    });
    this.hits += texts.length - missing.size;
    this.misses += missing.size;

    if (missing.size > 0) {
      const missingKeys = [...missing.keys()];
      const fresh = await this.inner.encode([...missing.values()]);
      if (fresh.length !== missingKeys.length) {
        throw new Error(`${this.id}: the inner encoder returned ${fresh.length} rows for ${missingKeys.length} texts`);
      }
      const recordBytes = HASH_BYTES + 4 * this.dimension;
      const records = Buffer.alloc(recordBytes * fresh.length);
      fresh.forEach((vector, i) => {
        if (vector.length !== this.dimension) {
          throw new Error(`${this.id}: the inner encoder returned a row of ${vector.length} values, expected ${this.dimension}`);
        }
        const offset = i * recordBytes;
        Buffer.from(missingKeys[i]!, "hex").copy(records, offset);
        for (let d = 0; d < this.dimension; d++) records.writeFloatLE(vector[d]!, offset + HASH_BYTES + 4 * d);
      });
      await appendFile(this.file, records);
      missingKeys.forEach((key, i) => this.vectors.set(key, Float32Array.from(fresh[i]!)));
    }
    return keys.map((key) => Float32Array.from(this.vectors.get(key)!));
  }

  private async load(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const header = headerBytes(this.id, this.dimension);
    let data: Buffer;
    try {
      data = await readFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await appendFile(this.file, header);
      this.loaded = true;
      return;
    }
    if (data.length < header.length || !data.subarray(0, header.length).equals(header)) {
      throw new Error(
        `${this.file} is not an embedding cache of "${this.id}" with ${this.dimension} dimensions ` +
          "(wrong header). Delete the file to rebuild it.",
      );
    }
    const recordBytes = HASH_BYTES + 4 * this.dimension;
    const count = Math.floor((data.length - header.length) / recordBytes);
    const end = header.length + count * recordBytes;
    if (end !== data.length) {
      // A crash during an append left a partial record: drop it.
      const handle = await open(this.file, "r+");
      try {
        await handle.truncate(end);
      } finally {
        await handle.close();
      }
    }
    // One contiguous Float32Array; each vector is a view of its row.
    const floats = new Float32Array(count * this.dimension);
    for (let i = 0; i < count; i++) {
      const offset = header.length + i * recordBytes;
      const key = data.toString("hex", offset, offset + HASH_BYTES);
      const row = floats.subarray(i * this.dimension, (i + 1) * this.dimension);
      for (let d = 0; d < this.dimension; d++) row[d] = data.readFloatLE(offset + HASH_BYTES + 4 * d);
      this.vectors.set(key, row);
    }
    this.loaded = true;
  }
}

/** Wraps `inner` in a disk cache under `dir` (default `<repo>/.cache/embeddings`). */
export function withEmbeddingCache(inner: ProfileEncoder, options: EmbeddingCacheOptions = {}): EmbeddingCache {
  return new EmbeddingCache(inner, options);
}

/** Deletes the cache file of an encoder id (e.g. after changing the model behind an id). */
export async function clearEmbeddingCache(encoderId: string, dir: string = defaultEmbeddingCacheDir()): Promise<void> {
  await rm(join(resolve(dir), embeddingCacheFileName(encoderId)), { force: true });
}
