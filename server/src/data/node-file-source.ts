/**
 * FileSource over a directory on disk (Node only). Names are relative to the directory and may not
 * escape it; a missing file is an error naming its full path.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { FileSource } from "@fedrec/common";

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

export function createNodeFileSource(directory: string): FileSource {
  const root = path.resolve(directory);
  const resolve = (name: string): string => {
    const full = path.resolve(root, name);
    const relative = path.relative(root, full);
    if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
      throw new Error(`Dataset file name "${name}" is not inside ${root}`);
    }
    return full;
  };
  return {
    async readFile(name: string): Promise<Uint8Array> {
      const full = resolve(name);
      try {
        const buffer = await readFile(full);
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        if (isNotFound(error)) throw new Error(`Dataset file not found: ${full}`, { cause: error });
        throw error;
      }
    },
    async exists(name: string): Promise<boolean> {
      try {
        return (await stat(resolve(name))).isFile();
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
  };
}
