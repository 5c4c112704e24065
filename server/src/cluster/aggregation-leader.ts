/**
 * The gateway that holds the leader lease runs every federation's round machine: it decides joins
 * and uploads sent by all gateways, closes rounds and aggregates, journals to Redis (fenced by the
 * lease) and — once Redis has confirmed the writes — answers and announces. Answers and
 * announcements leave on one Redis connection, in order; each gateway delivers announcements to
 * its own sockets (a client's go to its room `client:<code>:<id>`, wherever it is connected).
 * Closing a replaced connection on another gateway uses socket.io's Redis adapter.
 */
import type { Redis } from "ioredis";
import type { Server } from "socket.io";
import {
  ADMIN_EVENTS,
  SERVER_EVENTS,
  errorReply,
  Federation,
  inThreadAggregator,
  isErrorReply,
  parseJoinRequest,
  parseUploadMessage,
  type FederationFinished,
  type FederationOutbox,
  type GramKernel,
  type RoundStart,
  type RoundSummary,
  type TableAggregator,
} from "@fedrec/common";
import { applyControl } from "../coordinator/admin-control.ts";
import { checkCatalogue } from "../coordinator/catalogue-check.ts";
import { nodeCredentials } from "../coordinator/credentials.ts";
import { secretDpRandomness } from "../coordinator/crypto-random.ts";
import { welcomeFor } from "../coordinator/welcome.ts";
import { WireTables } from "../coordinator/wire-tables.ts";
import type { ClusterBus, Envelope, LeaderRequest, PresenceNote } from "./cluster-bus.ts";
import { ADMIN_ROOM, CLIENT_ROOM, clientRoom } from "./cluster-rooms.ts";
import { RedisJournal } from "./redis-journal.ts";
import { federationCodes, loadFederation } from "./redis-federation-store.ts";
import { claimRedisSchema } from "./redis-schema.ts";

export interface LeaderOptions {
  readonly tickMs: number;
  /** A gateway not heard from for this long (ms) is dead: its clients are disconnected. */
  readonly gatewayTimeoutMs: number;
  readonly gram?: GramKernel;
  /** Aggregates off the event loop (worker-aggregator.ts); absent: in this thread with `gram`. */
  readonly aggregator?: TableAggregator;
  readonly log: (line: string) => void;
  readonly onRoundEnd?: (code: string, summary: RoundSummary) => void;
}

export class AggregationLeader {
  private readonly federations = new Map<string, Federation>();
  /** Each connected client's connection: its gateway and socket (a late `disconnect` of a replaced one is ignored). */
  private readonly connections = new Map<string, { code: string; clientId: string; gateway: string; socket: string }>();
  /** When each gateway was last heard from (Unix ms). */
  private readonly lastHeard = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly wireTables = new WireTables();
  private timer: NodeJS.Timeout | null = null;
  private readonly journal: RedisJournal;

  private constructor(
    private readonly io: Server,
    private readonly bus: ClusterBus,
    redis: Redis,
    leaseToken: string,
    private readonly options: LeaderOptions,
    onJournalFailure: (error: Error) => void,
  ) {
    this.journal = new RedisJournal(redis, leaseToken, onJournalFailure);
  }

  /** Loads every federation from Redis and starts serving the gateways' requests. */
  static async take(
    io: Server,
    bus: ClusterBus,
    redis: Redis,
    leaseToken: string,
    options: LeaderOptions,
    onJournalFailure: (error: Error) => void,
  ): Promise<AggregationLeader> {
    const leader = new AggregationLeader(io, bus, redis, leaseToken, options, onJournalFailure);
    await claimRedisSchema(redis, "Redis");
    for (const code of await federationCodes(redis)) {
      const { setup, ...state } = await loadFederation(redis, code);
      checkCatalogue(setup.catalogue, state.config, `federation ${code} in Redis`);
      leader.federations.set(
        code,
        new Federation(setup, state, {
          journal: leader.journal,
          outbox: leader.outboxFor(code),
          credentials: nodeCredentials,
          now: () => Date.now(),
          aggregator: options.aggregator ?? inThreadAggregator(options.gram),
          onError: (error) => options.log(`federation ${code}: ${(error as Error).stack ?? String(error)}`),
          dpRandomness: secretDpRandomness(),
        }),
      );
    }
    leader.timer = setInterval(() => leader.tick(), options.tickMs);
    await bus.serve((envelope) => void leader.receive(envelope));
    return leader;
  }

  find(code: string): Federation | undefined {
    return this.federations.get(code);
  }

  all(): readonly Federation[] {
    return [...this.federations.values()];
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.bus.stopServing();
    await Promise.all([...this.federations.values()].map((f) => f.settled()));
  }

  private tick(): void {
    this.forgetSilentGateways();
    for (const federation of this.federations.values()) {
      try {
        federation.tick();
      } catch (error) {
        this.options.log(`federation ${federation.code}: ${(error as Error).stack ?? String(error)}`);
      }
    }
    for (const code of this.dirty) {
      const federation = this.federations.get(code)!;
      const status = federation.status();
      const state = { phase: status.phase, completedRounds: status.completedRounds, rounds: status.rounds };
      this.journal.afterWrites(() => {
        this.toAdmins(code, ADMIN_EVENTS.status, status);
        this.toAdmins(code, ADMIN_EVENTS.clients, federation.clientStates());
        this.bus.deliver({ namespace: "/", room: CLIENT_ROOM(code), event: SERVER_EVENTS.state, payload: state });
      });
    }
    this.dirty.clear();
  }

