/**
 * Loaders read bytes through this interface so the same parsing runs in Node (fs), in the
 * browser (fetch / File) and in tests (in-memory fixtures).
 */
export interface FileSource {
  /** The bytes of the named file, or a rejected promise naming the missing file. */
  readFile(name: string): Promise<Uint8Array>;
  /** Whether the named file exists (for optional files such as a profile CSV). */
  exists(name: string): Promise<boolean>;
}
