/**
 * The clients' side of a simulated round, behind an interface so the same federation loop can run
 * its clients in-process (LocalClients) or spread over worker threads (the Node shell).
 */
import type { ClientUpload } from "../client/client-upload.ts";

/** Train client `client` on `table` (the table the server sends it this round). */
export interface ClientTask {
  readonly client: number;
  readonly table: Float32Array;
}

export interface ClientReport {
  readonly client: number;
  readonly upload: ClientUpload;
  /** Mean local loss; NaN when the client had nothing to train. */
  readonly loss: number;
  /** Time the client spent training and evaluating. */
  readonly seconds: { readonly train: number; readonly evaluate: number };
}

export interface ClientPool {
  /** Runs every task and reports in task order. */
  runRound(tasks: readonly ClientTask[]): Promise<ClientReport[]>;
  /** Releases threads or other resources (a no-op in-process). */
  close(): Promise<void>;
}