  private async receive({ gateway, message }: Envelope): Promise<void> {
    this.lastHeard.set(gateway, Date.now());
    if (message.kind === "alive") return;
    if (message.kind === "connect" || message.kind === "disconnect") return this.presence(gateway, message);
    let reply: unknown;
    try {
      reply = this.decide(message);
      // Answer only what Redis has confirmed (the journal writes this decision made, and all before it).
      await this.journal.confirmed();
    } catch (error) {
      reply = errorReply("unavailable", `the aggregation leader could not persist this: ${(error as Error).message}; retry`);
    }
    this.bus.answer(gateway, message.id, reply);
  }

  private decide(request: LeaderRequest): unknown {
    if (request.kind === "join") {
      const join = parseJoinRequest(request.request);
      if (isErrorReply(join)) return join;
      const federation = this.federations.get(join.code);
      if (!federation) return errorReply("unknown-federation", `no federation has the code ${join.code}; check the link`);
      const accepted = federation.join(join);
      return isErrorReply(accepted) ? accepted : welcomeFor(federation, accepted);
    }
    const federation = this.federations.get(request.code);
    if (!federation) return errorReply("unknown-federation", `no federation has the code ${request.code}`);
    if (request.kind === "status") return { status: federation.status(), clients: federation.clientStates() };
    if (request.kind === "control") return applyControl(federation, request.payload);
    const upload = parseUploadMessage(request.message);
    if (isErrorReply(upload)) return upload;
    if (upload.clientId !== request.clientId) {
      return errorReply(
        "unknown-client",
        `this connection joined as ${request.clientId} and cannot upload for ${upload.clientId}`,
      );
    }
    const reply = federation.upload(request.clientId, upload);
    if (isErrorReply(reply)) federation.countRejection(reply.code);
    return reply;
  }

  private presence(gateway: string, note: PresenceNote): void {
    const federation = this.federations.get(note.code);
    if (!federation) return;
    const key = `${note.code}:${note.clientId}`;
    const previous = this.connections.get(key);
    if (note.kind === "disconnect") {
      if (previous?.socket !== note.socket) return;
      this.connections.delete(key);
      return federation.disconnect(note.clientId);
    }
    if (previous && previous.socket !== note.socket) {
      // The same client connected again, at this gateway or another: its old connection is closed.
      const replaced = errorReply("replaced", `client ${note.clientId} connected again elsewhere; this connection is closed`);
      this.io.to(previous.socket).emit(SERVER_EVENTS.error, replaced);
      this.io.in(previous.socket).disconnectSockets(true);
    }
    this.connections.set(key, { code: note.code, clientId: note.clientId, gateway, socket: note.socket });
    federation.connect(note.clientId);
  }

  /** A gateway that stopped sending heartbeats died (kill -9 sends no disconnects): its clients are offline. */
  private forgetSilentGateways(): void {
    const cutoff = Date.now() - this.options.gatewayTimeoutMs;
    for (const [key, { code, clientId, gateway }] of this.connections) {
      if ((this.lastHeard.get(gateway) ?? 0) >= cutoff) continue;
      this.connections.delete(key);
      this.federations.get(code)?.disconnect(clientId);
    }
  }

  /** Sends only after Redis confirmed every write before it: a client never hears of state a takeover could lose. */
  private outboxFor(code: string): FederationOutbox {
    const later = (send: () => void) => this.journal.afterWrites(send);
    return {
      sendRound: (clientId, start) => {
        const message: RoundStart = { round: start.round, deadline: start.deadline, table: this.wireTables.bytesOf(start.table) };
        later(() => this.toClient(code, clientId, SERVER_EVENTS.roundStart, message));
      },
      roundEnded: (summary) =>
        later(() => {
          this.bus.deliver({ namespace: "/", room: CLIENT_ROOM(code), event: SERVER_EVENTS.roundEnd, payload: summary });
          this.toAdmins(code, ADMIN_EVENTS.roundEnd, summary);
          this.dirty.add(code);
          this.options.onRoundEnd?.(code, summary);
        }),
      finished: (clientId, finished) => {
        const message: FederationFinished = { ...finished, table: this.wireTables.bytesOf(finished.table) };
        later(() => this.toClient(code, clientId, SERVER_EVENTS.finished, message));
      },
      stateChanged: () => this.dirty.add(code),
      reset: () =>
        later(() => this.bus.deliver({ namespace: "/", room: CLIENT_ROOM(code), event: SERVER_EVENTS.reset, payload: {} })),
      kicked: (clientId) => {
        const key = `${code}:${clientId}`;
        const connection = this.connections.get(key);
        if (!connection) return;
        // Forgotten first, so the disconnect that follows is not taken for the client's own.
        this.connections.delete(key);
        later(() => {
          this.io
            .to(connection.socket)
            .emit(SERVER_EVENTS.error, errorReply("kicked", `the teacher removed you from federation ${code}`));
          this.io.in(connection.socket).disconnectSockets(true);
        });
      },
    };
  }

  private toClient(code: string, clientId: string, event: string, payload: unknown): void {
    this.bus.deliver({ namespace: "/", room: clientRoom(code, clientId), event, payload });
  }

  private toAdmins(code: string, event: string, payload: unknown): void {
    this.bus.deliver({ namespace: "/admin", room: ADMIN_ROOM(code), event, payload });
  }
}
