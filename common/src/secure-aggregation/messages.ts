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
import * as v from "valibot";
import { describeValue, issueLines } from "../schema/issue-lines.ts";
import { fields, integerIn, list, text } from "../schema/message-fields.ts";
import { MAX_GROUP_SIZE } from "./group-plan.ts";
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

/** Client ids are uint32: they are bound into the envelopes' associated data as 4 bytes. */
const clientId = integerIn(0, 0xffffffff);

/** Exactly `length` bytes (the binary codec has turned the wire's Buffer or ArrayBuffer into a Uint8Array). */
function bytes(length: number) {
  return v.pipe(
    v.custom<Uint8Array>(
      (x) => x instanceof Uint8Array,
      (issue) => `expected ${length} bytes, got ${describeValue(issue.input)}`,
    ),
    v.check(
      (x) => x.length === length,
      (issue) => `expected ${length} bytes, got ${(issue.input as Uint8Array).length}`,
    ),
  );
}

const MAX_PEERS = MAX_GROUP_SIZE - 1;

const KeyAdvertisementSchema = fields({ client: clientId, encryptionKey: bytes(KEY_BYTES), maskKey: bytes(KEY_BYTES) });
const RosterSchema = fields({
  session: text(/^[^\p{Cc}]{1,200}$/u),
  threshold: integerIn(2, MAX_GROUP_SIZE),
  keys: list(KeyAdvertisementSchema, MAX_GROUP_SIZE),
});
const ShareKeysSchema = fields({
  client: clientId,
  selfMaskCommitment: bytes(KEY_BYTES),
  envelopes: list(fields({ to: clientId, envelope: bytes(ENVELOPE_BYTES) }), MAX_PEERS),
});
const ShareDeliverySchema = fields({ envelopes: list(fields({ from: clientId, envelope: bytes(ENVELOPE_BYTES) }), MAX_PEERS) });
const SurvivorListSchema = fields({ survivors: list(clientId, MAX_GROUP_SIZE) });
const revealed = list(fields({ owner: clientId, share: bytes(SHARE_BYTES) }), MAX_GROUP_SIZE);
const UnmaskingSchema = fields({ client: clientId, maskKeyShares: revealed, selfMaskShares: revealed });

function maskedInputSchema(length: number) {
  return fields({
    client: clientId,
    masked: v.pipe(
      v.custom<Uint32Array>(
        (x) => x instanceof Uint32Array,
        (issue) => `expected a Uint32Array, got ${describeValue(issue.input)}`,
      ),
      v.check(
        (x) => x.length === length,
        (issue) => `expected ${length} entries (the table's), got ${(issue.input as Uint32Array).length}`,
      ),
    ),
  });
}

/** The message checked by `schema`, or a `malformed` error naming every problem with its path. */
function parsed<S extends v.GenericSchema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new SecureAggregationError("malformed", issueLines(result.issues, what, ": ").join("; "));
  return result.output;
}

export function parseKeyAdvertisement(value: unknown): KeyAdvertisement {
  return parsed(KeyAdvertisementSchema, value, "key advertisement");
}

export function parseRoster(value: unknown): Roster {
  return parsed(RosterSchema, value, "roster");
}

export function parseShareKeys(value: unknown): ShareKeysMessage {
  return parsed(ShareKeysSchema, value, "share-keys message");
}

export function parseShareDelivery(value: unknown): ShareDelivery {
  return parsed(ShareDeliverySchema, value, "share delivery");
}

export function parseMaskedInput(value: unknown, length: number): MaskedInput {
  return parsed(maskedInputSchema(length), value, "masked input");
}

export function parseSurvivorList(value: unknown): SurvivorList {
  return parsed(SurvivorListSchema, value, "survivor list");
}

export function parseUnmasking(value: unknown): UnmaskingMessage {
  return parsed(UnmaskingSchema, value, "unmasking message");
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
