/**
 * A worker thread that runs a share of the simulated clients with the in-process client code
 * (LocalClients): each client always lands on the same worker, so its private layers and random
 * streams live there for the whole run.
 */
import { parentPort, workerData } from "node:worker_threads";
import { LocalClients } from "@fedrec/common";
import type { RoundRequest, WorkerReply, WorkerSetup } from "./worker-protocol.ts";

const setup = workerData as WorkerSetup;
const port = parentPort!;
const pool = new LocalClients(
  setup.config,
  setup.dataset,
  setup.profiles,
  () => performance.now() / 1000,
  (client) => client % setup.workerCount === setup.workerIndex,
);

port.on("message", async (request: RoundRequest) => {
  try {
    const reports = await pool.runRound(request.tasks.map((t) => ({ client: t.client, table: request.tables[t.table]! })));
    const transfer = reports.flatMap((r) => [r.upload.userWeights.buffer, r.upload.rows.buffer, r.upload.values.buffer]);
    port.postMessage({ id: request.id, reports } satisfies WorkerReply, transfer as ArrayBuffer[]);
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies WorkerReply);
  }
});
