/**
 * The keys of one secure-aggregation session (Bonawitz et al., CCS 2017, §4): x25519 key pairs,
 * their Diffie–Hellman agreement, and HKDF-SHA256 to turn an agreed secret into a key for one
 * purpose bound to one session, so a key never serves two purposes or two rounds. Pure JS
 * (@noble/curves, @noble/hashes): it works in a browser without WebCrypto (plain-HTTP LANs).
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { SecureAggregationError } from "./secure-aggregation-error.ts";

/** Cryptographically secure random bytes from the host (crypto.getRandomValues in shells). */
export type RandomBytes = (length: number) => Uint8Array;

export const KEY_BYTES = 32;

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateKeyPair(randomBytes: RandomBytes): KeyPair {
  const secretKey = randomBytes(KEY_BYTES);
  if (secretKey.length !== KEY_BYTES) throw new Error(`randomBytes returned ${secretKey.length} bytes, asked for ${KEY_BYTES}`);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

export type KeyPurpose = "share-encryption" | "pairwise-mask";

/**
 * HKDF(x25519(secretKey, publicKey)) for `purpose` in `session`. Both ends of a pair derive the
 * same key. A peer key of small order (an all-zero agreement) is refused.
 */
export function agreedKey(secretKey: Uint8Array, publicKey: Uint8Array, purpose: KeyPurpose, session: string): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, publicKey);
  } catch (error) {
    throw new SecureAggregationError("malformed", `key agreement failed: ${(error as Error).message}`);
  }
  const info = concatBytes(utf8ToBytes(`fedrec-secagg/v1 ${purpose} `), utf8ToBytes(session));
  return hkdf(sha256, shared, undefined, info, KEY_BYTES);
}

/** The binding commitment SHA-256(secret) to a high-entropy secret (the self-mask seed). */
export function commitment(secret: Uint8Array): Uint8Array {
  return sha256(secret);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
