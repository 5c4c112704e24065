/**
 * A participant's side of a live secure round (docs/secure-aggregation.md, second diagram): one
 * SecureAggregationClient per session the coordinator assigns in round:start. Its keys go up at
 * once, while the client trains; the trained change A_j − T waits on the device until the
 * coordinator has sent both the share delivery and secagg:weight (c_j, S, B), then goes up only as
 * the masked fixed-point vector. The change of a round is kept until the round ends, so a redone
 * attempt (a failed session, a restarted coordinator) joins its new session without training again.
 * A refused server message aborts this client's part in the session, as in the paper.
 */
import { clipUpdate } from "../aggregation/clip-update.ts";
import type { ItemTableUpdate } from "../aggregation/item-table-update.ts";
import type { SecureAssignment } from "../protocol/messages.ts";
import { errorReply, isErrorReply, type ErrorReply } from "../protocol/protocol-error.ts";
import {
  SECAGG_CLIENT_EVENTS,
  secaggFrame,
  parseSecaggFrame,
  parseWeight,
  secureAggregationReply,
  type SecaggClientEvent,
  type SecaggFrame,
  type Weight,
} from "../protocol/secure-aggregation-wire.ts";
import { quantiseChange } from "../secure-aggregation/fixed-point.ts";
import type { RandomBytes } from "../secure-aggregation/key-material.ts";
import { SecureAggregationClient } from "../secure-aggregation/secure-aggregation-client.ts";
import { SecureAggregationError } from "../secure-aggregation/secure-aggregation-error.ts";

export interface SecureRoundHost {
  /** Sends a frame with an acknowledgement; resolves to the answer (null: none came). */
  send(event: SecaggClientEvent, frame: SecaggFrame): Promise<unknown>;
  readonly randomBytes: RandomBytes;
  readonly itemDim: number;
  /** The federation's uploadClipNorm: the coordinator cannot clip a masked change, so the client does. */
  readonly clipNorm: number | null;
  error(error: ErrorReply): void;
}

interface Session {
  readonly round: number;
  readonly session: string;
  readonly protocol: SecureAggregationClient;
  delivery: unknown;
  weight: Weight | null;
  masked: boolean;
}

export class SecureRoundClient {
  private current: Session | null = null;
  private change: { readonly round: number; readonly update: ItemTableUpdate } | null = null;

  constructor(private readonly host: SecureRoundHost) {}

  /** round:start assigned this client a session: a new protocol client, its keys sent now. */
  begin(round: number, assignment: SecureAssignment): void {
    if (this.current?.round === round && this.current.session === assignment.session) return; // round:start sent again
    if (this.change && this.change.round !== round) this.change = null;
    const protocol = new SecureAggregationClient(assignment.client, assignment.session, this.host.randomBytes);
    this.current = { round, session: assignment.session, protocol, delivery: null, weight: null, masked: false };
    void this.answer(this.current, SECAGG_CLIENT_EVENTS.keys, () => protocol.advertiseKeys());
  }

  /** The round's trained change (A_j − T as the rows trained and T), kept until the round ends. */
  trained(round: number, update: ItemTableUpdate): void {
    const bound = this.host.clipNorm;
    this.change = { round, update: bound === null ? update : clipUpdate(update, bound, this.host.itemDim) };
    this.maskWhenReady();
  }

  async roster(payload: unknown): Promise<void> {
    const frame = this.frameFor(payload, "secagg:roster");
    if (frame)
      await this.answer(frame.session, SECAGG_CLIENT_EVENTS.shareKeys, () => frame.session.protocol.shareKeys(frame.body));
  }

  delivery(payload: unknown): void {
    const frame = this.frameFor(payload, "secagg:delivery");
    if (!frame) return;
    frame.session.delivery = frame.body;
    this.maskWhenReady();
  }

  weight(payload: unknown): void {
    const frame = this.frameFor(payload, "secagg:weight");
    if (!frame) return;
    const weight = parseWeight(frame.body, "secagg:weight");
    if (isErrorReply(weight)) return this.host.error(weight);
    frame.session.weight = weight;
    this.maskWhenReady();
  }

  async survivors(payload: unknown): Promise<void> {
    const frame = this.frameFor(payload, "secagg:survivors");
    if (frame) await this.answer(frame.session, SECAGG_CLIENT_EVENTS.unmasking, () => frame.session.protocol.unmask(frame.body));
  }

  /** The masked input, once the delivery, the weight and the trained change are all here. */
  private maskWhenReady(): void {
    const session = this.current;
    const change = this.change;
    if (!session || session.masked || session.delivery === null || !session.weight || change?.round !== session.round) return;
    session.masked = true;
    const { coefficient, range, scale } = session.weight;
    void this.answer(session, SECAGG_CLIENT_EVENTS.masked, () =>
      session.protocol.maskInput(session.delivery, quantiseChange(change.update, this.host.itemDim, coefficient, range, scale)),
    );
  }

  /**
   * The frame's body (binary fields as fresh Uint8Arrays) when it is for the current session;
   * null for a leftover of an earlier attempt (ignored) or a malformed envelope (reported).
   */
  private frameFor(payload: unknown, event: string): { readonly session: Session; readonly body: unknown } | null {
    const frame = parseSecaggFrame(payload, event);
    if (isErrorReply(frame)) {
      this.host.error(frame);
      return null;
    }
    const session = this.current;
    return session && session.round === frame.round && session.session === frame.session ? { session, body: frame.body } : null;
  }

  /** Runs a protocol step and sends its message; a refused server message or a refusal of ours is reported. */
  private async answer(session: Session, event: SecaggClientEvent, step: () => unknown): Promise<void> {
    let message: unknown;
    try {
      message = await step();
    } catch (error) {
      const refusal =
        error instanceof SecureAggregationError
          ? secureAggregationReply(error, event)
          : errorReply("malformed", `${event}: ${(error as Error).message}`);
      return this.host.error(refusal);
    }
    const reply = await this.host.send(event, secaggFrame(session.round, session.session, message));
    if (isErrorReply(reply)) this.host.error(reply);
    else if (reply === null) this.host.error(errorReply("unavailable", `${event}: no answer from the coordinator`));
  }
}
