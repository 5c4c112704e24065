/**
 * Fresh training negatives, resampled every round (algorithm.md, "Client u"): `perPositive`
 * uniformly drawn items outside `excluded`, for each training positive. Draws are with
 * replacement across positives, as in the reference implementations. Which items are excluded is
 * the caller's protocol choice (config `negativeExclusion`): the training positives only, or every
 * interaction including the held-out ones.
 */
import type { Rng } from "../random/rng.ts";

export interface TrainingSamples {
  readonly items: Int32Array;
  /** 1 for a positive, 0 for a negative. */
  readonly labels: Float32Array;
}

export function buildTrainingSamples(
  positives: Int32Array,
  excluded: Uint8Array,
  perPositive: number,
  rng: Rng,
): TrainingSamples {
  let unseen = 0;
  for (let i = 0; i < excluded.length; i++) if (!excluded[i]) unseen++;
  const negativesEach = unseen > 0 ? perPositive : 0;
  const total = positives.length * (1 + negativesEach);
  const items = new Int32Array(total);
  const labels = new Float32Array(total);
  let n = 0;
  for (const positive of positives) {
    items[n] = positive;
    labels[n++] = 1;
    for (let k = 0; k < negativesEach; k++) {
      let item = rng.int(excluded.length);
      while (excluded[item]) item = rng.int(excluded.length);
      items[n] = item;
      labels[n++] = 0;
    }
  }
  return { items, labels };
}
