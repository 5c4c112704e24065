/**
 * The aggregation leader's lease: `SET fedrec:leader <token> NX PX <ttl>`, renewed every third of
 * the TTL by a script that extends it only if it still holds this token. A leader that cannot
 * renew (Redis unreachable, or the key names another) steps down before its TTL runs out, so two
 * leaders never act at once for longer than the clock drift; the journal's fenced writes cover
 * the rest. When the leader dies, its key expires and the next attempt of another gateway wins.
 */
import type { Redis } from "ioredis";
import { LEADER_LEASE_KEY } from "./redis-keys.ts";

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface LeaseEvents {
  /** This gateway now holds the lease. */
  acquired(): void;
  /** It lost it (or could not renew in time): stop acting as leader now. */
  lost(reason: string): void;
}

export class LeaderLease {
  private timer: NodeJS.Timeout | null = null;
  private held = false;
  /** When the current lease runs out at the latest (local clock), if not renewed. */
  private expiresAt = 0;

  constructor(
    private readonly redis: Redis,
    /** This gateway's token (unique per process). */
    readonly token: string,
    /** Lease time to live (ms). */
    private readonly ttlMs: number,
    private readonly events: LeaseEvents,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  start(): void {
    const attempt = () => void this.attempt();
    this.timer = setInterval(attempt, Math.max(10, Math.floor(this.ttlMs / 3)));
    attempt();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.held) {
      this.held = false;
      await this.redis.eval(RELEASE, 1, LEADER_LEASE_KEY, this.token).catch(() => {});
    }
  }

  private async attempt(): Promise<void> {
    const startedAt = Date.now();
    if (this.held && startedAt >= this.expiresAt - this.ttlMs / 3) return this.lose("the lease was not renewed in time");
    try {
      if (this.held) {
        const renewed = await this.redis.eval(RENEW, 1, LEADER_LEASE_KEY, this.token, String(this.ttlMs));
        if (renewed !== 1) return this.lose("the lease key names another gateway");
        this.expiresAt = startedAt + this.ttlMs;
      } else if (this.timer) {
        const won = await this.redis.set(LEADER_LEASE_KEY, this.token, "PX", this.ttlMs, "NX");
        if (won === "OK" && this.timer) {
          this.held = true;
          this.expiresAt = startedAt + this.ttlMs;
          this.events.acquired();
        }
      }
    } catch {
      // Redis unreachable: the next attempt retries; a holder steps down once too little lease is left.
    }
  }

  private lose(reason: string): void {
    if (!this.held) return;
    this.held = false;
    this.events.lost(reason);
  }
}
