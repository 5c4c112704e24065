/**
 * The messages of one secure-aggregation session, phase by phase (Bonawitz et al., CCS 2017,
 * Figure 4, honest-but-curious variant), and their runtime checks. Whatever arrives is `unknown`
 * until a parse function below has checked its shape; membership and consistency across phases
 * are checked by the client and server state objects that receive them.
 *
 *   client → server  KeyAdvertisement    round 0: public keys c_u (share encryption), s_u (masks)
 *   server → clients Roster              U1, everyone's keys, the threshold t
 *   client → server  ShareKeysMessage    round 1: sealed shares of s_u and b_u for each v ∈ U1
 *   server → client  ShareDelivery       the envelopes addressed to this client from U2
 *   client → server  MaskedInput         round 2: y_u = x_u + PRG(b_u) + Σ_v ±PRG(s_uv) mod 2^32
 *   server → clients SurvivorList        U3, whose inputs count
 *   client → server  UnmaskingMessage    round 4: shares of s_v for v ∈ U2\U3, of b_v for v ∈ U3
 */
import { KEY_BYTES } from "./key-material.ts";
import { ENVELOPE_BYTES, SHARE_BYTES } from "./share-envelope.ts";
import { SecureAggregationError } from "./secure-aggregation-error.ts";

export interface KeyAdvertisement {
  readonly client: number;
  /** c_u^PK: agreed with each peer's into the key that seals the shares sent to it. */
  readonly encryptionKey: Uint8Array;
  /** s_u^PK: agreed with each peer's into the seed of their pairwise mask. */
  readonly maskKey: Uint8Array;
}

export interface Roster {
  readonly session: string;
  readonly threshold: number;
  /** U1 in increasing client order. */
  readonly keys: readonly KeyAdvertisement[];
}

export interface SealedShares {
  readonly to: number;
  readonly envelope: Uint8Array;
}

export interface ShareKeysMessage {
  readonly client: number;
  /** SHA-256(b_u), so the server can verify the b_u it reconstructs. */
  readonly selfMaskCommitment: Uint8Array;
  /** One envelope for every other member of U1. */
  readonly envelopes: readonly SealedShares[];
}

export interface DeliveredShares {
  readonly from: number;
  readonly envelope: Uint8Array;
}

/** The envelopes addressed to one client, one from every other member of U2. */
export interface ShareDelivery {
  readonly envelopes: readonly DeliveredShares[];
}

export interface MaskedInput {
  readonly client: number;
  /** The masked fixed-point vector (fixed-point.ts), one uint32 per entry of the item table. */
  readonly masked: Uint32Array;
}

export interface SurvivorList {
  /** U3: the clients whose masked inputs the server accepted, in increasing order. */
  readonly survivors: readonly number[];
}

export interface RevealedShare {
  readonly owner: number;
  readonly share: Uint8Array;
}

export interface UnmaskingMessage {
  readonly client: number;
  /** Shares of s_v for every v in U2 \ U3 (the dropped clients' pairwise masks). */
  readonly maskKeyShares: readonly RevealedShare[];
  /** Shares of b_v for every v in U3, the sender included (the survivors' self masks). */
  readonly selfMaskShares: readonly RevealedShare[];
}

type Fields = Record<string, unknown>;

function malformed(message: string): SecureAggregationError {
  return new SecureAggregationError("malformed", message);
}

function fieldsOf(value: unknown, allowed: readonly string[], what: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw malformed(`${what}: expected an object`);
  }
  const fields = value as Fields;
  const missing = allowed.filter((k) => !(k in fields));
  if (missing.length > 0) throw malformed(`${what}: missing ${missing.join(", ")}`);
  const extra = Object.keys(fields).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw malformed(`${what}: unexpected field(s) ${extra.join(", ")}`);
  return fields;
}

/** Client ids are uint32 (they are bound into the envelopes' associated data as 4 bytes). */
export function clientIdOf(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw malformed(`${what}: expected a client id (an integer in [0, 2^32)), got ${JSON.stringify(value)}`);
  }
  return value;
}

function bytesOf(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(`${what}: expected ${length} bytes`);
  if (value.length !== length) throw malformed(`${what}: expected ${length} bytes, got ${value.length}`);
  return value;
}

function listOf(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw malformed(`${what}: expected a list`);
  return value;
}

