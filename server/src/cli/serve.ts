/**
 * `npm start`: the coordinator with one federation over the chosen dataset's catalogue (or the
 * federation saved in --db, when it is to be resumed: saved-federation.ts), its links printed,
 * and optionally K headless demo clients.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { availableParallelism, networkInterfaces } from "node:os";
import { dirname } from "node:path";
import { datasetUserLabel, type Catalogue, type Dataset, type FederationConfig, type FederationSetup } from "@fedrec/common";
import { Coordinator, type NewFederation } from "../coordinator/coordinator.ts";
import type { PersonaSource } from "../coordinator/http-api.ts";
import { SqliteStore, type FederationSummary } from "../coordinator/sqlite-store.ts";
import { withEmbeddingCache } from "../encoder/embedding-cache.ts";
import { createMiniLmEncoder, MINILM_DIMENSION } from "../encoder/minilm-encoder.ts";
import { miniLmIdentity } from "../encoder/model-identity.ts";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import { createWorkerAggregator } from "../aggregation/worker-aggregator.ts";
import { roundSummaryLine } from "../report/round-summary-line.ts";
import { webRoutes } from "../web/web-routes.ts";
import { UsageError } from "./command-line.ts";
import type { CoordinatorCliOptions } from "./coordinator-args.ts";
import { checkWarmStartFits, decodeWarmStart, WarmStartError, type WarmStart } from "../warm-start/warm-start-file.ts";
import { loadCliDataset } from "./load-cli-dataset.ts";
import { loadConfig } from "./load-config.ts";
import { planStart, setAside } from "./saved-federation.ts";
import { loadTls, loopbackName, type TlsMaterial } from "./tls-files.ts";

export interface Serving {
  readonly coordinator: Coordinator;
  readonly fleet: HeadlessFleet | null;
  close(): Promise<void>;
}

export async function serve(options: CoordinatorCliOptions, log: (line: string) => void = console.log): Promise<Serving> {
  const { config, dataset, federation } = await federationFromOptions(options, log);
  const tls = options.tls ? await loadTls(options.tls) : null;
  const demoHost = tls ? demoClientHost(tls, options.demoClients) : "127.0.0.1";
  if (options.database !== ":memory:") await prepareDatabase(options, federation.catalogue, config, log);
  const totals = new Map<string, number>();
  // Aggregation runs in worker threads, the Gram matrix split over every core.
  const aggregator = await createWorkerAggregator(availableParallelism());
  const coordinator = await Coordinator.start({
    port: options.port,
    host: options.host,
    ...(tls && { tls }),
    database: options.database,
    aggregator: aggregator.aggregate,
    federations: [federation],
    log,
    routes: webRoutes(),
    personas: datasetPersonas(dataset),
    onRoundEnd: (code, summary) => log(roundSummaryLine(code, summary, totals.get(code) ?? summary.round)),
  }).catch(async (error: unknown) => {
    await aggregator.close();
    throw error;
  });
  const port = Number(new URL(coordinator.url).port);
  const scheme = tls ? "https" : "http";
  // Scripts read "listening on HOST:PORT" from this line (e2e, benchmarks): the scheme goes after it.
  log(
    `FedRec Live coordinator listening on ${options.host}:${port}${tls ? " (HTTPS/WSS only)" : ""} (database ${options.database})`,
  );
  for (const federation of coordinator.all()) {
    totals.set(federation.code, federation.config.rounds);
    const setup = federation.setup;
    for (const line of federationLinks(setup, federation.config, publicOrigins(scheme, options.host, port))) log(line);
  }
  let fleet: HeadlessFleet | null = null;
  if (options.demoClients > 0) {
    const demo = { url: `${scheme}://${demoHost}:${port}`, ca: tls?.cert ?? null };
    fleet = await startDemoClients(coordinator, demo, dataset, options.demoClients, log);
    if (!options.manualStart) coordinator.all()[0]!.control("start");
  }
  return {
    coordinator,
    fleet,
    async close() {
      fleet?.close();
      await coordinator.close();
      await aggregator.close();
    },
  };
}

/** Demo personas: the dataset's users, for the dashboard to hand out. */
export function datasetPersonas(dataset: Dataset): PersonaSource {
  return {
    count: dataset.users.length,
    persona: (user) => {
      const record = Number.isInteger(user) ? dataset.users[user] : undefined;
      return record
        ? {
            label: datasetUserLabel(dataset.name, record.sourceId),
            profileText: record.profileText,
            interactions: record.interactions,
          }
        : null;
    },
  };
}

/** The federation the command line describes (created unless the database or Redis holds one already). */
export async function federationFromOptions(
  options: CoordinatorCliOptions,
  log: (line: string) => void,
): Promise<{ config: FederationConfig; dataset: Dataset; federation: NewFederation }> {
  const config = await loadConfig(options);
  const dataset = await loadCliDataset(options);
  const catalogue: Catalogue = {
    dataset: dataset.name,
    numItems: dataset.numItems,
    profileDim: MINILM_DIMENSION,
    encoder: await miniLmIdentity(config.pooling, config.encoderPrecision),
  };
  const warmStart = options.warmStart === null ? null : await readWarmStart(options.warmStart, catalogue, config, log);
  const federation: NewFederation = {
    catalogue,
    items: {
      titles: dataset.itemTitles,
      sourceIds: dataset.itemSourceIds,
      profileTemplate: options.dataset === "ml-100k" ? "movielens-100k" : null,
    },
    config,
    ...(options.code !== null && { code: options.code }),
    ...(options.joinToken !== null && { joinToken: options.joinToken }),
    ...(options.adminToken !== null && { adminToken: options.adminToken }),
    // Demo clients join before the first round opens, so round 1 already has all of them.
    phase: options.manualStart || options.demoClients > 0 ? "paused" : "waiting",
    ...(warmStart !== null && { initialItemTable: warmStart }),
  };
  return { config, dataset, federation };
}

