/** Command-line options of the coordinator (`npm start`). */
import { CLASSROOM_SETTINGS, CODE_PATTERN, TOKEN_PATTERN } from "@fedrec/common";
import {
  CONFIG_USAGE,
  DATASET_USAGE,
  UsageError,
  configOptions,
  datasetOptions,
  parseCommandLine,
  positiveInt,
  type ConfigOptions,
  type DatasetOptions,
} from "./command-line.ts";

export interface CoordinatorCliOptions extends DatasetOptions, ConfigOptions {
  readonly port: number;
  readonly host: string;
  readonly database: string;
  /** Start over: delete the database first. */
  readonly fresh: boolean;
  /** Continue the saved federation as saved, even if finished (it then serves its best tables). */
  readonly resume: boolean;
  /** Keep the saved federation aside (its database moved to <name>-<CODE>.sqlite) and start a new one. */
  readonly startNew: boolean;
  /** Fixed join code and tokens (scripts, tests); random by default. */
  readonly code: string | null;
  readonly joinToken: string | null;
  readonly adminToken: string | null;
  /** Headless clients (dataset users 0..K-1) started beside the coordinator. */
  readonly demoClients: number;
  /** Wait for the admin's "start" instead of starting rounds as soon as clients are there. */
  readonly manualStart: boolean;
  /** A new federation starts from the item table in this file (`npm run pretrain`). */
  readonly warmStart: string | null;
  /** PEM files to serve HTTPS/WSS with (null: plain HTTP). */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** A Redis URL: run as one gateway of a cluster sharing the federation through Redis (docs/deploy.md); null: SQLite. */
  readonly redis: string | null;
  /** With --redis: the address other gateways reach this one at (null: its listening address). */
  readonly advertise: string | null;
  /** With --redis: the leader lease's time to live (ms; null: the cluster's default). */
  readonly leaseMs: number | null;
  readonly help: boolean;
}

export const COORDINATOR_USAGE = `Usage: npm start -- [options]

Starts the coordinator (express + socket.io) with one federation over the dataset's item catalogue,
or resumes the federation saved in --db. A saved federation that has not finished is resumed when
the command line agrees with it (same dataset; same settings when configuration flags are given),
and refused with the differences otherwise. A finished one is kept aside — the database is moved,
intact, to <db name>-<CODE>.sqlite — and a new federation starts with a new join code. One line
says which happened.

  --port N              listening port (default: $PORT, else 8080; 0 = any free port)
  --host ADDR           listening address (default 0.0.0.0: reachable from the classroom LAN)
  --db FILE             SQLite database (default .data/coordinator.sqlite)
  --resume              continue the saved federation as saved, even if finished (it then serves its
                        best round's tables to late joiners)
  --new                 keep the saved federation aside (as above) and start a new one
  --fresh               delete --db first and create a new federation
  --code CODE           join code of a new federation (default: random, 6 characters)
  --join-token T, --admin-token T   fixed tokens of a new federation (default: random)
  --demo-clients K      also run K headless clients (dataset users 0..K-1) in this process
  --manual-start        new federation waits for "start" from the admin
  --classroom           a lesson: --manual-start, and under your own settings
                        ${Object.entries(CLASSROOM_SETTINGS)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(", ")}
  --warm-start FILE     a new federation starts from the item table FILE holds (written by
                        \`npm run pretrain\` over the same dataset and settings); checked on load
  --tls-cert FILE, --tls-key FILE   serve HTTPS and WSS only, with this PEM certificate (chain) and
                        key (README, "HTTPS"); the printed links then use https://
  --redis URL           run as one gateway of a cluster: the federation lives in Redis (redis://host:port),
                        shared by every gateway started with the same URL; one of them aggregates
                        (docs/deploy.md). --db, --fresh, --resume, --new and --tls-* do not apply
  --advertise URL       with --redis: this gateway's address for the other gateways (default: its
                        listening address; give it when the gateways run on several machines)
  --lease-ms N          with --redis: the leader lease's time to live (default 3000): a dead leader is
                        replaced within it, and a leader whose event loop stalls for over a third of
                        it may step down (docs/deploy.md: size it for large federations)
${DATASET_USAGE}
${CONFIG_USAGE}
  --help
`;

