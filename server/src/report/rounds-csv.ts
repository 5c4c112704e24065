/** The per-round records of a result as CSV (one row per round, stable column order; dp_epsilon empty when DP is off). */
import type { RoundRecord } from "@fedrec/common";

export const ROUNDS_CSV_COLUMNS = [
  "round",
  "loss",
  "participants",
  "seconds_train",
  "seconds_aggregate",
  "seconds_evaluate",
  "val_hr10",
  "val_ndcg10",
  "test_hr10",
  "test_ndcg10",
  "dp_epsilon",
] as const;

export function roundsCsv(rounds: readonly RoundRecord[]): string {
  const rows = rounds.map((r) =>
    [
      r.round,
      r.loss,
      r.participants,
      r.seconds.train,
      r.seconds.aggregate,
      r.seconds.evaluate,
      r.val.hr10,
      r.val.ndcg10,
      r.test.hr10,
      r.test.ndcg10,
      r.dpEpsilon ?? "",
    ].join(","),
  );
  return [ROUNDS_CSV_COLUMNS.join(","), ...rows].join("\n") + "\n";
}
