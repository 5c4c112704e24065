/**
 * EASE's λ chosen on validation: fit on the training matrix for every λ of the grid, keep the one
 * with the highest validation HR@10 (ties: higher NDCG@10, then the earlier grid entry). The test
 * lists are never looked at while choosing.
 */
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { ClientSplit } from "../split/leave-one-out.ts";
import { easeScorer, easeWeights } from "./ease.ts";
import { evaluateScorerOn, type ItemScorer } from "./evaluate-scorer.ts";
import { coOccurrence, type BinaryMatrix } from "./interaction-matrix.ts";

/** The default grid (λ in users; Steck reports 200–1000 for MovieLens-sized catalogues). */
export const EASE_LAMBDA_GRID: readonly number[] = [50, 100, 200, 500, 1000, 2000];

export interface LambdaTrial {
  readonly lambda: number;
  readonly val: RankingMetrics;
}

export interface EaseSelection {
  readonly lambda: number;
  /** EASE with the chosen λ, fitted on `matrix`. */
  readonly scorer: ItemScorer;
  readonly trials: readonly LambdaTrial[];
}

export function selectEaseLambda(
  matrix: BinaryMatrix,
  splits: readonly ClientSplit[],
  grid: readonly number[] = EASE_LAMBDA_GRID,
): EaseSelection {
  if (grid.length === 0) throw new RangeError("EASE: the λ grid is empty");
  const gram = coOccurrence(matrix);
  const trials: LambdaTrial[] = [];
  let best: { lambda: number; val: RankingMetrics; scorer: ItemScorer } | null = null;
  for (const lambda of grid) {
    const scorer = easeScorer(matrix, easeWeights(gram, matrix.numItems, lambda));
    const val = evaluateScorerOn(splits, scorer, "validation");
    trials.push({ lambda, val });
    const better = best === null || val.hr10 > best.val.hr10 || (val.hr10 === best.val.hr10 && val.ndcg10 > best.val.ndcg10);
    if (better) best = { lambda, val, scorer };
  }
  return { lambda: best!.lambda, scorer: best!.scorer, trials };
}
