/**
 * Popularity baseline: score(u, i) = Σ_v X[v][i], the number of users with item i among their
 * training positives — the same ranking for every user. Fitted on the training matrix only, so
 * validation and test items never count.
 */
import { itemCounts, type BinaryMatrix } from "./interaction-matrix.ts";
import type { ItemScorer } from "./evaluate-scorer.ts";

export function fitPopularity(matrix: BinaryMatrix): ItemScorer {
  const counts = itemCounts(matrix);
  return () => counts;
}
