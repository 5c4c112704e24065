/**
 * A throwaway redis-server for tests: a free port on 127.0.0.1, a temporary directory, append-only
 * file fsynced on every write and no pub/sub output limit (what docs/deploy.md asks of production), stoppable and restartable
 * on the same port and data. `redisServerPath()` is null when Debian's redis-server is absent.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "node:net";
import { freePort } from "./free-port.ts";

export function redisServerPath(): string | null {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
}

export interface TestRedis {
  readonly url: string;
  /** SIGKILL: the server is gone until `start`. */
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const binary = redisServerPath();
  if (binary === null) throw new Error("redis-server is not installed (apt-get install redis-server)");
  const dir = await mkdtemp(join(tmpdir(), "fedrec-redis-"));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    // Pub/sub subscribers are never cut off for a backlog (docs/deploy.md), as in production.
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--client-output-buffer-limit",
      "pubsub 0 0 0",
    ];
    child = spawn(binary, [...args, "--appendonly", "yes", "--appendfsync", "always"], { stdio: "ignore" });
    await untilListening(port);
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async close() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function untilListening(port: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (up) return;
    if (Date.now() - started > 10_000) throw new Error(`redis-server did not listen on port ${port} within 10 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
