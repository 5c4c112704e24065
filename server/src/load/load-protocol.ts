/** What `npm run load` and its coordinator process exchange over the IPC channel. */
import type { FederationConfig, RoundSummary } from "@fedrec/common";

export interface LoadFederation {
  readonly code: string;
  readonly joinToken: string;
  readonly numItems: number;
  readonly profileDim: number;
  readonly config: FederationConfig;
}

export type ToCoordinator =
  | { readonly kind: "start"; readonly federation: LoadFederation; readonly host: string }
  /** Every client that could join has: open the first round. */
  | { readonly kind: "begin" }
  | { readonly kind: "stats" };

export interface CoordinatorStats {
  readonly rssBytes: number;
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  readonly connected: number;
  /** The coordinator's longest event-loop stall since the previous sample (ms). */
  readonly longestStallMs: number;
  readonly rejected: Readonly<Record<string, number>>;
}

export type FromCoordinator =
  | { readonly kind: "listening"; readonly url: string }
  | { readonly kind: "stats"; readonly stats: CoordinatorStats }
  | { readonly kind: "round-end"; readonly summary: RoundSummary }
  | { readonly kind: "failed"; readonly error: string };
