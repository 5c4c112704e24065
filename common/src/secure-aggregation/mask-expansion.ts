/**
 * The pseudo-random generator of the masks: a 32-byte seed expanded by the ChaCha20 keystream
 * (@noble/ciphers, nonce 0 — each seed is used for one vector only) into uint32 words, added or
 * subtracted mod 2^32. The words are read in the host's byte order, little-endian on every platform
 * that runs these clients; a big-endian host would not cancel its masks with the others'.
 */
import { chacha20 } from "@noble/ciphers/chacha.js";
import { KEY_BYTES } from "./key-material.ts";

const ZERO_NONCE = new Uint8Array(12);

export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  if (seed.length !== KEY_BYTES) throw new Error(`a mask seed has ${KEY_BYTES} bytes, got ${seed.length}`);
  const bytes = chacha20(seed, ZERO_NONCE, new Uint8Array(length * 4));
  return new Uint32Array(bytes.buffer, bytes.byteOffset, length);
}

/** target += sign·mask (mod 2^32, in place: a Uint32Array stores every sum modulo 2^32). */
export function addMask(target: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  if (mask.length !== target.length) throw new Error(`mask of length ${mask.length} for a vector of ${target.length}`);
  if (sign === 1) for (let k = 0; k < target.length; k++) target[k] += mask[k]!;
  else for (let k = 0; k < target.length; k++) target[k] -= mask[k]!;
}
