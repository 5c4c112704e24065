/**
 * The socket shell of a cluster gateway: it validates what clients send, relays joins, uploads
 * and admin requests to the aggregation leader over the cluster bus, and acknowledges with the
 * leader's answer — which the leader gives only after Redis confirmed it — and delivers the
 * leader's messages to its own sockets (rooms in cluster-rooms.ts). When the leader
 * or Redis is unreachable, a request is answered `unavailable` once its budget runs out.
 */
import type { Server, Socket } from "socket.io";
import {
  ADMIN_EVENTS,
  CLIENT_EVENTS,
  SERVER_EVENTS,
  errorReply,
  isErrorReply,
  parseJoinRequest,
  parseUploadMessage,
  type Credentials,
  type FederationSetup,
} from "@fedrec/common";
import { Unavailable, type ClusterBus, type Delivery, type LeaderRequest } from "./cluster-bus.ts";
import { ADMIN_ROOM, CLIENT_ROOM, clientRoom } from "./cluster-rooms.ts";

type Ack = (reply: unknown) => void;

export class ClusterSocketGateway {
  /** Joined sockets of this gateway, by `code:clientId`. */
  private readonly joined = new Map<string, { code: string; clientId: string; socket: Socket }>();

  constructor(
    private readonly io: Server,
    private readonly bus: ClusterBus,
    /** The cluster's federations (fixed at start). */
    private readonly setups: ReadonlyMap<string, FederationSetup>,
    private readonly credentials: Credentials,
    /** How long a request may wait for a leader (ms). */
    private readonly budgetMs: number,
    private readonly log: (line: string) => void,
  ) {
    io.on("connection", (socket) => this.onClient(socket));
    this.setUpAdmin();
  }

  /** The leader's message for a room: to this gateway's sockets in it (each gateway does the same). */
  deliver({ namespace, room, event, payload }: Delivery): void {
    this.io.of(namespace).local.to(room).emit(event, payload);
  }

  /** A new leader knows nobody: tell it who is connected here. */
  announceConnected(): void {
    for (const { code, clientId, socket } of this.joined.values()) {
      this.bus.notify({ kind: "connect", code, clientId, socket: socket.id });
    }
  }

  connectedSockets(): number {
    return this.io.of("/").sockets.size;
  }

