/**
 * A server process of `npm run load`: a Coordinator on loopback with an in-memory database or,
 * given a Redis, one gateway of a cluster (ClusterNode); aggregating in worker threads, driven
 * over the IPC channel (start, begin, stats) and reporting each round it completes. Its own
 * process, so its RSS and CPU are its own.
 */
import { availableParallelism } from "node:os";
import type { Federation, RoundSummary } from "@fedrec/common";
import { ClusterNode } from "../cluster/cluster-node.ts";
import { Coordinator, type NewFederation } from "../coordinator/coordinator.ts";
import { createWorkerAggregator } from "../aggregation/worker-aggregator.ts";
import { loadEncoderIdentity } from "./load-identity.ts";
import { LoopStallMeter } from "./loop-stall-meter.ts";
import type { FromCoordinator, LoadFederation, ToCoordinator } from "./load-protocol.ts";

const send = (message: FromCoordinator): void => void process.send!(message);
const stalls = new LoopStallMeter();

/** What the generator asks of either kind of server. */
interface LoadServer {
  readonly url: string;
  /** The round machine, where this process runs it. */
  federation(): Federation | undefined;
  connectedSockets(): number;
}
let server: LoadServer | null = null;

async function start(federation: LoadFederation, host: string, redisUrl: string | null, leaseMs: number | null): Promise<void> {
  const aggregator = await createWorkerAggregator(availableParallelism());
  const newFederation: NewFederation = {
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
  };
  const common = {
    port: 0,
    host,
    aggregator: aggregator.aggregate,
    log: (line: string) => console.error(line),
    federations: [newFederation],
    onRoundEnd: (_code: string, summary: RoundSummary) => send({ kind: "round-end", summary }),
  };
  if (redisUrl === null) {
    const coordinator = await Coordinator.start({ ...common, database: ":memory:" });
    server = {
      url: coordinator.url,
      federation: () => coordinator.all()[0],
      connectedSockets: () => coordinator.connectedSockets(),
    };
  } else {
    const node = await ClusterNode.start({ ...common, redisUrl, ...(leaseMs !== null && { leaseMs }) });
    server = {
      url: node.url,
      federation: () => node.aggregationLeader?.all()[0],
      connectedSockets: () => node.connectedSockets,
    };
  }
  send({ kind: "listening", url: server.url });
}

process.on("message", (message: ToCoordinator) => {
  if (message.kind === "start") {
    start(message.federation, message.host, message.redisUrl, message.leaseMs).catch((error: unknown) =>
      send({ kind: "failed", error: String(error) }),
    );
    return;
  }
  const federation = server?.federation();
  if (message.kind === "begin") {
    federation?.control("start");
    return;
  }
  const usage = process.resourceUsage();
  send({
    kind: "stats",
    stats: {
      rssBytes: process.memoryUsage.rss(),
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      connected: server?.connectedSockets() ?? 0,
      clientsConnected: federation?.status().clients.connected ?? 0,
      leader: federation !== undefined,
      longestStallMs: stalls.take(),
      rejected: federation?.status().rejected ?? {},
    },
  });
});
// The parent's end is ours: without it there is nothing to serve.
process.on("disconnect", () => process.exit(0));
