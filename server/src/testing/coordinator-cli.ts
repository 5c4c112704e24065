/** The coordinator CLI (`npm start`) in a process of its own, for tests that kill it with SIGKILL. */
import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT } from "../cli/dataset-location.ts";

export interface CliFederation {
  readonly code: string;
  readonly joinToken: string;
  readonly adminToken: string;
  /** The synthetic catalogue's size. */
  readonly users: number;
  readonly items: number;
  readonly settings: Readonly<Record<string, number | string>>;
}

/** Starts the CLI on 127.0.0.1:port; `storage` is `["--db", file]` or `["--redis", url]`. */
export function spawnCoordinatorCli(port: number, storage: readonly string[], f: CliFederation): ChildProcess {
  const args = [
    ...["--import", "tsx", "server/src/bin/coordinator.ts", ...storage, "--host", "127.0.0.1", "--port", String(port)],
    ...["--users", String(f.users), "--items-count", String(f.items)],
    ...["--code", f.code, "--join-token", f.joinToken, "--admin-token", f.adminToken],
    ...Object.entries(f.settings).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

/** The origin a started coordinator CLI announces on its standard output ("listening on 127.0.0.1:PORT"). */
export function listeningOrigin(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    child.stdout!.on("data", (d: Buffer) => {
      text += d.toString();
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(text)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
  });
}
