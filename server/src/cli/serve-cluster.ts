/**
 * `npm start -- --redis redis://…`: this process is one gateway of a cluster sharing the
 * federation through Redis (docs/deploy.md). The first gateway creates the federation the command
 * line describes; later ones join it (their dataset and settings flags are then ignored).
 */
import { availableParallelism } from "node:os";
import { createWorkerAggregator } from "../aggregation/worker-aggregator.ts";
import { ClusterNode } from "../cluster/cluster-node.ts";
import { roundSummaryLine } from "../report/round-summary-line.ts";
import { webRoutes } from "../web/web-routes.ts";
import { UsageError } from "./command-line.ts";
import type { CoordinatorCliOptions } from "./coordinator-args.ts";
import { datasetPersonas, federationFromOptions } from "./serve.ts";

export interface ClusterServing {
  readonly node: ClusterNode;
  close(): Promise<void>;
}

export async function serveCluster(
  options: CoordinatorCliOptions,
  log: (line: string) => void = console.log,
): Promise<ClusterServing> {
  if (options.demoClients > 0) throw new UsageError("--demo-clients runs with the SQLite coordinator, not with --redis");
  const redisUrl = options.redis!;
  const { dataset, federation } = await federationFromOptions(options, log);
  if (federation.config.secureAggregation) {
    // Its sessions live in one process's memory; a cluster's gateways would each hold a part.
    throw new UsageError("secureAggregation runs with the SQLite coordinator, not with --redis (docs/deploy.md)");
  }
  // The leader aggregates in worker threads: a long aggregation then cannot stall its lease renewal.
  const aggregator = await createWorkerAggregator(availableParallelism());
  const node = await ClusterNode.start({
    redisUrl,
    port: options.port,
    host: options.host,
    ...(options.advertise !== null && { advertisedUrl: options.advertise }),
    ...(options.leaseMs !== null && { leaseMs: options.leaseMs }),
    federations: [federation],
    aggregator: aggregator.aggregate,
    routes: webRoutes(),
    personas: datasetPersonas(dataset),
    log,
    onRoundEnd: (code, summary) => log(roundSummaryLine(code, summary, federation.config.rounds)),
  }).catch(async (error: unknown) => {
    await aggregator.close();
    throw error;
  });
  log(`FedRec Live gateway ${node.gatewayId} listening on ${node.url}, federation state in ${redisUrl}`);
  return {
    node,
    async close() {
      await node.close();
      await aggregator.close();
    },
  };
}
