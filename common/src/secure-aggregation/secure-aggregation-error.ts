/**
 * Why a secure-aggregation message was refused or a round could not finish. A refused message
 * leaves the round's state unchanged; a failed round yields no sum at all — never a wrong one.
 */
export const SECURE_AGGREGATION_FAILURES = [
  "malformed", // not the shape of the phase's message (types, lengths, key sizes)
  "unknown-client", // a sender or recipient outside the round's group or the phase's survivors
  "duplicate", // a second message from the same client in one phase
  "wrong-phase", // a message or step the protocol does not expect now
  "too-few-clients", // fewer clients than the threshold t remain: the round cannot finish
  "decryption-failed", // an encrypted share failed authentication (tampered, misrouted or replayed)
  "reconstruction-failed", // shares reconstructed a secret that does not match its public key or commitment
] as const;

export type SecureAggregationFailure = (typeof SECURE_AGGREGATION_FAILURES)[number];

export class SecureAggregationError extends Error {
  override name = "SecureAggregationError";
  constructor(
    readonly code: SecureAggregationFailure,
    message: string,
  ) {
    super(message);
  }
}
