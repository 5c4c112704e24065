/**
 * `npm run clients`: reads the federation's catalogue first, so the clients embed their profiles
 * with the federation's encoder (its pooling; this machine's model files must match the
 * coordinator's), then runs the dataset users as headless clients.
 */
import {
  encoderMismatch,
  isErrorReply,
  parseCatalogue,
  type Catalogue,
  type Dataset,
  type EncoderIdentity,
} from "@fedrec/common";
import { withEmbeddingCache } from "../encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../encoder/minilm-encoder.ts";
import { miniLmIdentity } from "../encoder/model-identity.ts";
import { HeadlessFleet } from "../headless/headless-fleet.ts";
import type { ClientsCliOptions } from "./clients-args.ts";
import { UsageError } from "./command-line.ts";
import { loadCliDataset } from "./load-cli-dataset.ts";

export interface ClientsRun {
  readonly fleet: HeadlessFleet;
  readonly dataset: Dataset;
  /** The encoder the profiles were embedded with (the federation's). */
  readonly encoder: EncoderIdentity;
  readonly profiles: readonly Float32Array[];
  readonly users: readonly number[];
}

/** GET the federation's catalogue with the join token; errors say what to check. */
export async function fetchCatalogue(url: string, code: string, token: string): Promise<Catalogue> {
  const address = `${url}/api/federations/${encodeURIComponent(code)}/catalogue?token=${encodeURIComponent(token)}`;
  let response: Response;
  try {
    response = await fetch(address);
  } catch (error) {
    throw new Error(`cannot reach the coordinator at ${url}: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => null)) as { catalogue?: unknown; message?: string } | null;
  if (!response.ok) throw new Error(`the coordinator at ${url} answered ${response.status}: ${body?.message ?? "no details"}`);
  const catalogue = parseCatalogue(body?.catalogue, "catalogue");
  if (isErrorReply(catalogue))
    throw new Error(`the coordinator at ${url} sent a catalogue this client cannot read: ${catalogue.message}`);
  return catalogue;
}

/** Everything up to connecting: catalogue, dataset, the federation's encoder, embedded profiles. */
export async function prepareClients(
  options: ClientsCliOptions,
  log: (line: string) => void,
  logError: (line: string) => void = log,
): Promise<ClientsRun> {
  const catalogue = await fetchCatalogue(options.url, options.code, options.token);
  const dataset = await loadCliDataset(options);
  if (dataset.numItems !== catalogue.numItems) {
    throw new UsageError(
      `federation ${options.code} recommends ${catalogue.numItems} items of ${catalogue.dataset}, --dataset gives ${dataset.numItems} items of ${dataset.name}`,
    );
  }
  const count = options.count ?? dataset.users.length - options.first;
  if (options.first + count > dataset.users.length) {
    throw new UsageError(
      `${dataset.name} has ${dataset.users.length} users; --first ${options.first} --count ${count} is past the end`,
    );
  }
  const encoder = await miniLmIdentity(catalogue.encoder.pooling, catalogue.encoder.precision);
  const mismatch = encoderMismatch(catalogue.encoder, encoder);
  if (mismatch !== null) throw new Error(`federation ${options.code}: ${mismatch}`);
  const users = Array.from({ length: count }, (_, i) => options.first + i);
  const embedder = withEmbeddingCache(createMiniLmEncoder(encoder.pooling, encoder.precision));
  const embedded = await embedder.encode(users.map((u) => dataset.users[u]!.profileText));
  const profiles: Float32Array[] = [];
  users.forEach((u, i) => (profiles[u] = embedded[i]!));
  log(
    `${count} clients of ${dataset.name} (users ${options.first}–${options.first + count - 1}), profiles embedded with ${embedder.id}`,
  );
  const fleet = new HeadlessFleet({
    url: options.url,
    code: options.code,
    token: options.token,
    dataset,
    profiles,
    encoder,
    users,
    onError: (user, error) => logError(`client ${user}: ${error.code}: ${error.message}`),
  });
  return { fleet, dataset, encoder, profiles, users };
}