/** The item table of a warm-start file, checked against the federation it is to start. */
async function readWarmStart(
  path: string,
  catalogue: Catalogue,
  config: FederationConfig,
  log: (line: string) => void,
): Promise<Float32Array> {
  const bytes = await readFile(path).catch((error: Error) => {
    throw new UsageError(`--warm-start ${path}: cannot read it (${error.message})`);
  });
  let warm: WarmStart;
  try {
    warm = decodeWarmStart(bytes, `--warm-start ${path}`);
    checkWarmStartFits(warm, catalogue, config, `--warm-start ${path}`);
  } catch (error) {
    if (error instanceof WarmStartError) throw new UsageError(error.message);
    throw error;
  }
  const h = warm.header;
  log(
    `warm start: the item table of round ${h.bestRound} of a pretraining on ${h.dataset} (validation HR@10 ${h.valHr10.toFixed(3)}, ${h.heldOutUsers.length} users held out); a saved federation that is resumed keeps its own tables`,
  );
  return warm.table;
}

/**
 * --fresh deletes the database; otherwise a saved federation is resumed, kept aside or refused
 * (saved-federation.ts), and one line says which.
 */
async function prepareDatabase(
  options: CoordinatorCliOptions,
  catalogue: Catalogue,
  config: FederationConfig,
  log: (line: string) => void,
): Promise<void> {
  const database = options.database;
  if (options.fresh) await Promise.all(["", "-wal", "-shm"].map((suffix) => rm(database + suffix, { force: true })));
  await mkdir(dirname(database), { recursive: true });
  if (!existsSync(database)) return;
  const store = new SqliteStore(database);
  let saved: FederationSummary[];
  try {
    saved = store.summaries();
  } finally {
    store.close();
  }
  const plan = await planStart(
    database,
    saved,
    {
      catalogue,
      config,
      configGiven: options.preset !== null || options.configFile !== null || Object.keys(options.overrides).length > 0,
      code: options.code,
      encoderFor: (federation) => miniLmIdentity(federation.config.pooling, federation.config.encoderPrecision),
    },
    options.resume ? "resume" : options.startNew ? "new" : "default",
  );
  if (plan.kind === "set-aside") setAside(database, plan.archive);
  if (plan.note !== null) log(plan.note);
}

function federationLinks(setup: FederationSetup, config: FederationConfig, origins: readonly string[]): string[] {
  const { code, joinToken, adminToken, catalogue } = setup;
  const [origin, ...others] = origins;
  return [
    `federation ${code}: ${catalogue.numItems} items of ${catalogue.dataset}, ${config.rounds} rounds, ${config.scorer} scorer, ${config.globalUpdate} + server ${config.serverOptimizer}, ${config.distribution}, ${config.negativeExclusion === "train" ? "honest negatives" : "the field's leaky negatives (comparison only)"}`,
    `  join link  ${origin}/?code=${code}&token=${joinToken}`,
    `  admin      ${origin}/admin?code=${code}&token=${adminToken}`,
    `  status     ${origin}/api/status`,
    ...others.map((o) => `  also at    ${o}`),
  ];
}

/** Addresses people can use: the LAN addresses when listening on every interface. */
function publicOrigins(scheme: "http" | "https", host: string, port: number): string[] {
  if (host !== "0.0.0.0" && host !== "::") return [`${scheme}://${host}:${port}`];
  const lan = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === "IPv4" && !i.internal)
    .map((i) => `${scheme}://${i!.address}:${port}`);
  return [...lan, `${scheme}://127.0.0.1:${port}`];
}

/** Demo clients run in this process and connect over loopback: under TLS the certificate must name it. */
function demoClientHost(tls: TlsMaterial, demoClients: number): string {
  const name = loopbackName(tls.cert);
  if (demoClients > 0 && name === null) {
    throw new UsageError(
      "--demo-clients over TLS connect to this machine: the certificate must also be valid for 127.0.0.1 or localhost",
    );
  }
  return name ?? "127.0.0.1";
}

async function startDemoClients(
  coordinator: Coordinator,
  demo: { readonly url: string; readonly ca: Buffer | null },
  dataset: Dataset,
  count: number,
  log: (line: string) => void,
) {
  const federation = coordinator.all()[0]!;
  const setup = federation.setup;
  if (setup.catalogue.numItems !== dataset.numItems) {
    throw new UsageError(
      `--demo-clients: federation ${setup.code} in the database recommends ${setup.catalogue.numItems} items of ${setup.catalogue.dataset}, ` +
        `not ${dataset.name}; pass the same --dataset or --fresh`,
    );
  }
  if (count > dataset.users.length)
    throw new UsageError(`--demo-clients ${count}: ${dataset.name} has ${dataset.users.length} users`);
  const users = [...Array(count).keys()];
  const { pooling, precision } = setup.catalogue.encoder;
  const encoder = withEmbeddingCache(createMiniLmEncoder(pooling, precision));
  const profiles = await encoder.encode(users.map((u) => dataset.users[u]!.profileText));
  const fleet = new HeadlessFleet({
    url: demo.url,
    ca: demo.ca,
    code: setup.code,
    token: setup.joinToken,
    dataset,
    profiles,
    encoder: await miniLmIdentity(pooling, precision),
    users,
    onError: (user, error) => log(`demo client ${user}: ${error.code}: ${error.message}`),
  });
  await fleet.connect();
  log(`${count} demo clients joined (dataset users 0–${count - 1}, profiles embedded with ${encoder.id})`);
  return fleet;
}
