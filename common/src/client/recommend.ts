/**
 * A client's own top-k: every catalogue item scored by its local model (private layers + the
 * latest table from the server), items it already rated excluded. Runs on the device only.
 */
import type { ClientModel } from "../model/client-model.ts";
import { itemLogits } from "../model/forward.ts";

export interface Recommendation {
  readonly item: number;
  /** The model's logit (higher = more likely to be liked). */
  readonly score: number;
}

export function recommendTopK(
  model: ClientModel,
  profile: Float32Array,
  exclude: ReadonlySet<number>,
  k: number,
): Recommendation[] {
  const candidates = Int32Array.from({ length: model.dims.numItems }, (_, i) => i).filter((i) => !exclude.has(i));
  const scores = itemLogits(model, profile, candidates);
  return Array.from(candidates, (item, i) => ({ item, score: scores[i]! }))
    .sort((a, b) => b.score - a.score || a.item - b.item)
    .slice(0, k);
}
