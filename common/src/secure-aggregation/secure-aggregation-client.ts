/**
 * One client's side of a secure-aggregation session (Bonawitz et al., CCS 2017, Figure 4,
 * honest-but-curious variant) as a state object: each method is one round, takes the server's
 * message as `unknown`, checks it, and returns the client's answer. Calling a round out of order
 * (in particular a second unmasking, which could reveal both shares of one peer) is refused, and
 * a refused server message aborts the client's part in the session, as in the paper.
 *
 * The pairwise mask between u and v is +PRG(s_uv) at the lower id and −PRG(s_uv) at the higher,
 * so it cancels in the sum; the self mask PRG(b_u) hides u's input even if its pairwise masks are
 * reconstructed after a late dropout.
 */
import { split } from "shamir-secret-sharing";
import { addMask, expandMask } from "./mask-expansion.ts";
import { agreedKey, commitment, generateKeyPair, KEY_BYTES, sameBytes, type KeyPair, type RandomBytes } from "./key-material.ts";
import {
  parseRoster,
  requireDistinctKeys,
  parseShareDelivery,
  parseSurvivorList,
  type KeyAdvertisement,
  type MaskedInput,
  type ShareKeysMessage,
  type UnmaskingMessage,
} from "./messages.ts";
import { openShares, sealShares, type SharePair } from "./share-envelope.ts";
import { MAX_GROUP_SIZE, requireSubset } from "./group-plan.ts";
import { SecureAggregationError } from "./secure-aggregation-error.ts";

/** "aborted": a round refused the server's message; the client takes no further part (as in the paper). */
type ClientPhase = "advertise" | "share-keys" | "masked-input" | "unmasking" | "done" | "aborted";

export class SecureAggregationClient {
  private phase: ClientPhase = "advertise";
  private readonly encryptionKeys: KeyPair;
  private readonly maskKeys: KeyPair;
  private readonly selfMaskSeed: Uint8Array;
  private threshold = 0;
  private roster = new Map<number, KeyAdvertisement>();
  /** The shares each member of U2 gave this client (its own included). */
  private held = new Map<number, SharePair>();
  /** The envelope key agreed with each peer (sealing in round 1, opening in round 2). */
  private envelopeKeys = new Map<number, Uint8Array>();

  constructor(
    readonly client: number,
    readonly session: string,
    private readonly randomBytes: RandomBytes,
  ) {
    this.encryptionKeys = generateKeyPair(randomBytes);
    this.maskKeys = generateKeyPair(randomBytes);
    this.selfMaskSeed = randomBytes(KEY_BYTES);
  }

  /** Round 0: the two public keys. */
  advertiseKeys(): KeyAdvertisement {
    this.begin("advertise");
    this.phase = "share-keys";
    return { client: this.client, encryptionKey: this.encryptionKeys.publicKey, maskKey: this.maskKeys.publicKey };
  }

  /** Round 1: Shamir shares of s_u and b_u (threshold t), one sealed pair for each member of U1. */
  async shareKeys(rosterMessage: unknown): Promise<ShareKeysMessage> {
    this.begin("share-keys");
    const roster = parseRoster(rosterMessage);
    if (roster.session !== this.session) {
      throw new SecureAggregationError("wrong-phase", `the roster is for session "${roster.session}", not "${this.session}"`);
    }
    const members = roster.keys.map((k) => k.client);
    const own = roster.keys.find((k) => k.client === this.client);
    if (
      !own ||
      !sameBytes(own.encryptionKey, this.encryptionKeys.publicKey) ||
      !sameBytes(own.maskKey, this.maskKeys.publicKey)
    ) {
      throw new SecureAggregationError("malformed", `the roster does not carry client ${this.client}'s own keys`);
    }
    requireDistinctKeys(roster.keys);
    if (!(roster.threshold > members.length / 2 && roster.threshold <= members.length && roster.threshold >= 2)) {
      throw new SecureAggregationError(
        "too-few-clients",
        `threshold ${roster.threshold} for ${members.length} clients: it must exceed half of them and not exceed all`,
      );
    }
    requireSubset(members, new Set(members), "the roster");
    if (members.length > MAX_GROUP_SIZE) {
      throw new SecureAggregationError(
        "malformed",
        `the roster has ${members.length} clients, a session at most ${MAX_GROUP_SIZE}`,
      );
    }
    this.threshold = roster.threshold;
    this.roster = new Map(roster.keys.map((k) => [k.client, k]));
    const maskKeyShares = await split(this.maskKeys.secretKey, members.length, roster.threshold);
    const selfMaskShares = await split(this.selfMaskSeed, members.length, roster.threshold);
    const envelopes = [];
    for (const [i, member] of members.entries()) {
      const pair = { maskKeyShare: maskKeyShares[i]!, selfMaskShare: selfMaskShares[i]! };
      if (member === this.client) {
        this.held.set(member, pair);
        continue;
      }
      const key = agreedKey(
        this.encryptionKeys.secretKey,
        this.roster.get(member)!.encryptionKey,
        "share-encryption",
        this.session,
      );
      this.envelopeKeys.set(member, key);
      envelopes.push({ to: member, envelope: sealShares(key, this.session, this.client, member, pair, this.randomBytes) });
    }
    this.phase = "masked-input";
    return { client: this.client, selfMaskCommitment: commitment(this.selfMaskSeed), envelopes };
  }

