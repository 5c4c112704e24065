/**
 * HR@10 / NDCG@10 of one user's held-out item, and their mean over users. Means carry their
 * count so that partial results (clients, shards) combine exactly: a weighted mean by count.
 */
import { hitRatioAt } from "./hit-ratio.ts";
import { ndcgAt } from "./ndcg.ts";
import { rankOfPositive } from "./rank.ts";

export const CUTOFF = 10;

export interface RankingMetrics {
  readonly hr10: number;
  readonly ndcg10: number;
  /** How many held-out items these means are over. */
  readonly count: number;
}

export const NO_METRICS: RankingMetrics = { hr10: 0, ndcg10: 0, count: 0 };

/** Metrics of one held-out item from its score and its negatives' scores. */
export function metricsFromScores(positiveScore: number, negativeScores: ArrayLike<number>): RankingMetrics {
  const rank = rankOfPositive(positiveScore, negativeScores);
  return { hr10: hitRatioAt(rank, CUTOFF), ndcg10: ndcgAt(rank, CUTOFF), count: 1 };
}

/** Count-weighted mean of several partial results. */
export function combineMetrics(parts: Iterable<RankingMetrics>): RankingMetrics {
  let hr = 0;
  let ndcg = 0;
  let count = 0;
  for (const part of parts) {
    hr += part.hr10 * part.count;
    ndcg += part.ndcg10 * part.count;
    count += part.count;
  }
  return count === 0 ? NO_METRICS : { hr10: hr / count, ndcg10: ndcg / count, count };
}
