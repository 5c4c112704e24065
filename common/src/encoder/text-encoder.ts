/**
 * A frozen sentence encoder: profile text in, one fixed-length vector out.
 * Production code uses MiniLM (all-MiniLM-L6-v2, 384 dimensions); unit tests may use a stand-in.
 */
export const POOLINGS = ["mean", "cls"] as const;
export type Pooling = (typeof POOLINGS)[number];

/**
 * How the encoder's weights are stored: fp32, or int8 (weight-only, per channel; fp32 arithmetic;
 * a quarter of the download; cosine > 0.998 with the fp32 embeddings on ML-100K profiles).
 */
export const ENCODER_PRECISIONS = ["fp32", "int8"] as const;
export type EncoderPrecision = (typeof ENCODER_PRECISIONS)[number];

export interface ProfileEncoder {
  /** Identifies model and pooling, e.g. "Xenova/all-MiniLM-L6-v2:mean"; used as a cache key. */
  readonly id: string;
  readonly dimension: number;
  /** Embeds each text; the result has texts.length rows of `dimension` values. */
  encode(texts: readonly string[]): Promise<Float32Array[]>;
}
