/**
 * Messages between the gateways and the aggregation leader over Redis pub/sub (msgpack, so the
 * upload and table arrays travel as bytes): requests, answers, and the leader's deliveries to
 * clients. A request names its gateway and an id; the leader answers on
 * that gateway's channel. Pub/sub delivers nothing to nobody: a request published while no leader
 * listens (publish counts 0 receivers) or while Redis is unreachable is known not to have
 * arrived, and is retried until `budgetMs` runs out; the gateway then answers `unavailable`.
 */
import { decode, encode } from "@msgpack/msgpack";
import type { Redis } from "ioredis";
import type { JoinRequest, UploadMessage } from "@fedrec/common";
import { LEADER_CHANGED_CHANNEL, TO_GATEWAYS_CHANNEL, TO_LEADER_CHANNEL, toGatewayChannel } from "./redis-keys.ts";

export type LeaderRequest =
  | { readonly kind: "join"; readonly request: JoinRequest }
  | { readonly kind: "upload"; readonly code: string; readonly clientId: string; readonly message: UploadMessage }
  | { readonly kind: "control"; readonly code: string; readonly payload: unknown }
  | { readonly kind: "status"; readonly code: string };

/** A client's connection is up or down at gateway `gateway` (no answer expected). */
interface Connection {
  readonly code: string;
  readonly clientId: string;
  /** The socket.io id of the connection (a room on every gateway, through the adapter). */
  readonly socket: string;
}

export type PresenceNote = ({ readonly kind: "connect" } & Connection) | ({ readonly kind: "disconnect" } & Connection);

/** A gateway's periodic sign of life: a gateway not heard from for long is dead, and so are its connections. */
export interface Heartbeat {
  readonly kind: "alive";
}

export type ToLeader = (LeaderRequest & { readonly id: number }) | PresenceNote | Heartbeat;
export interface Envelope {
  readonly gateway: string;
  readonly message: ToLeader;
}
/** A message for the sockets in `room` of `namespace`, wherever they are connected. */
export interface Delivery {
  readonly namespace: "/" | "/admin";
  readonly room: string;
  readonly event: string;
  readonly payload: unknown;
}

interface Reply {
  readonly id: number;
  readonly reply: unknown;
}

export class Unavailable extends Error {}

const RETRY_MS = 200;

export class ClusterBus {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: unknown) => void>();
  private leaderChanged: () => void = () => {};
  private delivered: (delivery: Delivery) => void = () => {};
  private serving: ((envelope: Envelope) => void) | null = null;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    readonly gateway: string,
  ) {
    subscriber.on("messageBuffer", (channel: Buffer, payload: Buffer) => this.receive(channel.toString(), payload));
  }

  async start(onLeaderChanged: () => void, onDelivery: (delivery: Delivery) => void): Promise<void> {
    this.leaderChanged = onLeaderChanged;
    this.delivered = onDelivery;
    await this.subscriber.subscribe(toGatewayChannel(this.gateway), LEADER_CHANGED_CHANNEL, TO_GATEWAYS_CHANNEL);
  }

  /**
   * Sends `request` to the leader and resolves with its answer. Retried while it surely did not
   * arrive; `retryDelivered` also retries after an answer that never came (only for idempotent
   * requests). Rejects with Unavailable when `budgetMs` has passed.
   */
  async request(request: LeaderRequest, budgetMs: number, retryDelivered: boolean): Promise<unknown> {
    const deadline = Date.now() + budgetMs;
    let reason = "no aggregation leader";
    while (Date.now() < deadline) {
      const id = this.nextId++;
      const answered = new Promise<unknown>((resolve) => this.waiting.set(id, resolve));
      let delivered: boolean;
      try {
        delivered = (await this.publish(TO_LEADER_CHANNEL, { gateway: this.gateway, message: { ...request, id } })) > 0;
        if (!delivered) reason = "no aggregation leader is listening (an election is under way)";
      } catch (error) {
        delivered = false;
        reason = `Redis is unreachable (${(error as Error).message})`;
      }
      if (delivered) {
        const reply = await Promise.race([answered, delay(Math.max(0, deadline - Date.now())).then(() => NO_ANSWER)]);
        this.waiting.delete(id);
        if (reply !== NO_ANSWER) return reply;
        reason = "the aggregation leader did not answer";
        if (!retryDelivered) break;
      } else {
        this.waiting.delete(id);
        await delay(RETRY_MS);
      }
    }
    throw new Unavailable(reason);
  }

  /** A presence note or heartbeat; lost if Redis is unreachable (the gateways announce again when it returns). */
  notify(note: PresenceNote | Heartbeat): void {
    this.publish(TO_LEADER_CHANNEL, { gateway: this.gateway, message: note }).catch(() => {});
  }

  /** The leader's side: receive requests (one leader at a time: the lease decides). */
  async serve(handler: (envelope: Envelope) => void): Promise<void> {
    this.serving = handler;
    await this.subscriber.subscribe(TO_LEADER_CHANNEL);
    await this.publish(LEADER_CHANGED_CHANNEL, this.gateway);
  }

  async stopServing(): Promise<void> {
    this.serving = null;
    await this.subscriber.unsubscribe(TO_LEADER_CHANNEL).catch(() => {});
  }

  /**
   * The leader's messages to clients and dashboards, on the same connection as its answers: Redis
   * keeps one publisher's order, so a round:start never overtakes the acknowledgement before it.
   */
  deliver(delivery: Delivery): void {
    this.publish(TO_GATEWAYS_CHANNEL, delivery).catch(() => {}); // Redis away: the leader steps down at its next write
  }

  answer(gateway: string, id: number, reply: unknown): void {
    this.publish(toGatewayChannel(gateway), { id, reply } satisfies Reply).catch(() => {}); // the gateway retries or times out
  }

  private publish(channel: string, value: unknown): Promise<number> {
    return this.publisher.publish(channel, Buffer.from(encode(value, { ignoreUndefined: true }))); // absent stays absent, as in JSON
  }

  private receive(channel: string, payload: Buffer): void {
    if (channel === LEADER_CHANGED_CHANNEL) return this.leaderChanged();
    const value = decode(payload) as unknown;
    if (channel === TO_GATEWAYS_CHANNEL) return this.delivered(value as Delivery);
    if (channel === TO_LEADER_CHANNEL) return this.serving?.(value as Envelope);
    const { id, reply } = value as Reply;
    this.waiting.get(id)?.(reply);
  }
}

const NO_ANSWER = Symbol("no answer");
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
