/**
 * Client sampling for a round (Flower's `fraction_train` / `min_train_clients`): a uniformly
 * random subset of max(minClients, ⌊fraction · available⌋) clients, capped at what is available,
 * returned in ascending order. With client-level DP on, rounds use poissonParticipants instead.
 */
import type { RandomSource, Rng } from "../random/rng.ts";

export function sampleParticipants(available: readonly number[], fraction: number, minClients: number, rng: Rng): number[] {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction must be in (0, 1], got ${fraction}`);
  const wanted = Math.min(available.length, Math.max(minClients, Math.floor(fraction * available.length)));
  if (wanted === available.length) return [...available].sort((a, b) => a - b);
  const pool = [...available];
  for (let i = 0; i < wanted; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, wanted).sort((a, b) => a - b);
}

/**
 * Poisson sampling, the DP accountant's assumption (rdp-accountant.ts): each available client
 * takes part independently with probability `rate`, so a round may have any size, none included.
 * Ascending order.
 */
export function poissonParticipants(available: readonly number[], rate: number, random: RandomSource): number[] {
  if (!(rate > 0 && rate <= 1)) throw new Error(`sampling rate must be in (0, 1], got ${rate}`);
  return available.filter(() => random.next() < rate).sort((a, b) => a - b);
}
