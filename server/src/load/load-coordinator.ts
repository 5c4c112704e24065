/**
 * The coordinator process of `npm run load`: a Coordinator on loopback with an in-memory
 * database, aggregating in worker threads, driven over the IPC channel (start, stats) and
 * reporting each completed round. Its own process, so its RSS and CPU are its own.
 */
import { availableParallelism } from "node:os";
import { Coordinator } from "../coordinator/coordinator.ts";
import { createWorkerAggregator } from "../aggregation/worker-aggregator.ts";
import { loadEncoderIdentity } from "./load-identity.ts";
import { LoopStallMeter } from "./loop-stall-meter.ts";
import type { FromCoordinator, LoadFederation, ToCoordinator } from "./load-protocol.ts";

const send = (message: FromCoordinator): void => void process.send!(message);
let coordinator: Coordinator | null = null;
const stalls = new LoopStallMeter();

async function start(federation: LoadFederation, host: string): Promise<void> {
  const aggregator = await createWorkerAggregator(availableParallelism());
  coordinator = await Coordinator.start({
    port: 0,
    host,
    database: ":memory:",
    aggregator: aggregator.aggregate,
    log: (line) => console.error(line),
    federations: [
      {
        code: federation.code,
        joinToken: federation.joinToken,
        catalogue: {
          dataset: "synthetic",
          numItems: federation.numItems,
          profileDim: federation.profileDim,
          encoder: loadEncoderIdentity(federation.profileDim, federation.config.pooling, federation.config.encoderPrecision),
        },
        config: federation.config,
        // Paused until the generator has connected its clients ("begin"), so round 1 has all of them.
        phase: "paused",
      },
    ],
    onRoundEnd: (_code, summary) => send({ kind: "round-end", summary }),
  });
  send({ kind: "listening", url: coordinator.url });
}

process.on("message", (message: ToCoordinator) => {
  if (message.kind === "start") {
    start(message.federation, message.host).catch((error: unknown) => send({ kind: "failed", error: String(error) }));
    return;
  }
  if (message.kind === "begin") {
    coordinator?.all()[0]?.control("start");
    return;
  }
  const usage = process.resourceUsage();
  const status = coordinator?.all()[0]?.status();
  send({
    kind: "stats",
    stats: {
      rssBytes: process.memoryUsage.rss(),
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      connected: status?.clients.connected ?? 0,
      longestStallMs: stalls.take(),
      rejected: status?.rejected ?? {},
    },
  });
});
// The parent's end is ours: without it there is nothing to serve.
process.on("disconnect", () => process.exit(0));
