/**
 * Where a federation cluster keeps its state in Redis. One leader lease for the whole cluster;
 * everything else is per federation under `fedrec:fed:<code>:`.
 */
export const LEADER_LEASE_KEY = "fedrec:leader";
/** The current leader's HTTP address (other gateways forward the admin API there). */
export const LEADER_URL_KEY = "fedrec:leader-url";
export const FEDERATION_CODES_KEY = "fedrec:federations";
/** The schema of everything below (redis-schema.ts). */
export const SCHEMA_KEY = "fedrec:schema";

/** Pub/sub: requests to the aggregation leader, replies to one gateway, the leader's arrival. */
export const TO_LEADER_CHANNEL = "fedrec:to-leader";
/** Broadcast: the leader's messages for clients and dashboards, each gateway delivers to its own sockets. */
export const TO_GATEWAYS_CHANNEL = "fedrec:to-gateways";
export const LEADER_CHANGED_CHANNEL = "fedrec:leader-changed";
export const toGatewayChannel = (gateway: string) => `fedrec:to-gateway:${gateway}`;

export function federationKeys(code: string) {
  const base = `fedrec:fed:${code}:`;
  return {
    /** JSON FederationSetup (tokens, catalogue, items). */
    setup: `${base}setup`,
    /** Hash: phase, config (JSON). */
    settings: `${base}settings`,
    /** Hash: client id → JSON {slot, secretDigest}. */
    clients: `${base}clients`,
    /** Hash: round → JSON RoundSummary. */
    history: `${base}history`,
    /** Encoded Checkpoint (checkpoint-codec). */
    checkpoint: `${base}checkpoint`,
    /** Encoded best-validation round. */
    best: `${base}best`,
    /** JSON {round, participants} of the open round. */
    open: `${base}open`,
    /** Encoded Checkpoint of round 0 when the federation started from given tables (a warm start), for a reset. */
    starting: `${base}starting`,
    /** Hash: client id → encoded AcceptedUpload of round `round`. */
    uploads: (round: number) => `${base}uploads:${round}`,
    /** What `uploads` prefixes to the round number. */
    uploadsPrefix: `${base}uploads:`,
  };
}