export function parseCoordinatorArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CoordinatorCliOptions {
  const v = parseCommandLine(argv, {
    port: { type: "string" },
    host: { type: "string" },
    db: { type: "string" },
    fresh: { type: "boolean" },
    resume: { type: "boolean" },
    new: { type: "boolean" },
    code: { type: "string" },
    "join-token": { type: "string" },
    "admin-token": { type: "string" },
    "demo-clients": { type: "string" },
    "manual-start": { type: "boolean" },
    "warm-start": { type: "string" },
    classroom: { type: "boolean" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    redis: { type: "string" },
    advertise: { type: "string" },
    "lease-ms": { type: "string" },
  });
  const text = (key: string) => v[key] as string | undefined;
  const portText = text("port") ?? env.PORT ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port (or PORT) must be an integer in [0, 65535], got "${portText}"`);
  }
  const demoText = text("demo-clients") ?? "0";
  const demoClients = Number(demoText);
  if (!Number.isInteger(demoClients) || demoClients < 0)
    throw new UsageError(`--demo-clients must be a whole number, got "${demoText}"`);
  const modes = (["fresh", "resume", "new"] as const).filter((flag) => v[flag] === true);
  if (modes.length > 1) throw new UsageError(`--${modes.join(" and --")} exclude each other: choose one`);
  const redis = text("redis") ?? null;
  if (redis !== null && !/^rediss?:\/\/./.test(redis)) throw new UsageError(`--redis must be a redis:// URL, got "${redis}"`);
  if (redis !== null && modes.length > 0) throw new UsageError(`--${modes[0]} applies to the SQLite database, not to --redis`);
  const advertise = text("advertise") ?? null;
  if (advertise !== null && redis === null) throw new UsageError("--advertise applies to a gateway started with --redis");
  if (advertise !== null && !/^https?:\/\/./.test(advertise))
    throw new UsageError(`--advertise must be an http(s):// URL, got "${advertise}"`);
  const leaseMs = positiveInt("--lease-ms", text("lease-ms"));
  if (leaseMs !== null && redis === null) throw new UsageError("--lease-ms applies to a gateway started with --redis");
  const code = text("code") ?? null;
  if (code !== null && !CODE_PATTERN.test(code)) throw new UsageError(`--code must be 4–32 letters or digits, got "${code}"`);
  for (const flag of ["join-token", "admin-token"]) {
    const token = text(flag);
    if (token !== undefined && !TOKEN_PATTERN.test(token)) {
      throw new UsageError(`--${flag} must be 8–128 characters of A–Z a–z 0–9 _ -`);
    }
  }
  const classroom = v.classroom === true;
  const config = configOptions(v);
  const certFile = text("tls-cert");
  const keyFile = text("tls-key");
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together: give the certificate and its private key");
  }
  // Refused rather than ignored: the gateways serve plain HTTP (docs/deploy.md: TLS ends at the balancer).
  if (certFile !== undefined && redis !== null) throw new UsageError("--tls-cert and --tls-key do not apply to --redis gateways");
  return {
    ...datasetOptions(v),
    ...config,
    overrides: classroom ? { ...CLASSROOM_SETTINGS, ...config.overrides } : config.overrides,
    port,
    host: text("host") ?? "0.0.0.0",
    database: text("db") ?? ".data/coordinator.sqlite",
    fresh: v.fresh === true,
    resume: v.resume === true,
    startNew: v.new === true,
    code,
    joinToken: text("join-token") ?? null,
    adminToken: text("admin-token") ?? null,
    demoClients,
    manualStart: classroom || v["manual-start"] === true,
    warmStart: text("warm-start") ?? null,
    tls: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : null,
    redis,
    advertise,
    leaseMs,
    help: v.help === true,
  };
}
