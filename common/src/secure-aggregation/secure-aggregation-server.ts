/**
 * The server's side of one secure-aggregation session (Bonawitz et al., CCS 2017, Figure 4,
 * honest-but-curious variant) as a state object. `receive…` checks one client message (shape,
 * sender, phase, consistency with the earlier phases) and either stores it or throws a
 * SecureAggregationError without changing anything; `close…` ends a phase with the messages in —
 * the round machine calls it when everyone answered or its deadline passed — and returns what
 * the server broadcasts next. Fewer than t clients left at any close fails the session for good:
 * no sum, never a wrong one.
 *
 * The result is Σ_{u ∈ U3} x_u mod 2^32: the masked inputs summed, minus every survivor's self
 * mask PRG(b_u) (b_u reconstructed from t shares and checked against its commitment), minus the
 * pairwise masks the survivors shared with each client v that dropped after sharing its keys
 * (s_v reconstructed from t shares and checked against its public key).
 */
import { combine } from "shamir-secret-sharing";
import { addMask, expandMask } from "./mask-expansion.ts";
import { agreedKey, commitment, publicKeyOf, sameBytes } from "./key-material.ts";
import { MAX_GROUP_SIZE, MIN_GROUP_SIZE, requireExactly, requireSubset } from "./group-plan.ts";
import {
  parseKeyAdvertisement,
  parseMaskedInput,
  parseShareKeys,
  parseUnmasking,
  requireDistinctKeys,
  type KeyAdvertisement,
  type Roster,
  type ShareDelivery,
  type SurvivorList,
} from "./messages.ts";
import { SecureAggregationError } from "./secure-aggregation-error.ts";

export interface SessionPlan {
  /** Unique per round and group; bound into every key and envelope. */
  readonly session: string;
  /** The group's clients. */
  readonly clients: readonly number[];
  readonly threshold: number;
  /** Entries of every input vector. */
  readonly vectorLength: number;
}

export interface SessionOutcome {
  /** Σ_{u ∈ survivors} x_u mod 2^32. */
  readonly sum: Uint32Array;
  /** U3: the clients whose inputs are in the sum, in increasing order. */
  readonly survivors: readonly number[];
}

type ShareKind = "maskKeyShares" | "selfMaskShares";

type ServerPhase = "advertise" | "share-keys" | "masked-input" | "unmasking" | "reconstructing" | "done" | "failed";

export class SecureAggregationServer {
  private phase: ServerPhase = "advertise";
  private failure = "";
  private readonly keys = new Map<number, KeyAdvertisement>();
  /** Per member of U2: its commitment to b_u and its envelopes by recipient. */
  private readonly shares = new Map<number, { commitment: Uint8Array; envelopes: Map<number, Uint8Array> }>();
  private readonly inputs = new Map<number, Uint32Array>();
  /** Per responder: the revealed shares by owner. */
  private readonly unmaskings = new Map<number, Record<ShareKind, Map<number, Uint8Array>>>();
  private survivors: readonly number[] = [];

  constructor(readonly plan: SessionPlan) {
    const n = plan.clients.length;
    requireSubset(plan.clients, new Set(plan.clients), "the session plan");
    if (n < MIN_GROUP_SIZE || n > MAX_GROUP_SIZE)
      throw new Error(`a session has ${MIN_GROUP_SIZE} to ${MAX_GROUP_SIZE} clients, got ${n}`);
    if (!Number.isInteger(plan.threshold) || plan.threshold <= n / 2 || plan.threshold > n) {
      throw new Error(`the threshold must be an integer above ${n / 2} and at most ${n}, got ${plan.threshold}`);
    }
    if (!Number.isInteger(plan.vectorLength) || plan.vectorLength < 1) throw new Error(`bad vector length ${plan.vectorLength}`);
  }

  get currentPhase(): ServerPhase {
    return this.phase;
  }

  /** Round 0: a client's public keys. */
  receiveKeys(message: unknown): void {
    this.expect("advertise");
    const advertisement = parseKeyAdvertisement(message);
    this.requireNew(advertisement.client, this.keys, new Set(this.plan.clients), "key advertisement");
    requireDistinctKeys([...this.keys.values(), advertisement]);
    this.keys.set(advertisement.client, advertisement);
  }

  /** Ends round 0: U1 and its keys, for every member of U1. */
  closeAdvertising(): Roster {
    this.expect("advertise");
    const members = this.atLeastThreshold([...this.keys.keys()], "advertised their keys");
    this.phase = "share-keys";
    return { session: this.plan.session, threshold: this.plan.threshold, keys: members.map((id) => this.keys.get(id)!) };
  }

  /** Round 1: a member of U1's sealed shares, one for every other member. */
  receiveShares(message: unknown): void {
    this.expect("share-keys");
    const shareKeys = parseShareKeys(message);
    const u1 = new Set(this.keys.keys());
    this.requireNew(shareKeys.client, this.shares, u1, "share-keys message");
    u1.delete(shareKeys.client);
    requireExactly(
      shareKeys.envelopes.map((e) => e.to),
      u1,
      `client ${shareKeys.client}'s envelopes`,
    );
    this.shares.set(shareKeys.client, {
      commitment: shareKeys.selfMaskCommitment,
      envelopes: new Map(shareKeys.envelopes.map((e) => [e.to, e.envelope])),
    });
  }

  /** Ends round 1: U2, and for each member the envelopes the other members sealed for it. */
  closeSharing(): ReadonlyMap<number, ShareDelivery> {
    this.expect("share-keys");
    const u2 = this.atLeastThreshold([...this.shares.keys()], "shared their keys");
    this.phase = "masked-input";
    return new Map(
      u2.map((v) => [
        v,
        {
          envelopes: u2.filter((u) => u !== v).map((u) => ({ from: u, envelope: this.shares.get(u)!.envelopes.get(v)! })),
        },
      ]),
    );
  }

