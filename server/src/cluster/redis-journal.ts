/**
 * The federation journal on Redis, written by the aggregation leader only. The round machine's
 * journal is synchronous; Redis is not, so each write is issued at once on one connection (Redis
 * runs a connection's commands in order) and `afterWrites` runs a callback once every write so
 * far is confirmed: the leader acknowledges joins and uploads, and announces rounds, only then.
 *
 * Every write is one Lua script that first checks the leader lease still names this leader
 * (fencing): a leader that lost its lease — paused, cut off — cannot overwrite its successor's
 * state. A failed write is fatal for this leadership (`onFailure`): the leader steps down and the
 * next one reloads the last confirmed state from Redis.
 */
import type { Redis } from "ioredis";
import type {
  AcceptedUpload,
  BestRound,
  Checkpoint,
  ClientRecord,
  FederationConfig,
  FederationJournal,
  FederationPhase,
  RoundSummary,
  ServerTables,
} from "@fedrec/common";
import { encodeBestRound, encodeCheckpoint, encodeUpload } from "../coordinator/checkpoint-codec.ts";
import { LEADER_LEASE_KEY, federationKeys } from "./redis-keys.ts";

/**
 * Runs the commands after ARGV[1] (each as: argument count, then the arguments) if the lease is
 * ours. `DEL-OPEN-UPLOADS <open key> <uploads prefix>` deletes the open round's uploads, whose
 * round only Redis knows after a takeover.
 */
const FENCED_WRITE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('NOTLEADER this gateway no longer holds the aggregation lease')
end
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  if ARGV[i + 1] == 'DEL-OPEN-UPLOADS' then
    local open = redis.call('GET', ARGV[i + 2])
    if open then redis.call('DEL', ARGV[i + 3] .. cjson.decode(open).round) end
  else
    redis.call(unpack(ARGV, i + 1, i + n))
  end
  i = i + n + 1
end
return 'OK'`;

type Command = readonly (string | Buffer)[];

export class RedisJournal implements FederationJournal {
  private writes: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(
    private readonly redis: Redis,
    /** This leader's lease token. */
    private readonly leaseToken: string,
    private readonly onFailure: (error: Error) => void,
  ) {}

  /** Runs `action` once every write issued so far is confirmed; never, if one of them failed. */
  afterWrites(action: () => void): void {
    void this.writes.then(action, () => {});
  }

  /** Resolves once every write issued so far is confirmed; rejects if one failed. */
  confirmed(): Promise<void> {
    return this.writes;
  }

  clientRegistered(code: string, client: ClientRecord): void {
    const record = JSON.stringify({ slot: client.slot, secretDigest: client.secretDigest });
    this.write([["HSET", federationKeys(code).clients, client.clientId, record]]);
  }

  roundOpened(code: string, round: number, participants: readonly string[]): void {
    this.write([["SET", federationKeys(code).open, JSON.stringify({ round, participants })]]);
  }

  uploadAccepted(code: string, round: number, clientId: string, upload: AcceptedUpload): void {
    this.write([["HSET", federationKeys(code).uploads(round), clientId, Buffer.from(encodeUpload(upload))]]);
  }

  roundCompleted(code: string, summary: RoundSummary, checkpoint: Checkpoint, best: BestRound<ServerTables> | null): void {
    const keys = federationKeys(code);
    this.write([
      ...(best ? [["SET", keys.best, Buffer.from(encodeBestRound(best))]] : []),
      ["HSET", keys.history, String(summary.round), JSON.stringify(summary)],
      ["SET", keys.checkpoint, Buffer.from(encodeCheckpoint(checkpoint))],
      ["DEL", keys.open, keys.uploads(summary.round)],
    ]);
  }

  settingsChanged(code: string, phase: FederationPhase, config: FederationConfig): void {
    this.write([["HSET", federationKeys(code).settings, "phase", phase, "config", JSON.stringify(config)]]);
  }

  federationReset(code: string, tables: ServerTables): void {
    const keys = federationKeys(code);
    const checkpoint = encodeCheckpoint({ completedRounds: 0, tables, latestMetrics: new Map() });
    this.write([
      ["DEL-OPEN-UPLOADS", keys.open, keys.uploadsPrefix],
      ["DEL", keys.history, keys.best, keys.open],
      ["SET", keys.checkpoint, Buffer.from(checkpoint)],
      ["HSET", keys.settings, "phase", "paused"],
    ]);
  }

  /** One atomic, fenced write; a failure ends this leadership. */
  private write(commands: readonly Command[]): void {
    if (this.failure) return;
    const args = commands.flatMap((c) => [String(c.length), ...c]);
    const done = this.redis.eval(FENCED_WRITE, 1, LEADER_LEASE_KEY, this.leaseToken, ...args).then(
      () => {},
      (error: unknown) => {
        const failure = new Error(`Redis journal write failed: ${(error as Error).message}`);
        if (!this.failure) {
          this.failure = failure;
          this.onFailure(failure);
        }
        throw failure;
      },
    );
    done.catch(() => {}); // observed through `writes`
    const previous = this.writes;
    this.writes = previous.then(() => done);
    this.writes.catch(() => {});
  }
}
