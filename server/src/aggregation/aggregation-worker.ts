/**
 * The coordinator's aggregation thread: runs the strategy's aggregateTrain (the simulator's very
 * code) with the Gram matrix split over helper threads (and, for an approximate graph, usearch's
 * HNSW index and the re-ranking split over the same threads), one request at a time. Its new tables
 * are returned in shared memory, so that posting them back, and posting them again as next
 * round's bases, costs the event loop nothing.
 */
import { parentPort, workerData } from "node:worker_threads";
import { aggregateTrain, type AggregateTrainOutput, type ServerTables } from "@fedrec/common";
import { createParallelGramKernel } from "../kernels/parallel-gram.ts";
import { usearchCandidates } from "../kernels/usearch-candidates.ts";
import { isShared, sharedCopy } from "./shared-arrays.ts";
import type { AggregationReply, AggregationRequest, AggregationWorkerSetup } from "./aggregation-protocol.ts";

const setup = workerData as AggregationWorkerSetup;
const port = parentPort!;
const { gram, rerank } = await createParallelGramKernel(setup.gramThreads);
const approximate = { search: usearchCandidates(setup.gramThreads), rerank };

port.on("message", (request: AggregationRequest) => {
  try {
    const output = aggregateTrain(
      request.options,
      request.tables,
      request.results,
      request.itemDim,
      gram,
      undefined,
      approximate,
    );
    port.postMessage({ id: request.id, output: { ...output, tables: sharedTables(output.tables) } } satisfies AggregationReply);
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies AggregationReply);
  }
});
port.postMessage("ready");

function sharedTables(tables: ServerTables): ServerTables {
  const share = (a: Float32Array): Float32Array => (isShared(a) ? a : sharedCopy(a));
  const personal = new Map<number, Float32Array>();
  for (const [client, table] of tables.personal) personal.set(client, share(table));
  return { ...tables, global: share(tables.global), personal } satisfies AggregateTrainOutput["tables"];
}
