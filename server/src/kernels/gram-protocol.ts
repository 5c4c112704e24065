/** What the calling thread of a parallel Gram kernel and its helper threads exchange. */

/** One helper's share: rows [r0, r1) of X·Xᵀ, written into `output` at row r0. */
export interface GramShare {
  /** X, row-major n × dim float32. */
  readonly input: SharedArrayBuffer;
  /** X·Xᵀ, row-major n × n float32. */
  readonly output: SharedArrayBuffer;
  /** Int32 [finished helpers, failed helpers]: the caller waits on index 0. */
  readonly control: SharedArrayBuffer;
  readonly n: number;
  readonly dim: number;
  readonly r0: number;
  readonly r1: number;
}

export const FINISHED = 0;
export const FAILED = 1;
