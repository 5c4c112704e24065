/**
 * Random payloads for the coordinator's fuzz test: garbage of any JSON-ish shape, and the form of a
 * hostile message whose refusal is predicted (hostile-uploads.ts, hostile-requests.ts).
 */
import type { ErrorCode, Rng } from "@fedrec/common";

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** Any JSON-ish value, binary included, nested up to three levels. */
export function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return pick(rng, [0, -1, 1e308, -0, 3.5, Number.MAX_SAFE_INTEGER, 2 ** 31, Number.NaN]);
    case 2:
      return pick(rng, ["", "x", "TEST42", "💥".repeat(50), "a".repeat(5000), "__proto__", "constructor"]);
    case 3:
      return rng.next() < 0.5;
    case 4:
      return new Uint8Array(rng.int(64)).map(() => rng.int(256));
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(6); i > 0; i--)
        o[pick(rng, ["round", "clientId", "rows", "values", "metrics", "protocol", "code", "x"])] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

/** A message broken in one field, and the code the coordinator must refuse it with. */
export interface Expected {
  readonly what: string;
  readonly payload: unknown;
  readonly code: ErrorCode;
}
