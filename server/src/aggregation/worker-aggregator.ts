/**
 * A TableAggregator (the round machine's, common/) that runs aggregateTrain in a worker thread (aggregation-worker.ts), with the
 * Gram matrix split over `threads` threads: the coordinator awaits it while its event loop keeps
 * answering sockets and HTTP. Inputs go over in shared memory (shared-arrays.ts), outputs come
 * back in it. Requests are answered one at a time, in order.
 */
import { Worker } from "node:worker_threads";
import { aggregateTrain, type AggregateTrainOutput, type TableAggregator } from "@fedrec/common";
import type { AggregationReply, AggregationRequest, AggregationWorkerSetup } from "./aggregation-protocol.ts";
import { Sharer } from "./shared-arrays.ts";

/** A TableAggregator whose answer always comes later. */
export type AsyncTableAggregator = (...args: Parameters<TableAggregator>) => Promise<AggregateTrainOutput>;

export interface WorkerAggregator {
  readonly aggregate: AsyncTableAggregator;
  close(): Promise<void>;
}

interface Pending {
  readonly resolve: (output: AggregateTrainOutput) => void;
  readonly reject: (error: Error) => void;
}

export async function createWorkerAggregator(threads: number): Promise<WorkerAggregator> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`aggregation threads must be an integer ≥ 1, got ${threads}`);
  const workerData: AggregationWorkerSetup = { gramThreads: threads };
  const worker = new Worker(new URL("./aggregation-worker-bootstrap.mjs", import.meta.url), { workerData });
  const pending = new Map<number, Pending>();
  let failure: Error | null = null;
  const failAll = (error: Error): void => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the aggregation worker exited with code ${code}`)));
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  worker.on("message", (reply: AggregationReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if ("error" in reply) waiting?.reject(new Error(`aggregation failed: ${reply.error}`));
    else waiting?.resolve(reply.output);
  });
  let nextId = 0;
  const aggregate: AsyncTableAggregator = async (options, tables, results, itemDim, noise) => {
    if (failure) throw failure;
    // DP noise comes from this thread's CSPRNG, which cannot cross into the worker; DP rounds build
    // no graph (neighbourhood "none" is required), so their aggregation is cheap here.
    if (noise) return aggregateTrain(options, tables, results, itemDim, undefined, noise);
    const sharer = new Sharer();
    const request: AggregationRequest = {
      id: nextId++,
      options,
      tables: await sharer.tables(tables),
      results: await sharer.results(results),
      itemDim,
    };
    return new Promise((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  };
  return {
    aggregate,
    close: async () => {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}
