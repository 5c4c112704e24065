/**
 * A frozen sentence encoder: profile text in, one fixed-length vector out.
 * Production code uses MiniLM (all-MiniLM-L6-v2, 384 dimensions); unit tests may use a stand-in.
 */
export const POOLINGS = ["mean", "cls"] as const;
export type Pooling = (typeof POOLINGS)[number];

export interface ProfileEncoder {
  /** Identifies model and pooling, e.g. "Xenova/all-MiniLM-L6-v2:mean"; used as a cache key. */
  readonly id: string;
  readonly dimension: number;
  /** Embeds each text; the result has texts.length rows of `dimension` values. */
  encode(texts: readonly string[]): Promise<Float32Array[]>;
}
