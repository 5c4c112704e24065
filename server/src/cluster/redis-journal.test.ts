/**
 * The Redis journal's fencing on a real redis-server: a leader that no longer holds the lease
 * writes nothing, and its failure is reported once; the holder's writes land, in order, and what
 * waits for them runs after.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisServerPath, startTestRedis, type TestRedis } from "../testing/redis-server.ts";
import { RedisJournal } from "./redis-journal.ts";
import { LEADER_LEASE_KEY, federationKeys } from "./redis-keys.ts";

const missing = redisServerPath() === null ? "redis-server is not installed (apt-get install redis-server; .ci/run does)" : null;

describe.skipIf(missing !== null)(`the Redis journal${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let server: TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.close();
  });

  const keys = federationKeys("FENCE1");
  const client = (slot: number) => ({ clientId: `client-${slot}`, slot, secretDigest: `digest-${slot}` });

  it("refuses every write of a gateway whose lease token is not the lease's, and reports it once", async () => {
    await redis.set(LEADER_LEASE_KEY, "the-new-leader");
    const failures: Error[] = [];
    const deposed = new RedisJournal(redis, "the-old-leader", (error) => failures.push(error));
    let announced = false;
    deposed.clientRegistered("FENCE1", client(0));
    deposed.roundOpened("FENCE1", 1, ["client-0"]);
    deposed.afterWrites(() => (announced = true));
    await expect(deposed.confirmed()).rejects.toThrow(/NOTLEADER/);
    expect(failures).toHaveLength(1);
    expect(announced).toBe(false);
    expect(await redis.exists(keys.clients, keys.open)).toBe(0);
  });

  it("writes the holder's changes in order and runs what waits for them afterwards", async () => {
    await redis.set(LEADER_LEASE_KEY, "the-holder");
    const journal = new RedisJournal(redis, "the-holder", (error) => {
      throw error;
    });
    let clientsWhenAnnounced: Promise<number> | null = null;
    journal.clientRegistered("FENCE1", client(0));
    journal.clientRegistered("FENCE1", client(1));
    journal.afterWrites(() => (clientsWhenAnnounced = redis.hlen(keys.clients)));
    expect(clientsWhenAnnounced).toBeNull(); // never before Redis answered
    journal.roundOpened("FENCE1", 1, ["client-0", "client-1"]);
    journal.roundOpened("FENCE1", 1, ["client-1"]);
    await journal.confirmed();
    expect(await clientsWhenAnnounced).toBe(2);
    expect(JSON.parse((await redis.get(keys.open))!)).toEqual({ round: 1, participants: ["client-1"] });
    expect(JSON.parse((await redis.hget(keys.clients, "client-1"))!)).toEqual({ slot: 1, secretDigest: "digest-1" });
  });
});
