/**
 * A ClientPool that spreads clients over worker threads (client % workers), so a simulated round
 * trains on every core. Results are identical to the in-process pool: each client's random
 * streams are its own, whichever thread runs it.
 */
import { Worker } from "node:worker_threads";
import type { ClientPool, ClientReport, ClientTask, Dataset, FederationConfig } from "@fedrec/common";
import type { RoundRequest, WorkerReply, WorkerSetup } from "./worker-protocol.ts";

interface Pending {
  readonly resolve: (reports: readonly ClientReport[]) => void;
  readonly reject: (error: Error) => void;
}

class WorkerHandle {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly worker: Worker) {
    worker.on("message", (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ("error" in reply) waiting?.reject(new Error(`client worker failed: ${reply.error}`));
      else waiting?.resolve(reply.reports);
    });
    worker.on("error", (error) => this.failAll(error));
    worker.on("exit", (code) => this.failAll(new Error(`client worker exited with code ${code}`)));
  }

  run(tasks: readonly ClientTask[]): Promise<readonly ClientReport[]> {
    const index = new Map<Float32Array, number>();
    const tables: Float32Array[] = [];
    const refs = tasks.map((t) => {
      let i = index.get(t.table);
      if (i === undefined) {
        i = tables.push(t.table) - 1;
        index.set(t.table, i);
      }
      return { client: t.client, table: i };
    });
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, tables, tasks: refs } satisfies RoundRequest);
    });
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

export class WorkerClients implements ClientPool {
  private constructor(private readonly handles: readonly WorkerHandle[]) {}

  static create(
    config: FederationConfig,
    dataset: Dataset,
    profiles: readonly Float32Array[],
    workerCount: number,
  ): WorkerClients {
    if (!Number.isInteger(workerCount) || workerCount < 1) throw new Error(`workers must be an integer ≥ 1, got ${workerCount}`);
    const handles = Array.from({ length: workerCount }, (_, workerIndex) => {
      const workerData: WorkerSetup = { config, dataset, profiles, workerIndex, workerCount };
      return new WorkerHandle(new Worker(new URL("./client-worker-bootstrap.mjs", import.meta.url), { workerData }));
    });
    return new WorkerClients(handles);
  }

  async runRound(tasks: readonly ClientTask[]): Promise<ClientReport[]> {
    const count = this.handles.length;
    const shares = this.handles.map((_, w) => tasks.filter((t) => t.client % count === w));
    const replies = await Promise.all(
      this.handles.map((h, w) => (shares[w]!.length > 0 ? h.run(shares[w]!) : Promise.resolve([]))),
    );
    const byClient = new Map(replies.flat().map((r) => [r.client, r]));
    return tasks.map((t) => byClient.get(t.client)!);
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }
}
