/**
 * A completed round as the clients and the dashboard see it (RoundSummary): counts, the mean local
 * loss of the aggregated clients (summed in slot order; clients that trained nothing report null
 * and are left out), the combined metrics, traffic, timing, the best round so far and, under
 * client-level DP, the ε spent up to this round; under secure aggregation, how its sessions went.
 */
import type { RoundSummary, SecureAggregationReport } from "../protocol/messages.ts";
import type { OpenRound } from "./open-round.ts";
import type { ParticipantUpload, RoundEvaluation } from "./round-strategy.ts";

export interface RoundTiming {
  /** Unix ms when the aggregation started and when the round was complete. */
  readonly aggregationStarted: number;
  readonly ended: number;
}

export function summariseRound(
  open: OpenRound,
  uploads: readonly ParticipantUpload[],
  evaluation: RoundEvaluation,
  timing: RoundTiming,
  bestSoFar: number | null,
  dpEpsilon: number | null,
  secureAggregation: SecureAggregationReport | null = null,
): RoundSummary {
  const losses = uploads.map((u) => u.upload.loss).filter((l): l is number => l !== null);
  return {
    round: open.round,
    sampled: open.participants.size,
    aggregated: uploads.length,
    loss: losses.length > 0 ? losses.reduce((a, b) => a + b, 0) / losses.length : null,
    metrics: evaluation.metrics,
    bytes: { ...open.bytes },
    seconds: { total: (timing.ended - open.openedAt) / 1000, aggregate: (timing.ended - timing.aggregationStarted) / 1000 },
    rejected: { ...open.rejected },
    bestRound: evaluation.best?.round ?? bestSoFar,
    dpEpsilon,
    secureAggregation,
  };
}
