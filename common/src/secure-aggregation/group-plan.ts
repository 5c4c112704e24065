/**
 * How a round's participants are split for secure aggregation, and the threshold t of each group.
 * Shamir sharing over GF(2^8) (shamir-secret-sharing) allows at most 255 shares, and each client's
 * work grows with its group (one key agreement and one mask expansion per peer), so a round of n
 * participants runs ⌈n / groupSize⌉ independent sessions of near-equal size; the server learns
 * each group's sum, never a single client's input.
 *
 * t = ⌊2g/3⌋ + 1 for a group of g (Bonawitz et al.'s choice against an active server): the sum is
 * recovered while at most g − t members drop out, and any t − 1 members together with the server
 * learn nothing; t > g/2 also means no two disjoint halves can both reach t.
 */
import { SecureAggregationError } from "./secure-aggregation-error.ts";

/** The smallest group a session runs with (t = 3: no dropout tolerated, but no input alone). */
export const MIN_GROUP_SIZE = 3;
/**
 * Bounds of the configured group size. At least 2·MIN_GROUP_SIZE, so that splitting n > groupSize
 * participants into ⌈n / groupSize⌉ near-equal groups never leaves one below MIN_GROUP_SIZE
 * (each has more than groupSize / 2 members).
 */
export const MIN_CONFIGURED_GROUP_SIZE = 2 * MIN_GROUP_SIZE;
export const MAX_GROUP_SIZE = 255;

export function thresholdFor(groupSize: number): number {
  return Math.floor((2 * groupSize) / 3) + 1;
}

/** The participants in consecutive groups of near-equal size, none above `groupSize`. */
export function secureAggregationGroups(participants: readonly number[], groupSize: number): number[][] {
  if (!Number.isInteger(groupSize) || groupSize < MIN_CONFIGURED_GROUP_SIZE || groupSize > MAX_GROUP_SIZE) {
    throw new Error(`the group size must be an integer in [${MIN_CONFIGURED_GROUP_SIZE}, ${MAX_GROUP_SIZE}], got ${groupSize}`);
  }
  const n = participants.length;
  if (n < MIN_GROUP_SIZE) {
    throw new SecureAggregationError(
      "too-few-clients",
      `secure aggregation needs at least ${MIN_GROUP_SIZE} participants in a round, got ${n}`,
    );
  }
  const count = Math.ceil(n / groupSize);
  const groups: number[][] = [];
  for (let g = 0, start = 0; g < count; g++) {
    const size = Math.floor(n / count) + (g < n % count ? 1 : 0);
    groups.push(participants.slice(start, start + size));
    start += size;
  }
  return groups;
}

/** Checks that `ids` name members of `allowed`, each at most once. */
export function requireSubset(ids: readonly number[], allowed: ReadonlySet<number>, what: string): void {
  const seen = new Set<number>();
  for (const id of ids) {
    if (!allowed.has(id)) throw new SecureAggregationError("unknown-client", `${what} names client ${id}, not expected here`);
    if (seen.has(id)) throw new SecureAggregationError("duplicate", `${what} names client ${id} twice`);
    seen.add(id);
  }
}

/** Checks that `ids` name every member of `expected` exactly once and nothing else. */
export function requireExactly(ids: readonly number[], expected: ReadonlySet<number>, what: string): void {
  requireSubset(ids, expected, what);
  if (ids.length !== expected.size) {
    const named = new Set(ids);
    const missing = [...expected].filter((id) => !named.has(id));
    throw new SecureAggregationError("malformed", `${what} lacks client(s) ${missing.join(", ")}`);
  }
}
