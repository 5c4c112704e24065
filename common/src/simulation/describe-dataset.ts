/** The dataset facts a result carries, including the HR@10 a random ranking would get. */
import type { Dataset } from "../data/dataset.ts";
import type { DatasetInfo } from "./simulation-result.ts";

/**
 * randomHr10 = mean over tested users of min(1, 10 / (negatives + 1)), with the negative count the
 * split gives (min(evalNegatives, ⌊unseen / held-out items⌋), see split/leave-one-out.ts).
 */
export function describeDataset(dataset: Dataset, evalNegatives: number): DatasetInfo {
  let interactions = 0;
  let randomHits = 0;
  let tested = 0;
  for (const user of dataset.users) {
    const n = user.interactions.length;
    interactions += n;
    if (n < 2) continue;
    const distinct = new Set(user.interactions.map((x) => x.item)).size;
    const heldOut = n >= 3 ? 2 : 1;
    const negatives = Math.min(evalNegatives, Math.floor((dataset.numItems - distinct) / heldOut));
    randomHits += Math.min(1, 10 / (negatives + 1));
    tested++;
  }
  return {
    name: dataset.name,
    users: dataset.users.length,
    items: dataset.numItems,
    interactions,
    randomHr10: tested > 0 ? randomHits / tested : 0,
  };
}
