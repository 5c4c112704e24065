/** Node's crypto behind the federation's Credentials: random URL-safe tokens, SHA-256 digests, constant-time checks. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Credentials } from "@fedrec/common";

export function randomToken(bytes = 18): string {
  return randomBytes(bytes).toString("base64url");
}

/** A short join code people can read aloud and type (no 0/O, 1/I). */
export function randomJoinCode(length = 6): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

function digestOf(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function sameToken(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export const nodeCredentials: Credentials = {
  issue() {
    const secret = randomToken(24);
    return { secret, digest: digestOf(secret) };
  },
  matches: (secret, digest) => sameToken(digestOf(secret), digest),
  sameToken,
};
