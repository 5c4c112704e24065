/**
 * A real coordinator process for a test (the `npm start` CLI on a random free port of 127.0.0.1,
 * in-memory database), plus the admin API calls the tests need.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const REPO_ROOT = join(import.meta.dirname, "..", "..");

export interface RunningCoordinator {
  readonly origin: string;
  readonly code: string;
  readonly joinLink: string;
  readonly adminLink: string;
  admin<T>(path: string): Promise<T>;
  /** Writes dataset user `user`'s persona file (as the teacher would download it) and returns its path. */
  personaFile(user: number, dir: string): Promise<string>;
  stop(): void;
}

export async function startCoordinator(code: string, args: readonly string[]): Promise<RunningCoordinator> {
  const joinToken = `join-${code.toLowerCase()}-token`;
  const adminToken = `admin-${code.toLowerCase()}-token`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...["--import", "tsx", "server/src/bin/coordinator.ts", "--host", "127.0.0.1", "--port", "0", "--db", ":memory:"],
      ...["--code", code, "--join-token", joinToken, "--admin-token", adminToken, ...args],
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coordinator did not start:\n${output}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      // Wait for the demo clients too (their line comes last) when there are any.
      if (port && (!args.includes("--demo-clients") || /demo clients joined/.test(output))) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    });
    child.on("exit", (c) => reject(new Error(`coordinator exited with ${c}:\n${output}`)));
  });
  const admin = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${origin}/api/federations/${code}${path}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    origin,
    code,
    joinLink: `${origin}/?code=${code}&token=${joinToken}`,
    adminLink: `${origin}/admin?code=${code}&token=${adminToken}`,
    admin,
    async personaFile(user, dir) {
      await mkdir(dir, { recursive: true });
      const path = join(dir, `persona-${user}.json`);
      await writeFile(path, JSON.stringify(await admin(`/personas/${user}`)));
      return path;
    },
    stop: () => void child.kill("SIGKILL"),
  };
}
