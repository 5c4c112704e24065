/** One line per completed live round, for the coordinator's console. */
import type { RoundSummary } from "@fedrec/common";

export function roundSummaryLine(code: string, s: RoundSummary, totalRounds: number): string {
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  return (
    `[${code}] round ${s.round}/${totalRounds} · ${s.aggregated}/${s.sampled} clients · ` +
    `loss ${s.loss === null ? "–" : s.loss.toFixed(4)} · val HR@10 ${s.metrics.val.hr10.toFixed(4)} NDCG@10 ${s.metrics.val.ndcg10.toFixed(4)} · ` +
    `test HR@10 ${s.metrics.test.hr10.toFixed(4)} · best round ${s.bestRound ?? "–"} · ${s.seconds.total.toFixed(1)} s (aggregate ${s.seconds.aggregate.toFixed(1)} s) · ` +
    `in ${mb(s.bytes.in)} MB out ${mb(s.bytes.out)} MB${rejected > 0 ? ` · ${rejected} rejected` : ""}` +
    (s.dpEpsilon === null ? "" : ` · ε ${s.dpEpsilon.toFixed(2)} spent`)
  );
}
