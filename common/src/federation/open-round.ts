/**
 * The round in progress and its rules (Flower's vocabulary): the sampled participants, the uploads
 * accepted so far, the deadline, and when it closes — as soon as every participant has uploaded,
 * or at the deadline once `quorum` of them have. Below the quorum at the deadline the round stays
 * open, idle connected clients are added (top-up) and the deadline moves on; nothing accepted is
 * discarded. Under client-level DP a round is Poisson-sampled and closes at the deadline with
 * whatever is in: adding clients would break the sampling the accountant assumes. Once closed, the round's aggregation may still be running: it takes no more uploads
 * (a new one is stale), but a retry of an accepted upload is still answered as accepted.
 */
import { poissonParticipants, sampleParticipants } from "../aggregation/sample-participants.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import { errorReply, type ErrorReply } from "../protocol/protocol-error.ts";
import { streamOf } from "../random/federation-streams.ts";
import type { RandomSource } from "../random/rng.ts";
import type { AcceptedUpload } from "./federation-types.ts";

export type RoundDue = "close" | "top-up" | "wait";

/**
 * Round `round`'s participants among the connected slots (in slot order): `fractionTrain` of them,
 * at least `minTrainClients`, drawn from the round's fork of the seed's sampling stream — the same
 * draw in the simulator and in a live federation with the same clients. Under client-level DP
 * (`poisson`): each connected slot independently with probability `rate`, drawn from `random`.
 */
export function sampleRound(
  config: FederationConfig,
  round: number,
  connectedSlots: readonly number[],
  poisson: { readonly rate: number; readonly random: RandomSource } | null = null,
): number[] {
  if (poisson) return poissonParticipants(connectedSlots, poisson.rate, poisson.random);
  const rng = streamOf(config.seed, "sampling").fork(round);
  return sampleParticipants(connectedSlots, config.fractionTrain, config.minTrainClients, rng);
}

export class OpenRound {
  readonly participants: Set<string>;
  readonly accepted = new Map<string, AcceptedUpload>();
  /** Socket payload bytes of the round, all clients together. */
  readonly bytes = { in: 0, out: 0 };
  /** Messages rejected during the round, by error code. */
  readonly rejected: Record<string, number> = {};
  /** The round has closed and its aggregation is in flight. */
  closing = false;

  constructor(
    readonly round: number,
    participants: readonly string[],
    /** Unix ms. */
    readonly openedAt: number,
    /** Unix ms. */
    public deadline: number,
  ) {
    this.participants = new Set(participants);
  }

  /** Uploads needed to close at the deadline: `quorum` of the participants, at least one. */
  quorumSize(quorum: number): number {
    return Math.max(1, Math.ceil(quorum * this.participants.size));
  }

  /**
   * What the round does at `now`: close, add idle clients and extend the deadline, or wait.
   * Without `topUp` (client-level DP) it closes at the deadline whatever the quorum.
   */
  due(now: number, quorum: number, topUp = true): RoundDue {
    if (this.accepted.size === this.participants.size) return "close";
    if (now < this.deadline) return "wait";
    return this.accepted.size >= this.quorumSize(quorum) || !topUp ? "close" : "top-up";
  }

  /** Adds participants (top-up); true when any was new. */
  addParticipants(clientIds: readonly string[]): boolean {
    const before = this.participants.size;
    for (const id of clientIds) this.participants.add(id);
    return this.participants.size > before;
  }

  /** Takes out a participant that has not uploaded (an accepted upload stays); true when it was one. */
  removeParticipant(clientId: string): boolean {
    if (!this.waitingFor(clientId)) return false;
    this.participants.delete(clientId);
    return true;
  }

  /** Participants that have not uploaded (yet). */
  waitingFor(clientId: string): boolean {
    return this.participants.has(clientId) && !this.accepted.has(clientId) && !this.closing;
  }

  countRejection(code: string): void {
    this.rejected[code] = (this.rejected[code] ?? 0) + 1;
  }
}

/** Where the federation stands when an upload arrives. */
export interface UploadContext {
  readonly code: string;
  readonly finished: boolean;
  readonly completedRounds: number;
  readonly open: OpenRound | null;
}

/**
 * Which round an upload for `round` from `clientId` may go to, before its arrays are read: the
 * open round, or the reason it cannot (finished, stale-round, wrong-round, not-sampled).
 */
export function roundForUpload(context: UploadContext, clientId: string, round: number): OpenRound | ErrorReply {
  const { open, completedRounds } = context;
  if (context.finished && !open) return errorReply("finished", `federation ${context.code} has finished its rounds`);
  if (round <= completedRounds) {
    return errorReply("stale-round", `round ${round} is closed (${completedRounds} completed); wait for the next round`);
  }
  if (!open || round !== open.round) {
    return errorReply("wrong-round", `round ${round} has not started (current: ${open ? open.round : "none open"})`);
  }
  if (open.closing && !open.accepted.has(clientId)) {
    return errorReply("stale-round", `round ${round} is closed (it is being aggregated); wait for the next round`);
  }
  if (!open.participants.has(clientId)) return errorReply("not-sampled", `client ${clientId} was not sampled in round ${round}`);
  return open;
}

/**
 * An upload for the open round: "new" to accept, "retry" when the client already delivered this
 * very upload (its acknowledgement was lost: answer as accepted), or `duplicate` when it differs.
 */
export function judgeUpload(open: OpenRound, clientId: string, upload: AcceptedUpload): "new" | "retry" | ErrorReply {
  const earlier = open.accepted.get(clientId);
  if (!earlier) return "new";
  if (sameUpload(earlier, upload)) return "retry";
  return errorReply("duplicate", `client ${clientId} already uploaded a different update for round ${open.round}`);
}

function sameUpload(a: AcceptedUpload, b: AcceptedUpload): boolean {
  return (
    a.numExamples === b.numExamples &&
    equalArrays(a.rows, b.rows) &&
    equalArrays(a.values, b.values) &&
    equalArrays(a.userWeights, b.userWeights)
  );
}

function equalArrays(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
