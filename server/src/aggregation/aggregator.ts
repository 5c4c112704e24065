/**
 * An aggregator as the coordinator awaits it: the strategy's aggregateTrain (common/) with its
 * inputs and result, run wherever the shell chooses — inline, or in worker threads
 * (worker-aggregator.ts) so that the event loop keeps answering sockets meanwhile.
 */
import type { AggregateTrainOutput, GraphStrategyOptions, ServerTables, TrainResult } from "@fedrec/common";

export type Aggregator = (
  options: GraphStrategyOptions,
  tables: ServerTables,
  results: readonly TrainResult[],
  itemDim: number,
) => Promise<AggregateTrainOutput>;
