/**
 * Which schema a cluster's Redis holds. Redis stores the same JSON and binary codecs as the SQLite
 * database (stored-state.ts, checkpoint-codec.ts), so it shares their numbering: SCHEMA_VERSION.
 * The first gateway writes it; every gateway checks it before it serves, and every new aggregation
 * leader before it restores a federation. A Redis with federations but no version was written
 * before the version existed, at schema 8. There is no upgrade of Redis state yet: a schema other
 * than this gateway's is refused, older or newer, in one line that says what to do.
 */
import type { Redis } from "ioredis";
import { SCHEMA_VERSION } from "../coordinator/stored-state.ts";
import { FEDERATION_CODES_KEY, SCHEMA_KEY } from "./redis-keys.ts";

/** The schema of a Redis that holds federations written before SCHEMA_KEY existed. */
export const UNVERSIONED_SCHEMA = 8;

/** Atomically: the stored version, or — when there is none — the one the data present implies, written. */
const CLAIM_SCHEMA = `
local stored = redis.call('GET', KEYS[1])
if stored then return stored end
local version = ARGV[1]
if redis.call('SCARD', KEYS[2]) > 0 then version = ARGV[2] end
redis.call('SET', KEYS[1], version)
return version`;

export class RedisSchemaError extends Error {}

/** Resolves if `redis` holds this gateway's schema (writing it into an empty Redis); throws RedisSchemaError otherwise. */
export async function claimRedisSchema(redis: Redis, where: string): Promise<void> {
  const stored = String(
    await redis.eval(CLAIM_SCHEMA, 2, SCHEMA_KEY, FEDERATION_CODES_KEY, String(SCHEMA_VERSION), String(UNVERSIONED_SCHEMA)),
  );
  const version = /^[1-9][0-9]*$/.test(stored) ? Number(stored) : null;
  if (version === SCHEMA_VERSION) return;
  if (version === null)
    throw new RedisSchemaError(
      `${where}: ${SCHEMA_KEY} is "${stored}", not a schema number (corrupted, or not FedRec Live's Redis?)`,
    );
  if (version > SCHEMA_VERSION)
    throw new RedisSchemaError(
      `${where} holds federation state of schema ${version}, newer than this gateway's ${SCHEMA_VERSION}: run the FedRec Live version that wrote it`,
    );
  throw new RedisSchemaError(
    `${where} holds federation state of schema ${version}, older than this gateway's ${SCHEMA_VERSION}, and Redis state has no upgrade yet: finish its federations with the version that wrote them, or use another Redis`,
  );
}