  /**
   * Round 2: opens the envelopes from U2 (the members that shared) and masks `input` (the
   * fixed-point vector) with PRG(b_u) and a pairwise mask with each other member of U2.
   */
  maskInput(deliveryMessage: unknown, input: Uint32Array): MaskedInput {
    this.begin("masked-input");
    const delivery = parseShareDelivery(deliveryMessage);
    const senders = delivery.envelopes.map((e) => e.from);
    const others = new Set([...this.roster.keys()].filter((id) => id !== this.client));
    requireSubset(senders, others, "the share delivery");
    if (senders.length + 1 < this.threshold) {
      throw new SecureAggregationError(
        "too-few-clients",
        `only ${senders.length + 1} clients shared their keys, the threshold is ${this.threshold}`,
      );
    }
    for (const { from, envelope } of delivery.envelopes) {
      this.held.set(from, openShares(this.envelopeKeys.get(from)!, this.session, from, this.client, envelope));
    }
    const masked = input.slice();
    addMask(masked, expandMask(this.selfMaskSeed, input.length), 1);
    for (const peer of senders) {
      const seed = agreedKey(this.maskKeys.secretKey, this.roster.get(peer)!.maskKey, "pairwise-mask", this.session);
      addMask(masked, expandMask(seed, input.length), this.client < peer ? 1 : -1);
    }
    this.phase = "unmasking";
    return { client: this.client, masked };
  }

  /**
   * Round 4: for every member of U2, the one share the server may see — of s_v if v dropped
   * (v ∉ U3), of b_v if v's input counts (v ∈ U3). Never both: this round runs once.
   */
  unmask(survivorMessage: unknown): UnmaskingMessage {
    this.begin("unmasking");
    const { survivors } = parseSurvivorList(survivorMessage);
    const sharers = new Set(this.held.keys());
    requireSubset(survivors, sharers, "the survivor list");
    if (!survivors.includes(this.client)) {
      throw new SecureAggregationError(
        "unknown-client",
        `the survivor list leaves out client ${this.client}, which sent its input`,
      );
    }
    if (survivors.length < this.threshold) {
      throw new SecureAggregationError("too-few-clients", `${survivors.length} survivors, the threshold is ${this.threshold}`);
    }
    const alive = new Set(survivors);
    const reveal = (owner: number, share: Uint8Array) => ({ owner, share });
    this.phase = "done";
    return {
      client: this.client,
      maskKeyShares: [...sharers].filter((v) => !alive.has(v)).map((v) => reveal(v, this.held.get(v)!.maskKeyShare)),
      selfMaskShares: survivors.map((v) => reveal(v, this.held.get(v)!.selfMaskShare)),
    };
  }

  /** Checks that `expected` is the current round; until the round succeeds the client counts as aborted. */
  private begin(expected: ClientPhase): void {
    if (this.phase !== expected) {
      const where = this.phase === "aborted" ? "aborted the session after a refused message" : `is at ${this.phase}`;
      throw new SecureAggregationError("wrong-phase", `client ${this.client} ${where}, not at ${expected}`);
    }
    this.phase = "aborted";
  }
}
