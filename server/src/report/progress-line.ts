/**
 * One line of simulator progress: round, a bar, loss, metrics, time split and an ETA. On a TTY the
 * shell rewrites it in place; elsewhere (CI logs) it prints one line per round.
 */
import type { RoundRecord } from "@fedrec/common";

const BAR = 20;

export function progressLine(record: RoundRecord, totalRounds: number, elapsedSeconds: number): string {
  const done = Math.round((record.round / totalRounds) * BAR);
  const bar = "█".repeat(done) + "░".repeat(BAR - done);
  const eta = (elapsedSeconds / record.round) * (totalRounds - record.round);
  const s = record.seconds;
  return (
    `round ${String(record.round).padStart(String(totalRounds).length)}/${totalRounds} ${bar} ` +
    `loss ${record.loss.toFixed(4)} | val HR@10 ${record.val.hr10.toFixed(4)} NDCG@10 ${record.val.ndcg10.toFixed(4)} | ` +
    `test HR@10 ${record.test.hr10.toFixed(4)} NDCG@10 ${record.test.ndcg10.toFixed(4)} | ` +
    (record.dpEpsilon === null ? "" : `ε ${record.dpEpsilon.toFixed(2)} | `) +
    `train ${s.train.toFixed(1)}s agg ${s.aggregate.toFixed(1)}s eval ${s.evaluate.toFixed(1)}s | ETA ${formatDuration(eta)}`
  );
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m > 0 ? `${m}m${String(s).padStart(2, "0")}s` : `${s}s`;
}