  /** Round 2: a member of U2's masked input. */
  receiveMaskedInput(message: unknown): void {
    this.expect("masked-input");
    const input = parseMaskedInput(message, this.plan.vectorLength);
    this.requireNew(input.client, this.inputs, new Set(this.shares.keys()), "masked input");
    this.inputs.set(input.client, input.masked.slice());
  }

  /** Ends round 2: U3, the clients whose inputs will be summed. */
  closeMaskedInputs(): SurvivorList {
    this.expect("masked-input");
    this.survivors = this.atLeastThreshold([...this.inputs.keys()], "sent masked inputs");
    this.phase = "unmasking";
    return { survivors: this.survivors };
  }

  /** Round 4: a survivor's shares — of s_v for v ∈ U2 \ U3, of b_v for v ∈ U3. */
  receiveUnmasking(message: unknown): void {
    this.expect("unmasking");
    const unmasking = parseUnmasking(message);
    const u3 = new Set(this.survivors);
    this.requireNew(unmasking.client, this.unmaskings, u3, "unmasking message");
    const dropped = new Set([...this.shares.keys()].filter((v) => !u3.has(v)));
    requireExactly(
      unmasking.maskKeyShares.map((s) => s.owner),
      dropped,
      `client ${unmasking.client}'s mask-key shares`,
    );
    requireExactly(
      unmasking.selfMaskShares.map((s) => s.owner),
      u3,
      `client ${unmasking.client}'s self-mask shares`,
    );
    this.unmaskings.set(unmasking.client, {
      maskKeyShares: new Map(unmasking.maskKeyShares.map((x) => [x.owner, x.share])),
      selfMaskShares: new Map(unmasking.selfMaskShares.map((x) => [x.owner, x.share])),
    });
  }

  /** Ends the session: the sum of the survivors' inputs. */
  async closeUnmasking(): Promise<SessionOutcome> {
    this.expect("unmasking");
    const responders = this.atLeastThreshold([...this.unmaskings.keys()], "sent their shares").slice(0, this.plan.threshold);
    this.phase = "reconstructing"; // late unmasking messages are refused while the shares are combined
    const sum = new Uint32Array(this.plan.vectorLength);
    for (const u of this.survivors) addMask(sum, this.inputs.get(u)!, 1);
    try {
      for (const u of this.survivors) {
        const seed = await this.reconstruct(responders, u, "selfMaskShares");
        if (!sameBytes(commitment(seed), this.shares.get(u)!.commitment)) {
          throw new SecureAggregationError("reconstruction-failed", `client ${u}'s self-mask seed does not match its commitment`);
        }
        addMask(sum, expandMask(seed, sum.length), -1);
      }
      const u3 = new Set(this.survivors);
      for (const v of [...this.shares.keys()].filter((id) => !u3.has(id))) {
        this.removePairwiseMasks(sum, v, await this.reconstruct(responders, v, "maskKeyShares"));
      }
    } catch (error) {
      this.fail((error as Error).message);
      throw error;
    }
    this.phase = "done";
    return { sum, survivors: this.survivors };
  }

  /** Subtracts the masks the survivors added with dropped client v, whose s_v is now known. */
  private removePairwiseMasks(sum: Uint32Array, v: number, maskSecretKey: Uint8Array): void {
    if (!sameBytes(publicKeyOf(maskSecretKey), this.keys.get(v)!.maskKey)) {
      throw new SecureAggregationError(
        "reconstruction-failed",
        `client ${v}'s reconstructed mask key does not match its public key`,
      );
    }
    for (const u of this.survivors) {
      const seed = agreedKey(maskSecretKey, this.keys.get(u)!.maskKey, "pairwise-mask", this.plan.session);
      addMask(sum, expandMask(seed, sum.length), u < v ? -1 : 1);
    }
  }

  private async reconstruct(responders: readonly number[], owner: number, kind: ShareKind): Promise<Uint8Array> {
    const shares = responders.map((r) => this.unmaskings.get(r)![kind].get(owner)!);
    try {
      return await combine(shares);
    } catch (error) {
      throw new SecureAggregationError(
        "reconstruction-failed",
        `client ${owner}'s shares do not combine: ${(error as Error).message}`,
      );
    }
  }

  private requireNew<T>(client: number, received: ReadonlyMap<number, T>, allowed: ReadonlySet<number>, what: string): void {
    if (!allowed.has(client)) {
      throw new SecureAggregationError("unknown-client", `${what} from client ${client}, which is not expected in this phase`);
    }
    if (received.has(client)) throw new SecureAggregationError("duplicate", `a second ${what} from client ${client}`);
  }

  /** The ids, sorted; fails the session when fewer than t. */
  private atLeastThreshold(ids: number[], what: string): number[] {
    if (ids.length < this.plan.threshold) {
      const message = `only ${ids.length} of ${this.plan.clients.length} clients ${what}; the threshold is ${this.plan.threshold}`;
      this.fail(message);
      throw new SecureAggregationError("too-few-clients", `session ${this.plan.session}: ${message}`);
    }
    return ids.sort((a, b) => a - b);
  }

  private expect(phase: ServerPhase): void {
    if (this.phase === "failed")
      throw new SecureAggregationError("wrong-phase", `session ${this.plan.session} failed: ${this.failure}`);
    if (this.phase !== phase) {
      throw new SecureAggregationError("wrong-phase", `session ${this.plan.session} is at ${this.phase}, not ${phase}`);
    }
  }

  private fail(message: string): void {
    this.phase = "failed";
    this.failure = message;
  }
}
