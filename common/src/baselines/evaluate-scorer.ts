/**
 * Evaluates any centralised scorer under the federation's protocol (algorithm.md, "Evaluation
 * protocol"): per user, the held-out item is ranked against its sampled negatives with
 * metricsFromScores (ties count against the positive), and users are combined with
 * combineMetrics, the count-weighted mean the federation's aggregateEvaluate uses. A user without
 * a validation (test) item contributes NO_METRICS (count 0) to validation (test), as on a client.
 */
import { combineMetrics, metricsFromScores, NO_METRICS, type RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { ClientSplit, HeldOutItem } from "../split/leave-one-out.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";

/** Scores of every item (index = item) for one user; higher ranks first. */
export type ItemScorer = (user: number) => ArrayLike<number>;

/** One user's metrics on one held-out list, from the scores of all items. */
export function heldOutMetrics(scores: ArrayLike<number>, heldOut: HeldOutItem | null): RankingMetrics {
  if (heldOut === null) return NO_METRICS;
  const negatives = new Float64Array(heldOut.negatives.length);
  heldOut.negatives.forEach((item, n) => (negatives[n] = scores[item]!));
  return metricsFromScores(scores[heldOut.item]!, negatives);
}

/** Mean metrics over users on the validation or the test lists. */
export function evaluateScorerOn(
  splits: readonly ClientSplit[],
  scorer: ItemScorer,
  which: "validation" | "test",
): RankingMetrics {
  const parts: RankingMetrics[] = [];
  splits.forEach((split, user) => {
    const heldOut = split[which];
    if (heldOut !== null) parts.push(heldOutMetrics(scorer(user), heldOut));
  });
  return combineMetrics(parts);
}

/** Validation and test metrics of one scorer (each user is scored once). */
export function evaluateScorer(splits: readonly ClientSplit[], scorer: ItemScorer): LocalEvaluation {
  const val: RankingMetrics[] = [];
  const test: RankingMetrics[] = [];
  splits.forEach((split, user) => {
    if (split.validation === null && split.test === null) return;
    const scores = scorer(user);
    val.push(heldOutMetrics(scores, split.validation));
    test.push(heldOutMetrics(scores, split.test));
  });
  return { val: combineMetrics(val), test: combineMetrics(test) };
}
