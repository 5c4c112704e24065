/**
 * A FileSource over in-memory contents: test fixtures, and files the browser already holds
 * (e.g. from an <input type="file">). Strings are stored as UTF-8; pass bytes for other encodings.
 */
import type { FileSource } from "./file-source.ts";
import { encodeUtf8 } from "./text-decoding.ts";

export type MemoryFiles = Readonly<Record<string, string | Uint8Array>>;

export function createMemoryFileSource(files: MemoryFiles): FileSource {
  const stored = new Map<string, Uint8Array>();
  for (const [name, content] of Object.entries(files)) {
    stored.set(name, typeof content === "string" ? encodeUtf8(content) : content);
  }
  return {
    async readFile(name: string): Promise<Uint8Array> {
      const bytes = stored.get(name);
      if (bytes === undefined) throw new Error(`Dataset file not found: ${name} (in-memory source)`);
      return bytes;
    },
    async exists(name: string): Promise<boolean> {
      return stored.has(name);
    },
  };
}
