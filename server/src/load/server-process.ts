/** A forked server process of `npm run load` (load-coordinator.ts), spoken to over IPC. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RoundSummary } from "@fedrec/common";
import type { CoordinatorStats, FromCoordinator, LoadFederation, ToCoordinator } from "./load-protocol.ts";

export class ServerProcess {
  private readonly child: ChildProcess;
  private waiting: ((message: FromCoordinator) => void)[] = [];
  exitCode: number | null = null;
  /** The last statistics it answered (a killed process keeps its last). */
  lastStats: CoordinatorStats | null = null;

  constructor(onRoundEnd: (summary: RoundSummary) => void) {
    this.child = fork(fileURLToPath(new URL("./load-coordinator-bootstrap.mjs", import.meta.url)), [], {
      execArgv: [],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (message: FromCoordinator) => {
      if (message.kind === "round-end") onRoundEnd(message.summary);
      else for (const w of this.waiting.splice(0)) w(message);
    });
    this.child.on("exit", (code, signal) => {
      this.exitCode = code ?? -1;
      for (const w of this.waiting.splice(0)) w({ kind: "failed", error: `the server process exited (${code ?? signal})` });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async start(
    federation: LoadFederation,
    host: string,
    cluster: { readonly redisUrl: string; readonly leaseMs: number | null } | null,
    deadline: number,
  ): Promise<string> {
    const reply = await this.ask(
      { kind: "start", federation, host, redisUrl: cluster?.redisUrl ?? null, leaseMs: cluster?.leaseMs ?? null },
      deadline,
    );
    if (reply.kind !== "listening")
      throw new Error(`the server process did not start: ${reply.kind === "failed" ? reply.error : reply.kind}`);
    return reply.url;
  }

  begin(): void {
    if (this.child.connected) this.child.send({ kind: "begin" } satisfies ToCoordinator, () => {});
  }

  /** Statistics, or null from a process that exited or did not answer within a minute. */
  async stats(): Promise<CoordinatorStats | null> {
    const reply = await this.ask({ kind: "stats" }, Date.now() + 60_000);
    if (reply.kind !== "stats") return null;
    this.lastStats = reply.stats;
    return reply.stats;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.exitCode === null) this.child.kill(signal);
  }

  /** Replies carry no request id: start is answered before any statistics are asked (both answers would do). */
  private ask(message: ToCoordinator, deadline: number): Promise<FromCoordinator> {
    if (this.exitCode !== null || !this.child.connected)
      return Promise.resolve({ kind: "failed", error: `the server process exited (code ${this.exitCode})` });
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ kind: "failed", error: "no answer before the time limit" }),
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      // A process killed a moment ago may have closed its channel before its exit is reported.
      this.child.send(message, (error) => {
        if (error) resolve({ kind: "failed", error: error.message });
      });
    });
  }
}
