/**
 * Participants of a live secure round for the round machine's tests: each runs the protocol core's
 * SecureAggregationClient on what the machine's channel and outbox send it, and answers through
 * `receiveSecure` exactly as the coordinator's gateway would hand its messages over. A client can
 * be told to vanish before one of its messages, and every refusal is kept.
 */
import { randomBytes } from "@noble/hashes/utils.js";
import type { ItemTableUpdate } from "../aggregation/item-table-update.ts";
import type { SecureChannel } from "../federation/federation-types.ts";
import type { SecureServerMessage } from "../federation/secure-round.ts";
import type { ErrorReply } from "../protocol/protocol-error.ts";
import { SECAGG_CLIENT_EVENTS, type SecaggClientEvent } from "../protocol/secure-aggregation-wire.ts";
import { quantiseChange } from "../secure-aggregation/fixed-point.ts";
import { SecureAggregationClient } from "../secure-aggregation/secure-aggregation-client.ts";
import { clientId, type MachineHarness } from "./machine-harness.ts";

interface Participant {
  readonly slot: number;
  readonly round: number;
  readonly session: string;
  readonly protocol: SecureAggregationClient;
  readonly table: Float32Array;
  delivery: unknown;
}

export class ScriptedSecureClients {
  readonly refusals: ErrorReply[] = [];
  /** Clients that stop before sending this message (and send nothing after). */
  readonly vanishBefore = new Map<number, SecaggClientEvent>();
  private readonly inbox: { readonly id: string; readonly round: number; readonly message: SecureServerMessage }[] = [];
  private readonly participants = new Map<string, Participant>();
  private seen = 0;
  readonly channel: SecureChannel = { send: (id, round, message) => void this.inbox.push({ id, round, message }) };

  constructor(
    private readonly h: () => MachineHarness,
    /** Client `slot`'s trained change of the table it was sent. */
    private readonly change: (slot: number, table: Float32Array) => ItemTableUpdate,
  ) {}

  /** Handles every round:start and secagg message sent so far, until none is left. */
  async pump(): Promise<void> {
    for (;;) {
      const h = this.h();
      const start = h.sent[this.seen];
      if (start) {
        this.seen++;
        if (start.secure) this.begin(start.clientId, start.round, start.secure.session, start.secure.client, start.table);
        continue;
      }
      const next = this.inbox.shift();
      if (!next) return;
      await this.handle(next.id, next.round, next.message);
    }
  }

  private begin(id: string, round: number, session: string, slot: number, table: Float32Array): void {
    const protocol = new SecureAggregationClient(slot, session, randomBytes);
    this.participants.set(id, { slot, round, session, protocol, table, delivery: null });
    this.send(id, SECAGG_CLIENT_EVENTS.keys, () => protocol.advertiseKeys());
  }

  private async handle(id: string, round: number, message: SecureServerMessage): Promise<void> {
    const p = this.participants.get(id);
    if (!p || p.round !== round || p.session !== message.session) return;
    if (message.kind === "roster") {
      const shares = await p.protocol.shareKeys(message.body);
      this.send(id, SECAGG_CLIENT_EVENTS.shareKeys, () => shares);
    } else if (message.kind === "delivery") {
      p.delivery = message.body;
    } else if (message.kind === "weight") {
      const { coefficient, range, scale } = message.body;
      const itemDim = this.h().machine.config.itemDim;
      const input = quantiseChange(this.change(p.slot, p.table), itemDim, coefficient, range, scale);
      this.send(id, SECAGG_CLIENT_EVENTS.masked, () => p.protocol.maskInput(p.delivery, input));
    } else {
      this.send(id, SECAGG_CLIENT_EVENTS.unmasking, () => p.protocol.unmask(message.body));
    }
  }

  private send(id: string, event: SecaggClientEvent, message: () => unknown): void {
    const p = this.participants.get(id)!;
    const order = Object.values(SECAGG_CLIENT_EVENTS);
    const stop = this.vanishBefore.get(p.slot);
    if (stop !== undefined && order.indexOf(event) >= order.indexOf(stop)) return;
    const refusal = this.h().machine.receiveSecure(clientId(p.slot), event, p.round, p.session, message());
    if (refusal) this.refusals.push(refusal);
  }
}
