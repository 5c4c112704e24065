/** What the calling thread of the parallel kernels and its helper threads exchange. */

/** One helper's share of a Gram matrix: rows [r0, r1) of X·Xᵀ, written into `output` at row r0. */
export interface GramShare {
  readonly kind: "gram";
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

/** One helper's share of an approximate graph's re-ranking: rows [r0, r1), written into `output`. */
export interface RerankShare {
  readonly kind: "rerank";
  /** The n vectors, each over shared memory (structured clone passes them as handles). */
  readonly vectors: readonly Float32Array[];
  /** Float64 1/‖u_j‖, n entries. */
  readonly scale: SharedArrayBuffer;
  /** Int32 n × width candidate indices, −1 padded. */
  readonly candidates: SharedArrayBuffer;
  readonly width: number;
  /** Int32 n × size: each row's kept columns. */
  readonly output: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly size: number;
  readonly r0: number;
  readonly r1: number;
}

export const FINISHED = 0;
export const FAILED = 1;
