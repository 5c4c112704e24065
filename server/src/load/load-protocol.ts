/** What `npm run load` and its coordinator (or gateway) processes exchange over the IPC channel. */
import type { FederationConfig, RoundSummary } from "@fedrec/common";

export interface LoadFederation {
  readonly code: string;
  readonly joinToken: string;
  readonly numItems: number;
  readonly profileDim: number;
  readonly config: FederationConfig;
}

export type ToCoordinator =
  /** `redisUrl`: run as one gateway of a cluster sharing the federation through that Redis; null: a single coordinator. */
  | {
      readonly kind: "start";
      readonly federation: LoadFederation;
      readonly host: string;
      readonly redisUrl: string | null;
      /** The cluster's leader lease TTL (ms; null: ClusterNode's default). */
      readonly leaseMs: number | null;
    }
  /** Every client that could join has: open the first round (the aggregation leader does; other gateways ignore it). */
  | { readonly kind: "begin" }
  | { readonly kind: "stats" };

export interface CoordinatorStats {
  readonly rssBytes: number;
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  /** Sockets connected to this process. */
  readonly connected: number;
  /** Clients the round machine counts as connected (0 where it does not run). */
  readonly clientsConnected: number;
  /** This process runs the round machine: the single coordinator, or the cluster's aggregation leader. */
  readonly leader: boolean;
  /** The coordinator's longest event-loop stall since the previous sample (ms). */
  readonly longestStallMs: number;
  /** The round machine's refusals (empty on a gateway that does not lead). */
  readonly rejected: Readonly<Record<string, number>>;
}

export type FromCoordinator =
  | { readonly kind: "listening"; readonly url: string }
  | { readonly kind: "stats"; readonly stats: CoordinatorStats }
  | { readonly kind: "round-end"; readonly summary: RoundSummary }
  | { readonly kind: "failed"; readonly error: string };
