/**
 * The field's evaluation split (algorithm.md, "Evaluation protocol"): every interaction is an
 * implicit positive; per user, sort by timestamp — ties keep the source row order, so the later
 * row counts as later — the latest goes to test, the second latest to validation, the rest to
 * training. A user needs ≥ 2 interactions for a test item and ≥ 3 for a validation item, so that
 * at least one stays for training; users with fewer keep everything for training.
 *
 * Held-out items are ranked against negatives sampled once, from items the user never interacted
 * with, disjoint between validation and test.
 */
import type { Dataset, Interaction } from "../data/dataset.ts";
import type { Rng } from "../random/rng.ts";

export interface HeldOutItem {
  readonly item: number;
  /** Sampled once; never interacted with by the user; disjoint from the other held-out list. */
  readonly negatives: Int32Array;
}

export interface ClientSplit {
  /** Training positives, in time order. */
  readonly train: Int32Array;
  readonly validation: HeldOutItem | null;
  readonly test: HeldOutItem | null;
  /** 1 for every item the user interacted with (train, validation or test): never an evaluation negative. */
  readonly interacted: Uint8Array;
  /** 1 for the training positives only: what a client knows at training time. */
  readonly trainItems: Uint8Array;
}

/** Stable time order: by timestamp, ties by source row order. */
export function chronological(interactions: readonly Interaction[]): Interaction[] {
  return interactions
    .map((interaction, row) => ({ interaction, row }))
    .sort((a, b) => a.interaction.timestamp - b.interaction.timestamp || a.row - b.row)
    .map(({ interaction }) => interaction);
}

/**
 * Splits every user. `evalNegatives` per held-out item (99 in the field); when a user has too few
 * never-seen items for two disjoint lists, each list gets half of what there is.
 */
export function leaveOneOutSplit(dataset: Dataset, evalNegatives: number, rng: Rng): ClientSplit[] {
  return dataset.users.map((user, index) => splitUser(user.interactions, dataset.numItems, evalNegatives, rng.fork(index)));
}

/** One client's split (a device splits only its own interactions; `rng` is its own stream). */
export function splitUser(interactions: readonly Interaction[], numItems: number, evalNegatives: number, rng: Rng): ClientSplit {
  const ordered = chronological(interactions).map((x) => x.item);
  const interacted = new Uint8Array(numItems);
  for (const item of ordered) interacted[item] = 1;
  const testItem = ordered.length >= 2 ? ordered.pop()! : null;
  const validationItem = ordered.length >= 2 ? ordered.pop()! : null;
  let unseen = 0;
  for (let i = 0; i < numItems; i++) if (!interacted[i]) unseen++;
  const heldOut = (testItem === null ? 0 : 1) + (validationItem === null ? 0 : 1);
  const perList = Math.min(evalNegatives, heldOut > 0 ? Math.floor(unseen / heldOut) : 0);
  const taken = interacted.slice();
  const pick = (item: number | null): HeldOutItem | null =>
    item === null ? null : { item, negatives: sampleUnseen(taken, perList, rng) };
  // Validation first, so both lists are drawn from the same stream in a fixed order.
  const validation = pick(validationItem);
  const test = pick(testItem);
  const trainItems = new Uint8Array(numItems);
  for (const item of ordered) trainItems[item] = 1;
  return { train: Int32Array.from(ordered), validation, test, interacted, trainItems };
}

/** Draws `count` distinct items with taken[item] = 0 and marks them taken. */
function sampleUnseen(taken: Uint8Array, count: number, rng: Rng): Int32Array {
  const out = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    let item = rng.int(taken.length);
    while (taken[item]) item = rng.int(taken.length);
    taken[item] = 1;
    out[n] = item;
  }
  return out;
}
