/** The load generator's report as Markdown lines. */
import type { LoadReport } from "./run-load.ts";

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const listing = (counts: Readonly<Record<string, number>>): string =>
  Object.keys(counts).length === 0
    ? "none"
    : Object.entries(counts)
        .map(([k, n]) => `${k} × ${n}`)
        .join(", ");

export function formatLoadReport(r: LoadReport): string {
  const times = r.rounds.map((s) => s.seconds.total);
  const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  const aggregate = mean(r.rounds.map((s) => s.seconds.aggregate));
  const bytesIn = r.rounds.reduce((a, s) => a + s.bytes.in, 0);
  const bytesOut = r.rounds.reduce((a, s) => a + s.bytes.out, 0);
  const servers = r.gateways === 0 ? "coordinator" : `${r.gateways} gateways' (added up)`;
  const failover = r.failover && [
    `failover: the leader was killed in round ${r.failover.round} after ${r.failover.uploadsBefore} accepted uploads; ` +
      (r.failover.secondsToRoundEnd === null
        ? "the round did not end within the time limit"
        : `the round ended ${r.failover.secondsToRoundEnd.toFixed(1)} s later`) +
      `; clients that joined again: ${r.fleet.rejoined}`,
  ];
  return [
    `clients ${r.clients}, fractionTrain ${r.fractionTrain}${r.gateways === 0 ? "" : `, ${r.gateways} gateways on Redis`}: ` +
      `${r.fleet.joined} joined in ${r.connectSeconds.toFixed(1)} s`,
    `rounds completed ${r.rounds.length}${r.timedOut ? " (the time limit ended the run)" : ""}: ` +
      `${mean(times).toFixed(1)} s per round (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}), aggregation ${aggregate.toFixed(2)} s`,
    `uploads accepted ${r.fleet.uploadsAccepted}; ` +
      (r.gateways === 0 ? `coordinator bytes in ${mb(bytesIn)}, out ${mb(bytesOut)} over the rounds; ` : "") +
      `clients' payloads received ${mb(r.fleet.bytesReceived)} (tables), sent ${mb(r.fleet.bytesSent)} (uploads)`,
    `${servers} peak RSS ${mb(r.peakRssBytes)}, CPU ${(r.cpuCores * 100).toFixed(0)} % of one core over the rounds`,
    `connected at the end ${r.connectedAtEnd}; dropped: ${listing(r.fleet.dropped)}; connection attempts retried: ${listing(r.fleet.connectFailures)}`,
    `rejected (clients' view): ${listing(r.fleet.rejected)}; rejected (coordinator's count): ${listing(r.coordinatorRejected)}`,
    ...(failover ?? []),
    `longest event-loop stall per phase (${r.gateways === 0 ? "coordinator" : "any gateway"} / generator; highest 1-min load average):`,
    ...r.stalls.map(
      (s) => `  ${s.phase}: ${s.coordinatorMs.toFixed(0)} ms / ${s.generatorMs.toFixed(0)} ms; load ${s.loadAverage.toFixed(1)}`,
    ),
  ].join("\n");
}
