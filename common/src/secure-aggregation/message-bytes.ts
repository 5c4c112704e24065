/**
 * The size of a message in a compact binary encoding: binary fields at their byte length, numbers
 * (client ids, thresholds) at 4 bytes, strings at their UTF-8 length; no framing. What the
 * benchmarks compare between plain and secure uploads.
 */
import { utf8ToBytes } from "@noble/hashes/utils.js";

export function messageBytes(value: unknown): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (typeof value === "number") return 4;
  if (typeof value === "string") return utf8ToBytes(value).length;
  if (Array.isArray(value)) return value.reduce((total: number, item) => total + messageBytes(item), 0);
  if (typeof value === "object" && value !== null) return Object.values(value).reduce((t: number, v) => t + messageBytes(v), 0);
  return 0;
}
