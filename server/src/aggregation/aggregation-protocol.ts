/** What the coordinator and its aggregation worker exchange. */
import type { AggregateTrainOutput, GraphStrategyOptions, ServerTables, TrainResult } from "@fedrec/common";

export interface AggregationRequest {
  readonly id: number;
  readonly options: GraphStrategyOptions;
  readonly tables: ServerTables;
  readonly results: readonly TrainResult[];
  readonly itemDim: number;
}

export type AggregationReply =
  { readonly id: number; readonly output: AggregateTrainOutput } | { readonly id: number; readonly error: string };

export interface AggregationWorkerSetup {
  /** Threads the Gram matrix is split over (this worker and threads − 1 helpers). */
  readonly gramThreads: number;
}
