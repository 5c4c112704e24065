/** The dashboard's round history as a CSV file: one row per round, the columns of the charts. */
import type { RoundSummary } from "@fedrec/common";

const HEADER = "round,sampled,aggregated,loss,val_hr10,val_ndcg10,test_hr10,test_ndcg10,bytes_in,bytes_out,seconds,dp_epsilon";

/** CSV text of `history` (a header line, then one line per round; a null loss or ε is an empty cell). */
export function roundsCsv(history: readonly RoundSummary[]): string {
  const rows = history.map((h) =>
    [
      h.round,
      h.sampled,
      h.aggregated,
      h.loss ?? "",
      h.metrics.val.hr10,
      h.metrics.val.ndcg10,
      h.metrics.test.hr10,
      h.metrics.test.ndcg10,
      h.bytes.in,
      h.bytes.out,
      h.seconds.total,
      h.dpEpsilon ?? "",
    ].join(","),
  );
  return [HEADER, ...rows].join("\n") + "\n";
}
