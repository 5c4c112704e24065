/**
 * Command-line options of `npm run load`, bounded so that a typo cannot exhaust the machine: at
 * most MAX_CLIENTS clients, MAX_ROUNDS rounds and MAX_SECONDS of wall time, and loopback only —
 * the generator opens thousands of connections and must never be pointed at someone's server.
 */
import { isIP } from "node:net";
import {
  CONFIG_USAGE,
  UsageError,
  configOptions,
  parseCommandLine,
  positiveInt,
  type ConfigOptions,
} from "../cli/command-line.ts";

export const MAX_CLIENTS = 50_000;
export const MAX_ROUNDS = 100;
export const MAX_SECONDS = 3600;
export const MAX_GATEWAYS = 8;
export const MAX_CLIENT_THREADS = 16;

export interface LoadOptions extends ConfigOptions {
  readonly clients: number;
  readonly host: string;
  readonly timeLimitSeconds: number;
  /** Catalogue shape: items, and the profile embedding's width (384 = MiniLM). */
  readonly numItems: number;
  readonly profileDim: number;
  /** Joins in flight at once while connecting. */
  readonly connectBatch: number;
  /** Worker threads the clients are spread over (each its own event loop). */
  readonly clientThreads: number;
  /** Each client "trains" for a share of this (ms) before uploading, spread evenly over the clients. */
  readonly trainMs: number;
  /** 0: one coordinator; N: N gateways of a cluster on a throwaway redis-server. */
  readonly gateways: number;
  /** The gateways' leader lease TTL (ms); null: the cluster's default. */
  readonly leaseMs: number | null;
  /** Kill (SIGKILL) the cluster's aggregation leader once about half of this round's uploads are in. */
  readonly killLeaderInRound: number | null;
  readonly help: boolean;
}

export const LOAD_USAGE = `Usage: npm run load -- --clients N [options]

Starts a coordinator in its own process on loopback and N lightweight clients (many per process)
that run the real protocol — join, receive each round's table, upload — with cheap synthetic
training, then reports connect time, round times, the coordinator's RSS and CPU, bytes, and
rejected or dropped clients.

  --clients N           clients (1–${MAX_CLIENTS})
  --host ADDRESS        loopback address to use (default 127.0.0.1; others are refused)
  --time-limit S        stop after S seconds whatever happens (default 900, at most ${MAX_SECONDS})
  --items N             catalogue size (default 1682, ML-100K's)
  --profile-dim N       profile embedding width (default 384, MiniLM's)
  --connect-batch N     joins in flight at once (default 250)
  --client-threads N    worker threads the clients are spread over (default 1; at most ${MAX_CLIENT_THREADS}): one
                        event loop parsing thousands of tables falls behind their pings
  --train-ms N          clients upload over N ms after each round:start, evenly spread, as clients
                        of different speeds would (default 0: at once)
  --gateways N          N gateway processes sharing the federation through a throwaway
                        redis-server (1–${MAX_GATEWAYS}; needs redis-server); client i connects to
                        gateway i mod N (default: one coordinator, no Redis)
  --lease-ms N          with --gateways: the leader lease's time to live (default: the cluster's,
                        3000); a leader whose loop stalls for over a third of it may step down
  --kill-leader-in-round R
                        with --gateways 2 or more: SIGKILL the aggregation leader once about half
                        of round R's uploads are in; dropped clients join again at the next
                        gateway, and the report says how long the round took to end after the kill
${CONFIG_USAGE}
                        (rounds: at most ${MAX_ROUNDS}; fractionTrain e.g. --set fractionTrain=0.1)
  --help
`;

export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

export function parseLoadArgs(argv: readonly string[]): LoadOptions {
  const v = parseCommandLine(argv, {
    clients: { type: "string" },
    host: { type: "string" },
    "time-limit": { type: "string" },
    items: { type: "string" },
    "profile-dim": { type: "string" },
    "connect-batch": { type: "string" },
    "train-ms": { type: "string" },
    "client-threads": { type: "string" },
    gateways: { type: "string" },
    "kill-leader-in-round": { type: "string" },
    "lease-ms": { type: "string" },
  });
  const help = v.help === true;
  const clients = positiveInt("--clients", v.clients as string | undefined);
  if (clients === null && !help) throw new UsageError("--clients N is required");
  if (clients !== null && clients > MAX_CLIENTS) throw new UsageError(`--clients must be at most ${MAX_CLIENTS}, got ${clients}`);
  const host = (v.host as string | undefined) ?? "127.0.0.1";
  if (!isLoopback(host))
    throw new UsageError(`--host ${host} is not a loopback address: the load generator runs on this machine only`);
  const clientThreads = positiveInt("--client-threads", v["client-threads"] as string | undefined) ?? 1;
  if (clientThreads > MAX_CLIENT_THREADS)
    throw new UsageError(`--client-threads must be at most ${MAX_CLIENT_THREADS}, got ${clientThreads}`);
  const gateways = positiveInt("--gateways", v.gateways as string | undefined) ?? 0;
  if (gateways > MAX_GATEWAYS) throw new UsageError(`--gateways must be at most ${MAX_GATEWAYS}, got ${gateways}`);
  const killLeaderInRound = positiveInt("--kill-leader-in-round", v["kill-leader-in-round"] as string | undefined);
  if (killLeaderInRound !== null && gateways < 2)
    throw new UsageError("--kill-leader-in-round needs --gateways 2 or more: another gateway must take over");
  const timeLimitSeconds = positiveInt("--time-limit", v["time-limit"] as string | undefined) ?? 900;
  if (timeLimitSeconds > MAX_SECONDS)
    throw new UsageError(`--time-limit must be at most ${MAX_SECONDS} s, got ${timeLimitSeconds}`);
  return {
    ...configOptions(v),
    clients: clients ?? 0,
    host,
    timeLimitSeconds,
    numItems: positiveInt("--items", v.items as string | undefined) ?? 1682,
    profileDim: positiveInt("--profile-dim", v["profile-dim"] as string | undefined) ?? 384,
    connectBatch: positiveInt("--connect-batch", v["connect-batch"] as string | undefined) ?? 250,
    clientThreads,
    trainMs: positiveInt("--train-ms", v["train-ms"] as string | undefined) ?? 0,
    gateways,
    leaseMs: positiveInt("--lease-ms", v["lease-ms"] as string | undefined),
    killLeaderInRound,
    help,
  };
}
