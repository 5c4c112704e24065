/**
 * Test helpers: a coordinator on a random free port of 127.0.0.1 with an in-memory database and
 * fixed tokens, and a synthetic dataset with stand-in profile embeddings.
 */
import { bagOfWordsEncoder, bagOfWordsIdentity } from "@fedrec/common/testing";
import {
  DEFAULT_CONFIG,
  generateSyntheticDataset,
  resolveConfig,
  type Dataset,
  type EncoderIdentity,
  type FederationConfig,
} from "@fedrec/common";
import { Coordinator, type CoordinatorOptions, type NewFederation } from "../coordinator/coordinator.ts";

export const CODE = "TEST42";
export const JOIN_TOKEN = "join-token-for-tests";
export const ADMIN_TOKEN = "admin-token-for-tests";

export interface TestWorld {
  readonly dataset: Dataset;
  readonly profiles: Float32Array[];
  /** The stand-in encoder's identity, with the configuration's pooling. */
  readonly encoder: EncoderIdentity;
  readonly config: FederationConfig;
}

/** The width of the test worlds' stand-in profile embeddings. */
export const TEST_PROFILE_DIM = 32;

export async function testWorld(numUsers: number, overrides: object = {}, numItems = 120): Promise<TestWorld> {
  const dataset = generateSyntheticDataset({ numUsers, numItems });
  const profiles = await bagOfWordsEncoder(TEST_PROFILE_DIM).encode(dataset.users.map((u) => u.profileText));
  const config = resolveConfig(DEFAULT_CONFIG, { evalNegatives: 49, minClientsToStart: numUsers, ...overrides });
  return { dataset, profiles, encoder: bagOfWordsIdentity(TEST_PROFILE_DIM, config.pooling, config.encoderPrecision), config };
}

export function startTestCoordinator(world: TestWorld, options: Partial<CoordinatorOptions> = {}): Promise<Coordinator> {
  return Coordinator.start({
    port: 0,
    database: ":memory:",
    tickMs: 20,
    log: () => {},
    federations: [testFederation(world)],
    ...options,
  });
}

/** Resolves when `predicate` holds, polling every 10 ms; fails after `ms`. */
export async function waitUntil(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The test world's federation, as a test coordinator and every gateway of a test cluster are started with it. */
export function testFederation(world: TestWorld): NewFederation & { readonly code: string } {
  return {
    code: CODE,
    joinToken: JOIN_TOKEN,
    adminToken: ADMIN_TOKEN,
    catalogue: {
      dataset: world.dataset.name,
      numItems: world.dataset.numItems,
      profileDim: world.profiles[0]!.length,
      encoder: world.encoder,
    },
    config: world.config,
  };
}
