/**
 * The one error type every dataset loader throws for malformed input. It names the file and the
 * 1-based line so a user can open the file and fix it, e.g. `u.data line 17: rating "x" is not a number`.
 */
export class DatasetParseError extends Error {
  override readonly name = "DatasetParseError";

  constructor(
    /** The file name as given to the FileSource. */
    readonly file: string,
    /** 1-based line number (for a multi-line CSV record: the line it starts on). */
    readonly line: number,
    /** What is wrong, without the file/line prefix. */
    readonly problem: string,
  ) {
    super(`${file} line ${line}: ${problem}`);
  }
}
