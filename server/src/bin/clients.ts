/**
 * Entry point of `npm run clients`: dataset users as headless clients of a running coordinator,
 * with a live progress line (one line per second when stdout is not a terminal).
 */
import { CLIENTS_USAGE, parseClientsArgs } from "../cli/clients-args.ts";
import { runCommand } from "../cli/command-line.ts";
import { prepareClients } from "../cli/run-clients.ts";
import type { FleetProgress } from "../headless/headless-fleet.ts";

function progressText(p: FleetProgress): string {
  const phases = Object.entries(p.phases)
    .map(([phase, n]) => `${phase} ${n}`)
    .join(", ");
  const last = p.lastRound;
  const metrics = last
    ? ` · round ${last.round}: val HR@10 ${last.metrics.val.hr10.toFixed(4)} NDCG@10 ${last.metrics.val.ndcg10.toFixed(4)}`
    : "";
  return `${p.clients} clients (${phases}) · ${p.uploads} uploads, ${(p.uploadedBytes / 1e6).toFixed(1)} MB${metrics}`;
}

await runCommand("clients", CLIENTS_USAGE, parseClientsArgs, async (options) => {
  const { fleet, users } = await prepareClients(
    options,
    (line) => console.log(line),
    (line) => console.error(line),
  );
  const count = users.length;
  const live = process.stdout.isTTY === true;
  const timer = setInterval(() => {
    const progress = fleet.progress();
    const line = progressText(progress);
    if (live) process.stdout.write(`\r\x1b[2K${line}`);
    else console.log(line);
    if (progress.phases.finished === count || progress.phases.failed === count) {
      clearInterval(timer);
      fleet.close();
      if (live) process.stdout.write("\n");
    }
  }, 1000);
  const stop = () => {
    clearInterval(timer);
    fleet.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await fleet.connect();
});
