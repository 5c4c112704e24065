/**
 * The encrypted pair of Shamir shares client u hands to client v through the server (Bonawitz et
 * al., round ShareKeys): u's shares of its mask secret key s_u and of its self-mask seed b_u, sealed
 * with XChaCha20-Poly1305 (@noble/ciphers) under the key u and v agree on. The associated data
 * binds the session, sender and recipient, so the server can neither alter, reroute nor replay an
 * envelope into another round without the recipient noticing.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { KEY_BYTES, type RandomBytes } from "./key-material.ts";
import { SecureAggregationError } from "./secure-aggregation-error.ts";

/** A share of a 32-byte secret: the secret's length plus the evaluation point (shamir-secret-sharing). */
export const SHARE_BYTES = KEY_BYTES + 1;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
export const ENVELOPE_BYTES = NONCE_BYTES + 2 * SHARE_BYTES + TAG_BYTES;

export interface SharePair {
  /** A share of the sender's mask secret key s_u (revealed only if the sender drops out). */
  readonly maskKeyShare: Uint8Array;
  /** A share of the sender's self-mask seed b_u (revealed only if the sender's input counts). */
  readonly selfMaskShare: Uint8Array;
}

export function sealShares(
  key: Uint8Array,
  session: string,
  from: number,
  to: number,
  shares: SharePair,
  randomBytes: RandomBytes,
): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const sealed = xchacha20poly1305(key, nonce, associatedData(session, from, to)).encrypt(
    concatBytes(shares.maskKeyShare, shares.selfMaskShare),
  );
  return concatBytes(nonce, sealed);
}

export function openShares(key: Uint8Array, session: string, from: number, to: number, envelope: Uint8Array): SharePair {
  if (envelope.length !== ENVELOPE_BYTES) {
    throw new SecureAggregationError(
      "malformed",
      `the envelope from client ${from} has ${envelope.length} bytes, expected ${ENVELOPE_BYTES}`,
    );
  }
  const nonce = envelope.subarray(0, NONCE_BYTES);
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(key, nonce, associatedData(session, from, to)).decrypt(envelope.subarray(NONCE_BYTES));
  } catch {
    throw new SecureAggregationError(
      "decryption-failed",
      `the shares from client ${from} to client ${to} failed authentication (altered, misrouted or from another session)`,
    );
  }
  return { maskKeyShare: plain.slice(0, SHARE_BYTES), selfMaskShare: plain.slice(SHARE_BYTES) };
}

function associatedData(session: string, from: number, to: number): Uint8Array {
  const ids = new Uint8Array(8);
  const view = new DataView(ids.buffer);
  view.setUint32(0, from);
  view.setUint32(4, to);
  return concatBytes(utf8ToBytes(`fedrec-secagg/v1 shares `), ids, utf8ToBytes(session));
}
