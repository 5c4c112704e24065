/** Messages between WorkerClients (main thread) and client-worker.ts. */
import type { ClientReport, Dataset, FederationConfig } from "@fedrec/common";

export interface WorkerSetup {
  readonly config: FederationConfig;
  readonly dataset: Dataset;
  readonly profiles: readonly Float32Array[];
  /** This worker runs the clients with client % workerCount === workerIndex. */
  readonly workerIndex: number;
  readonly workerCount: number;
}

/** One round's work: distinct tables once, tasks refer to them by index. */
export interface RoundRequest {
  readonly id: number;
  readonly tables: readonly Float32Array[];
  readonly tasks: readonly { readonly client: number; readonly table: number }[];
}

export type WorkerReply =
  { readonly id: number; readonly reports: readonly ClientReport[] } | { readonly id: number; readonly error: string };
