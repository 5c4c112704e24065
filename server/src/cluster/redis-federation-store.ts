/**
 * Creating and reading federations in Redis (the RedisJournal writes them). Creation is
 * first-come: every gateway may be started with the same federation and only the first creates it.
 */
import type { Redis } from "ioredis";
import type {
  AcceptedUpload,
  ClientRecord,
  FederationConfig,
  FederationPhase,
  FederationSetup,
  ServerTables,
  StoredFederation,
} from "@fedrec/common";
import { decodeBestRound, decodeCheckpoint, decodeUpload, encodeCheckpoint } from "../coordinator/checkpoint-codec.ts";
import {
  restoreClientRecord,
  restoreConfig,
  restoreOpenRound,
  restorePhase,
  restoreRoundSummary,
  restoreSetup,
} from "../coordinator/stored-state.ts";
import { FEDERATION_CODES_KEY, federationKeys } from "./redis-keys.ts";

/**
 * ARGV[5] "1": only if Redis holds no federation at all. ARGV[6], when given: the encoded round-0
 * checkpoint of a warm start, kept for a reset and as the checkpoint.
 */
const CREATE_IF_ABSENT = `
if ARGV[5] == '1' and redis.call('SCARD', KEYS[3]) > 0 then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('HSET', KEYS[2], 'phase', ARGV[2], 'config', ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[4])
  if ARGV[6] then
    redis.call('SET', KEYS[4], ARGV[6])
    redis.call('SET', KEYS[5], ARGV[6])
  end
  return 1
end
return 0`;

/**
 * Creates the federation unless one with its code exists (or, `onlyIfNone`, unless Redis holds any
 * federation); true if this call created it.
 */
export async function createFederationIfAbsent(
  redis: Redis,
  setup: FederationSetup,
  config: FederationConfig,
  phase: FederationPhase,
  starting: ServerTables | null = null,
  onlyIfNone = false,
): Promise<boolean> {
  const keys = federationKeys(setup.code);
  const warm = starting && [Buffer.from(encodeCheckpoint({ completedRounds: 0, tables: starting, latestMetrics: new Map() }))];
  const created = await redis.eval(
    CREATE_IF_ABSENT,
    5,
    keys.setup,
    keys.settings,
    FEDERATION_CODES_KEY,
    keys.starting,
    keys.checkpoint,
    JSON.stringify(setup),
    phase,
    JSON.stringify(config),
    setup.code,
    onlyIfNone ? "1" : "0",
    ...(warm ?? []),
  );
  return created === 1;
}

export async function federationCodes(redis: Redis): Promise<string[]> {
  return (await redis.smembers(FEDERATION_CODES_KEY)).sort();
}

export async function loadSetup(redis: Redis, code: string): Promise<{ setup: FederationSetup; config: FederationConfig }> {
  const keys = federationKeys(code);
  const [setup, config] = await Promise.all([redis.get(keys.setup), redis.hget(keys.settings, "config")]);
  if (setup === null || config === null) throw new Error(`federation ${code} is listed in Redis but its setup is missing`);
  return { setup: restoreSetup(code, setup), config: restoreConfig(code, config) };
}

/** Everything the aggregation leader restores a federation from, read once this gateway holds the lease (no one else writes). */
export async function loadFederation(redis: Redis, code: string): Promise<StoredFederation> {
  const keys = federationKeys(code);
  const open = await redis.get(keys.open);
  const openRound = open === null ? null : restoreOpenRound(code, open);
  const results = await redis
    .multi()
    .get(keys.setup)
    .hgetall(keys.settings)
    .hgetall(keys.clients)
    .hgetall(keys.history)
    .getBuffer(keys.checkpoint)
    .getBuffer(keys.best)
    .getBuffer(keys.starting)
    .hgetallBuffer(keys.uploads(openRound?.round ?? 0))
    .exec();
  if (!results) throw new Error(`federation ${code}: the Redis transaction was aborted`);
  const [setup, settings, clients, history, checkpoint, best, starting, uploads] = results.map(([error, value]) => {
    if (error) throw error;
    return value;
  }) as [
    string | null,
    Record<string, string>,
    Record<string, string>,
    Record<string, string>,
    Buffer | null,
    Buffer | null,
    Buffer | null,
    Record<string, Buffer>,
  ];
  if (setup === null || settings.config === undefined) throw new Error(`federation ${code} is not in Redis`);
  const records: ClientRecord[] = Object.entries(clients)
    .map(([clientId, json]) => ({ clientId, ...restoreClientRecord(code, json) }))
    .sort((a, b) => a.slot - b.slot);
  const accepted = new Map<string, AcceptedUpload>(Object.entries(uploads).map(([id, bytes]) => [id, decodeUpload(bytes)]));
  return {
    setup: restoreSetup(code, setup),
    config: restoreConfig(code, settings.config),
    phase: restorePhase(code, settings.phase ?? ""),
    clients: records,
    checkpoint: checkpoint && decodeCheckpoint(checkpoint),
    best: best && decodeBestRound(best),
    starting: starting && decodeCheckpoint(starting).tables,
    history: Object.values(history)
      .map((json) => restoreRoundSummary(code, json))
      .sort((a, b) => a.round - b.round),
    openRound: openRound && { ...openRound, accepted },
  };
}
