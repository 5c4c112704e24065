/**
 * A cold user for measurements: the same split (held-out items and their negatives unchanged)
 * with the training history cut to its `keep` most recent positives — what a person who has just
 * joined and rated a few items knows. `interacted` stays whole, so evaluation negatives are the
 * same as the full user's.
 */
import type { ClientSplit } from "./leave-one-out.ts";

export function cutTrainingHistory(split: ClientSplit, keep: number): ClientSplit {
  if (!Number.isInteger(keep) || keep < 0) throw new Error(`keep must be an integer ≥ 0, got ${keep}`);
  const train = split.train.slice(Math.max(0, split.train.length - keep));
  const trainItems = new Uint8Array(split.trainItems.length);
  for (const item of train) trainItems[item] = 1;
  return { ...split, train, trainItems };
}