export function parseKeyAdvertisement(value: unknown): KeyAdvertisement {
  const f = fieldsOf(value, ["client", "encryptionKey", "maskKey"], "key advertisement");
  const client = clientIdOf(f.client, "key advertisement client");
  const encryptionKey = bytesOf(f.encryptionKey, KEY_BYTES, `client ${client}'s encryption key`);
  const maskKey = bytesOf(f.maskKey, KEY_BYTES, `client ${client}'s mask key`);
  return { client, encryptionKey, maskKey };
}

export function parseRoster(value: unknown): Roster {
  const f = fieldsOf(value, ["session", "threshold", "keys"], "roster");
  if (typeof f.session !== "string" || f.session.length === 0) throw malformed("roster: the session must be a non-empty string");
  if (typeof f.threshold !== "number" || !Number.isInteger(f.threshold))
    throw malformed("roster: the threshold must be an integer");
  return { session: f.session, threshold: f.threshold, keys: listOf(f.keys, "roster keys").map(parseKeyAdvertisement) };
}

export function parseShareKeys(value: unknown): ShareKeysMessage {
  const f = fieldsOf(value, ["client", "selfMaskCommitment", "envelopes"], "share-keys message");
  const client = clientIdOf(f.client, "share-keys client");
  const envelopes = listOf(f.envelopes, `client ${client}'s envelopes`).map((item) => {
    const e = fieldsOf(item, ["to", "envelope"], `client ${client}'s envelope`);
    const to = clientIdOf(e.to, `client ${client}'s envelope recipient`);
    return { to, envelope: bytesOf(e.envelope, ENVELOPE_BYTES, `client ${client}'s envelope to client ${to}`) };
  });
  return { client, selfMaskCommitment: bytesOf(f.selfMaskCommitment, KEY_BYTES, `client ${client}'s commitment`), envelopes };
}

export function parseShareDelivery(value: unknown): ShareDelivery {
  const f = fieldsOf(value, ["envelopes"], "share delivery");
  const envelopes = listOf(f.envelopes, "delivered envelopes").map((item) => {
    const e = fieldsOf(item, ["from", "envelope"], "delivered envelope");
    const from = clientIdOf(e.from, "delivered envelope sender");
    return { from, envelope: bytesOf(e.envelope, ENVELOPE_BYTES, `the envelope from client ${from}`) };
  });
  return { envelopes };
}

export function parseMaskedInput(value: unknown, length: number): MaskedInput {
  const f = fieldsOf(value, ["client", "masked"], "masked input");
  const client = clientIdOf(f.client, "masked input client");
  if (!(f.masked instanceof Uint32Array)) throw malformed(`client ${client}'s masked input: expected a Uint32Array`);
  if (f.masked.length !== length) {
    throw malformed(`client ${client}'s masked input has ${f.masked.length} entries, the table has ${length}`);
  }
  return { client, masked: f.masked };
}

export function parseSurvivorList(value: unknown): SurvivorList {
  const f = fieldsOf(value, ["survivors"], "survivor list");
  return { survivors: listOf(f.survivors, "survivors").map((id) => clientIdOf(id, "survivor")) };
}

export function parseUnmasking(value: unknown): UnmaskingMessage {
  const f = fieldsOf(value, ["client", "maskKeyShares", "selfMaskShares"], "unmasking message");
  const client = clientIdOf(f.client, "unmasking client");
  const shares = (list: unknown, kind: string) =>
    listOf(list, `client ${client}'s ${kind}`).map((item) => {
      const s = fieldsOf(item, ["owner", "share"], `client ${client}'s ${kind}`);
      const owner = clientIdOf(s.owner, `client ${client}'s ${kind} owner`);
      return { owner, share: bytesOf(s.share, SHARE_BYTES, `client ${client}'s ${kind} of client ${owner}`) };
    });
  return {
    client,
    maskKeyShares: shares(f.maskKeyShares, "mask-key shares"),
    selfMaskShares: shares(f.selfMaskShares, "self-mask shares"),
  };
}

/** Bonawitz et al. require all advertised public keys to differ (a copied key would share masks). */
export function requireDistinctKeys(keys: readonly KeyAdvertisement[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    for (const key of [k.encryptionKey, k.maskKey]) {
      const hex = Array.from(key, (b) => b.toString(16).padStart(2, "0")).join("");
      if (seen.has(hex))
        throw new SecureAggregationError("malformed", `client ${k.client} advertises a public key already in use`);
      seen.add(hex);
    }
  }
}
