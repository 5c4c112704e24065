/**
 * Redis disconnects a pub/sub subscriber whose unsent output passes `client-output-buffer-limit
 * pubsub` (default: 32 MB at once, or 8 MB for 60 s) — and what was published to it meanwhile is
 * lost. A round:start carries the client's table (222 KB for ML-100K's shapes) and goes to every
 * gateway, so a round of a few hundred participants passes the default, and a gateway then never
 * delivers some round:starts and answers (measured: 151 of 500 participants never got round 1's
 * table). Gateways need the limit off: `client-output-buffer-limit pubsub 0 0 0`.
 */
import type { Redis } from "ioredis";

/** The warning for this Redis's pub/sub output limit, or null when it is off. */
export async function pubsubBufferWarning(redis: Redis, where: string): Promise<string | null> {
  let setting: string;
  try {
    const reply = (await redis.config("GET", "client-output-buffer-limit")) as unknown as string[];
    setting = reply[1] ?? "";
  } catch (error) {
    return `${where}: cannot read client-output-buffer-limit (${(error as Error).message}); make sure "pubsub 0 0 0" is set (docs/deploy.md)`;
  }
  const pubsub = /pubsub (\d+) (\d+) (\d+)/.exec(setting);
  if (pubsub && pubsub[1] === "0" && pubsub[2] === "0") return null;
  return (
    `${where}: client-output-buffer-limit is "${pubsub?.[0] ?? setting}": a gateway that falls behind is disconnected ` +
    `and loses round messages; set "client-output-buffer-limit pubsub 0 0 0" (docs/deploy.md)`
  );
}