  private onClient(socket: Socket): void {
    let joined: { code: string; clientId: string } | null = null;
    this.handle(socket, CLIENT_EVENTS.join, async (payload) => {
      const request = parseJoinRequest(payload);
      if (isErrorReply(request)) return request;
      if (!this.setups.has(request.code)) {
        return errorReply("unknown-federation", `no federation has the code ${request.code}; check the link`);
      }
      if (joined && (joined.code !== request.code || joined.clientId !== request.clientId)) {
        return errorReply(
          "malformed",
          `this connection already joined as ${joined.clientId}; open a new connection to join as another client`,
        );
      }
      // A join registers a new client: not retried once delivered (a second one would be refused).
      const reply = await this.ask({ kind: "join", request }, false);
      if (isErrorReply(reply) || socket.disconnected) return reply;
      joined = { code: request.code, clientId: request.clientId };
      this.joined.set(`${request.code}:${request.clientId}`, { ...joined, socket });
      await socket.join([CLIENT_ROOM(request.code), clientRoom(request.code, request.clientId)]);
      // After the welcome is on its way, so the client is ready for a round:start that follows.
      const { code, clientId } = joined;
      setImmediate(() => this.bus.notify({ kind: "connect", code, clientId, socket: socket.id }));
      return reply;
    });

    this.handle(socket, CLIENT_EVENTS.upload, async (payload) => {
      if (!joined) return errorReply("not-joined", "join the federation before uploading");
      const message = parseUploadMessage(payload);
      if (isErrorReply(message)) return message;
      return this.ask({ kind: "upload", code: joined.code, clientId: joined.clientId, message }, true); // idempotent
    });

    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (event === CLIENT_EVENTS.join || event === CLIENT_EVENTS.upload) return;
      const reply = errorReply("unknown-event", `unknown event ${JSON.stringify(event).slice(0, 64)}`);
      const ack = args.at(-1);
      if (typeof ack === "function") (ack as Ack)(reply);
      else socket.emit(SERVER_EVENTS.error, reply);
    });

    socket.on("disconnect", () => {
      if (!joined) return;
      const key = `${joined.code}:${joined.clientId}`;
      if (this.joined.get(key)?.socket === socket) this.joined.delete(key);
      // The leader ignores it if this was not the client's latest connection.
      this.bus.notify({ kind: "disconnect", code: joined.code, clientId: joined.clientId, socket: socket.id });
    });
  }

  /** The leader's answer, or `unavailable` when no leader could be reached in time. */
  private async ask(request: LeaderRequest, retryDelivered: boolean): Promise<unknown> {
    try {
      return await this.bus.request(request, this.budgetMs, retryDelivered);
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      this.log(`gateway ${this.bus.gateway}: ${request.kind} refused: ${error.message}`);
      return errorReply("unavailable", `this gateway cannot reach the federation's state now: ${error.message}; retry`);
    }
  }

  /** One payload in, the handler's answer to the ack (or `protocol:error`); never throws into socket.io. */
  private handle(socket: Socket, event: string, handler: (payload: unknown) => Promise<unknown>): void {
    socket.on(event, (...args: unknown[]) => {
      const ack = typeof args.at(-1) === "function" ? (args.pop() as Ack) : null;
      const answer =
        args.length !== 1
          ? Promise.resolve(errorReply("malformed", `${event}: expected one payload, got ${args.length}`))
          : handler(args[0]);
      void answer
        .catch((error: unknown) => {
          this.log(`internal error handling ${event}: ${(error as Error).stack ?? String(error)}`);
          return errorReply("internal", `the gateway failed to handle ${event}; it has been logged`);
        })
        .then((reply) => {
          if (ack) ack(reply);
          else if (isErrorReply(reply)) socket.emit(SERVER_EVENTS.error, reply);
        });
    });
  }

  private setUpAdmin(): void {
    const admin = this.io.of("/admin");
    admin.use((socket, next) => {
      const { code, token } = (socket.handshake.auth ?? {}) as { code?: unknown; token?: unknown };
      const setup = typeof code === "string" ? this.setups.get(code) : undefined;
      if (!setup) return next(new Error(`unknown-federation: no federation has the code ${String(code)}`));
      if (typeof token !== "string" || !this.credentials.sameToken(token, setup.adminToken)) {
        return next(new Error("bad-token: wrong admin token"));
      }
      socket.data.code = setup.code;
      next();
    });
    admin.on("connection", (socket) => {
      const code = socket.data.code as string;
      void socket.join(ADMIN_ROOM(code));
      void this.ask({ kind: "status", code }, true).then((reply) => {
        if (isErrorReply(reply)) return void socket.emit(SERVER_EVENTS.error, reply);
        const { status, clients } = reply as { status: unknown; clients: unknown };
        socket.emit(ADMIN_EVENTS.status, status);
        socket.emit(ADMIN_EVENTS.clients, clients);
      });
      socket.onAny((event: unknown, ...args: unknown[]) => {
        const ack = typeof args.at(-1) === "function" ? (args.pop() as Ack) : null;
        const reply =
          event !== ADMIN_EVENTS.control
            ? Promise.resolve(
                errorReply("unknown-event", `unknown event ${String(JSON.stringify(event)).slice(0, 64)} on /admin`),
              )
            : args.length !== 1
              ? Promise.resolve(errorReply("malformed", `control: expected one payload, got ${args.length}`))
              : this.ask({ kind: "control", code, payload: args[0] }, false);
        void reply.then((answer) => {
          if (ack) ack(answer);
          else if (isErrorReply(answer)) socket.emit(SERVER_EVENTS.error, answer);
        });
      });
    });
  }
}
