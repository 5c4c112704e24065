/**
 * The load clients spread over worker threads, each a LoadFleet on its own event loop. One loop
 * holding thousands of clients falls behind while it receives and parses their tables (1.1 GB a
 * round at 5,000 clients with fractionTrain 1.0: stalls of 18–26 s measured); a ping queued
 * behind that backlog is answered late, and the coordinator drops clients for its pong timeout
 * (20 s) that a real browser, parsing one table, would have answered in time.
 */
import { Worker } from "node:worker_threads";
import type { FleetThreadSetup, FromFleetThread, ToFleetThread } from "./fleet-thread-protocol.ts";
import type { FleetCounts } from "./load-fleet.ts";

/** The counts of all threads added up. */
export function mergeCounts(all: readonly FleetCounts[]): FleetCounts {
  const add = (tables: readonly Readonly<Record<string, number>>[]) => {
    const merged: Record<string, number> = {};
    for (const table of tables) for (const [key, n] of Object.entries(table)) merged[key] = (merged[key] ?? 0) + n;
    return merged;
  };
  const sum = (pick: (c: FleetCounts) => number) => all.reduce((a, c) => a + pick(c), 0);
  return {
    joined: sum((c) => c.joined),
    rejoined: sum((c) => c.rejoined),
    uploadsAccepted: sum((c) => c.uploadsAccepted),
    rejected: add(all.map((c) => c.rejected)),
    connectFailures: add(all.map((c) => c.connectFailures)),
    dropped: add(all.map((c) => c.dropped)),
    bytesReceived: sum((c) => c.bytesReceived),
    bytesSent: sum((c) => c.bytesSent),
  };
}

interface FleetThread {
  readonly worker: Worker;
  counts: FleetCounts | null;
  longestStallMs: number;
  /** Resolves with the final counts once the thread closed its clients. */
  readonly closed: Promise<void>;
}

export class FleetThreads {
  private phaseValue = "connecting";

  private constructor(private readonly threads: readonly FleetThread[]) {}

  static async start(count: number, setup: FleetThreadSetup): Promise<FleetThreads> {
    const threads = await Promise.all(
      Array.from({ length: count }, async () => {
        const worker = new Worker(new URL("./fleet-thread-bootstrap.mjs", import.meta.url), { workerData: setup });
        let markClosed = () => {};
        const closed = new Promise<void>((resolve) => (markClosed = resolve));
        const thread: FleetThread = { worker, counts: null, longestStallMs: 0, closed };
        worker.on("message", (message: FromFleetThread) => {
          if (message.kind !== "counts") return;
          thread.counts = message.counts;
          thread.longestStallMs = Math.max(thread.longestStallMs, message.longestStallMs);
          if (message.closed) markClosed();
        });
        worker.on("exit", () => markClosed());
        await new Promise<void>((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", reject);
        });
        return thread;
      }),
    );
    return new FleetThreads(threads);
  }

  get phase(): string {
    return this.phaseValue;
  }

  set phase(phase: string) {
    this.phaseValue = phase;
    this.send({ kind: "phase", phase });
  }

  /** The threads' latest counts (at most a quarter of a second old), added up. */
  get counts(): FleetCounts {
    return mergeCounts(this.threads.flatMap((t) => (t.counts ? [t.counts] : [])));
  }

  /** The longest stall of any thread's loop since the last call (ms). */
  takeLongestStall(): number {
    const longest = Math.max(0, ...this.threads.map((t) => t.longestStallMs));
    for (const t of this.threads) t.longestStallMs = 0;
    return longest;
  }

  /** Connects and joins `count` clients, split into one contiguous range per thread; the seconds it took. */
  async connect(count: number, batch: number): Promise<number> {
    const t0 = performance.now();
    const per = Math.ceil(count / this.threads.length);
    await Promise.all(
      this.threads.map((t, i) => {
        const first = i * per;
        const mine = Math.max(0, Math.min(per, count - first));
        const done = new Promise<void>((resolve) => {
          const listener = (message: FromFleetThread) => {
            if (message.kind !== "connected") return;
            t.worker.off("message", listener);
            resolve();
          };
          t.worker.on("message", listener);
        });
        t.worker.postMessage({
          kind: "connect",
          first,
          count: mine,
          batch: Math.max(1, Math.ceil(batch / this.threads.length)),
        } satisfies ToFleetThread);
        return done;
      }),
    );
    return (performance.now() - t0) / 1000;
  }

  /** Closes every client and ends the threads; resolves with the final counts. */
  async close(): Promise<FleetCounts> {
    this.send({ kind: "close" });
    await Promise.all(this.threads.map((t) => t.closed));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    return this.counts;
  }

  private send(message: ToFleetThread): void {
    for (const t of this.threads) t.worker.postMessage(message);
  }
}
