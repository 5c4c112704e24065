/**
 * Test helper: gateways of a Redis cluster in this process (ClusterNode on free ports of
 * 127.0.0.1) sharing the test world's federation, with short lease and request budgets.
 */
import type { FederationStatus } from "@fedrec/common";
import { ClusterNode } from "../cluster/cluster-node.ts";
import { ADMIN_TOKEN, CODE, JOIN_TOKEN, type TestWorld } from "./live-federation.ts";

export interface TestCluster {
  readonly nodes: readonly ClusterNode[];
  /** Everything the gateways logged. */
  readonly logs: readonly string[];
  /** The leader's federation status (null while no gateway leads). */
  status(): FederationStatus | null;
  close(): Promise<void>;
}

export async function startTestCluster(world: TestWorld, redisUrl: string, gateways = 2): Promise<TestCluster> {
  const logs: string[] = [];
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < gateways; i++) {
    nodes.push(
      await ClusterNode.start({
        redisUrl,
        port: 0,
        tickMs: 20,
        leaseMs: 600,
        requestBudgetMs: 300,
        log: (line) => logs.push(line),
        federations: [
          {
            code: CODE,
            joinToken: JOIN_TOKEN,
            adminToken: ADMIN_TOKEN,
            catalogue: {
              dataset: world.dataset.name,
              numItems: world.dataset.numItems,
              profileDim: world.profiles[0]!.length,
              encoder: world.encoder,
            },
            config: world.config,
          },
        ],
      }),
    );
  }
  return {
    nodes,
    logs,
    status: () =>
      nodes
        .find((n) => n.isLeader)
        ?.aggregationLeader?.all()[0]
        ?.status() ?? null,
    async close() {
      for (const node of nodes) await node.close();
    },
  };
}
