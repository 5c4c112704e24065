/**
 * A client ranks its own held-out items with its locally trained model (the field's protocol:
 * each user's model, including its item table after local training) and reports only metrics.
 */
import type { ClientModel } from "../model/client-model.ts";
import { itemLogits } from "../model/forward.ts";
import { metricsFromScores, NO_METRICS, type RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { HeldOutItem } from "../split/leave-one-out.ts";

export interface LocalEvaluation {
  readonly val: RankingMetrics;
  readonly test: RankingMetrics;
}

export function evaluateHeldOut(model: ClientModel, profile: Float32Array, heldOut: HeldOutItem | null): RankingMetrics {
  if (heldOut === null) return NO_METRICS;
  const candidates = new Int32Array(heldOut.negatives.length + 1);
  candidates[0] = heldOut.item;
  candidates.set(heldOut.negatives, 1);
  const scores = itemLogits(model, profile, candidates);
  return metricsFromScores(scores[0]!, scores.subarray(1));
}

export function evaluateLocally(
  model: ClientModel,
  profile: Float32Array,
  split: { readonly validation: HeldOutItem | null; readonly test: HeldOutItem | null },
): LocalEvaluation {
  return { val: evaluateHeldOut(model, profile, split.validation), test: evaluateHeldOut(model, profile, split.test) };
}
