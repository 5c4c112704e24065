/**
 * The socket shell of the coordinator: decode, validate, route. Each event's payload is checked
 * by the protocol's validators; the federation decides; the answer goes back as the socket.io
 * acknowledgement (or a `protocol:error` event when the sender asked for none). A handler never
 * throws into socket.io: an unexpected failure is answered as `internal` and logged.
 */
import type { Namespace, Server, Socket } from "socket.io";
import {
  ADMIN_EVENTS,
  CLIENT_EVENTS,
  SECAGG_CLIENT_EVENTS,
  SECAGG_SERVER_EVENTS,
  SERVER_EVENTS,
  secaggFrame,
  isSecaggClientEvent,
  parseSecaggFrame,
  errorReply,
  isErrorReply,
  parseJoinRequest,
  parseUploadMessage,
  type AdminClientToServerEvents,
  type AdminServerToClientEvents,
  type ClientToServerEvents,
  type ControlAccepted,
  type ErrorReply,
  type FederationFinished,
  type Reply,
  type RoundStart,
  type RoundSummary,
  type ServerToClientEvents,
  type Federation,
  type FederationOutbox,
  type SecaggFrame,
  type SecureChannel,
} from "@fedrec/common";
import { applyControl } from "./admin-control.ts";
import { welcomeFor } from "./welcome.ts";
import { WireTables } from "./wire-tables.ts";

type Ack = (reply: unknown) => void;

/** The coordinator's socket.io server, typed by the protocol's event maps (payloads are still checked). */
export type CoordinatorServer = Server<ClientToServerEvents, ServerToClientEvents>;
type ClientSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
interface AdminSocketData {
  code: string;
}
type AdminNamespace = Namespace<AdminClientToServerEvents, AdminServerToClientEvents, Record<string, never>, AdminSocketData>;

/** socket.io types every namespace with the root's event maps; `/admin` has its own. */
const adminNamespace = (io: CoordinatorServer) => io.of("/admin") as unknown as AdminNamespace;

/** Federations by join code, as the gateway sees them. */
export interface FederationDirectory {
  find(code: string): Federation | undefined;
  /** Counts a rejection that belongs to no federation (before a successful join). */
  countUnattributed(code: string): void;
}

const CLIENT_ROOM = (code: string) => `clients:${code}`;
const ADMIN_ROOM = (code: string) => `admin:${code}`;

export class SocketGateway {
  /** Joined sockets by federation and client id. */
  private readonly sockets = new Map<string, Map<string, ClientSocket>>();
  private readonly dirty = new Set<string>();
  private readonly wireTables = new WireTables();

  constructor(
    private readonly io: CoordinatorServer,
    private readonly directory: FederationDirectory,
    private readonly log: (line: string) => void,
  ) {
    io.on("connection", (socket) => this.onClient(socket));
    // Frames engine.io cannot parse (or above the size limit) close their connection; count them.
    io.engine.on("connection", (conn: { on(event: "close", listener: (reason: string) => void): void }) => {
      conn.on("close", (reason) => {
        if (reason === "parse error" || reason === "transport error") directory.countUnattributed("transport-error");
      });
    });
    this.setUpAdmin(adminNamespace(io));
  }

  /** The outbox a federation sends through. */
  outboxFor(code: string): FederationOutbox {
    return {
      sendRound: (clientId, start) => {
        const socket = this.sockets.get(code)?.get(clientId);
        if (!socket) return;
        const message: RoundStart = {
          round: start.round,
          deadline: start.deadline,
          table: this.wireTables.bytesOf(start.table),
          secure: start.secure ?? null,
        };
        socket.emit(SERVER_EVENTS.roundStart, message);
      },
      roundEnded: (summary: RoundSummary) => {
        this.io.to(CLIENT_ROOM(code)).emit(SERVER_EVENTS.roundEnd, summary);
        adminNamespace(this.io).to(ADMIN_ROOM(code)).emit(ADMIN_EVENTS.roundEnd, summary);
        this.dirty.add(code);
      },
      finished: (clientId, finished) => {
        const message: FederationFinished = { ...finished, table: this.wireTables.bytesOf(finished.table) };
        this.sockets.get(code)?.get(clientId)?.emit(SERVER_EVENTS.finished, message);
      },
      stateChanged: () => this.dirty.add(code),
      reset: () => void this.io.to(CLIENT_ROOM(code)).emit(SERVER_EVENTS.reset, {}),
      kicked: (clientId) => {
        const socket = this.sockets.get(code)?.get(clientId);
        if (!socket) return;
        this.sockets.get(code)!.delete(clientId);
        socket.emit(SERVER_EVENTS.error, errorReply("kicked", `the teacher removed you from federation ${code}`));
        socket.disconnect(true);
      },
    };
  }

  /** Where a federation's secure-aggregation messages go: to the client's socket as secagg:* events. */
  secureChannelFor(code: string): SecureChannel {
    return {
      send: (clientId, round, message) => {
        const frame: SecaggFrame = secaggFrame(round, message.session, message.body);
        this.sockets.get(code)?.get(clientId)?.emit(SECAGG_SERVER_EVENTS[message.kind], frame);
      },
    };
  }

  /** Sends pending status updates (called by the coordinator's timer, so bursts coalesce). */
  flushStatus(): void {
    for (const code of this.dirty) {
      const federation = this.directory.find(code);
      if (!federation) continue;
      const status = federation.status();
      const admin = adminNamespace(this.io).to(ADMIN_ROOM(code));
      admin.emit(ADMIN_EVENTS.status, status);
      admin.emit(ADMIN_EVENTS.clients, federation.clientStates());
      this.io.to(CLIENT_ROOM(code)).emit(SERVER_EVENTS.state, {
        phase: status.phase,
        completedRounds: status.completedRounds,
        rounds: status.rounds,
      });
    }
    this.dirty.clear();
  }

  connectedSockets(): number {
    return this.io.of("/").sockets.size;
  }

  // ---------------------------------------------------------------- clients

  private onClient(socket: ClientSocket): void {
    let joined: { federation: Federation; clientId: string } | null = null;
    const reject = (reply: ErrorReply, federation = joined?.federation) => {
      if (federation) federation.countRejection(reply.code);
      else this.directory.countUnattributed(reply.code);
    };
    this.countBytes(socket, () => joined?.federation ?? null);

    this.handle(socket, CLIENT_EVENTS.join, reject, (payload, attribute) => {
      const request = parseJoinRequest(payload);
      if (isErrorReply(request)) return request;
      const federation = this.directory.find(request.code);
      if (!federation) return errorReply("unknown-federation", `no federation has the code ${request.code}; check the link`);
      attribute(federation); // a refused join counts in the federation it tried to join
      if (joined && (joined.federation !== federation || joined.clientId !== request.clientId)) {
        return errorReply(
          "malformed",
          `this connection already joined as ${joined.clientId}; open a new connection to join as another client`,
        );
      }
      const accepted = federation.join(request);
      if (isErrorReply(accepted)) return accepted;
      joined = { federation, clientId: accepted.clientId };
      this.bind(socket, federation.code, accepted.clientId);
      const welcome = welcomeFor(federation, accepted);
      // After the welcome is on its way, so the client is ready for a round:start that follows.
      queueMicrotask(() => this.safely("connect", () => federation.connect(accepted.clientId)));
      return welcome;
    });

    this.handle(socket, CLIENT_EVENTS.upload, reject, (payload) => {
      if (!joined) return errorReply("not-joined", "join the federation before uploading");
      const upload = parseUploadMessage(payload);
      if (isErrorReply(upload)) return upload;
      if (upload.clientId !== joined.clientId) {
        return errorReply(
          "unknown-client",
          `this connection joined as ${joined.clientId} and cannot upload for ${upload.clientId}`,
        );
      }
      return joined.federation.upload(joined.clientId, upload);
    });

    for (const event of Object.values(SECAGG_CLIENT_EVENTS)) {
      this.handle(socket, event, reject, (payload) => {
        if (!joined) return errorReply("not-joined", `join the federation before sending ${event}`);
        const frame = parseSecaggFrame(payload, event);
        if (isErrorReply(frame)) return frame;
        const refusal = joined.federation.receiveSecure(joined.clientId, event, frame.round, frame.session, frame.body);
        return refusal ?? { ok: true, round: frame.round };
      });
    }

    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (event === CLIENT_EVENTS.join || event === CLIENT_EVENTS.upload || isSecaggClientEvent(event)) return;
      const reply = errorReply("unknown-event", `unknown event ${JSON.stringify(event).slice(0, 64)}`);
      reject(reply);
      const ack = args.at(-1);
      if (typeof ack === "function") (ack as Ack)(reply);
      else socket.emit(SERVER_EVENTS.error, reply);
    });

    socket.on("disconnect", () => {
      if (!joined) return;
      const { federation, clientId } = joined;
      const bound = this.sockets.get(federation.code);
      if (bound?.get(clientId) === socket) {
        bound.delete(clientId);
        this.safely("disconnect", () => federation.disconnect(clientId));
      }
    });
  }

  /**
   * Registers `event` with validation-safe plumbing: the handler's answer goes to the ack, and an
   * error answer is counted — in the federation the handler attributed it to, if any.
   */
  private handle(
    socket: ClientSocket,
    event: keyof ClientToServerEvents,
    countRejection: (reply: ErrorReply, federation?: Federation) => void,
    handler: (payload: unknown, attribute: (federation: Federation) => void) => unknown,
  ): void {
    socket.on(event, (...args: unknown[]) => {
      const ack = typeof args.at(-1) === "function" ? (args.pop() as Ack) : null;
      let reply: unknown;
      let attributed: Federation | undefined;
      try {
        reply =
          args.length !== 1
            ? errorReply("malformed", `${event}: expected one payload, got ${args.length}`)
            : handler(args[0], (federation) => (attributed = federation));
      } catch (error) {
        this.log(`internal error handling ${event}: ${(error as Error).stack ?? String(error)}`);
        reply = errorReply("internal", `the coordinator failed to handle ${event}; it has been logged`);
      }
      if (isErrorReply(reply)) countRejection(reply, attributed);
      if (ack) ack(reply);
      else if (isErrorReply(reply)) socket.emit(SERVER_EVENTS.error, reply);
    });
  }

  private safely(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.log(`internal error on ${what}: ${(error as Error).stack ?? String(error)}`);
    }
  }

  private bind(socket: ClientSocket, code: string, clientId: string): void {
    let bound = this.sockets.get(code);
    if (!bound) this.sockets.set(code, (bound = new Map()));
    const previous = bound.get(clientId);
    if (previous && previous !== socket) {
      previous.emit(
        SERVER_EVENTS.error,
        errorReply("replaced", `client ${clientId} connected again elsewhere; this connection is closed`),
      );
      previous.disconnect(true);
    }
    bound.set(clientId, socket);
    void socket.join(CLIENT_ROOM(code));
  }

  /** Payload bytes of every engine.io packet, attributed to the socket's federation's open round. */
  private countBytes(socket: ClientSocket, federationOf: () => Federation | null): void {
    const size = (data: unknown) =>
      typeof data === "string"
        ? Buffer.byteLength(data)
        : data instanceof Uint8Array || data instanceof ArrayBuffer
          ? data.byteLength
          : 0;
    socket.conn.on("packet", (packet: { data?: unknown }) => federationOf()?.addBytes(size(packet.data), 0));
    socket.conn.on("packetCreate", (packet: { data?: unknown }) => federationOf()?.addBytes(0, size(packet.data)));
  }

  // ---------------------------------------------------------------- admin

  private setUpAdmin(admin: Namespace): void {
    admin.use((socket, next) => {
      const { code, token } = (socket.handshake.auth ?? {}) as { code?: unknown; token?: unknown };
      const federation = typeof code === "string" ? this.directory.find(code) : undefined;
      if (!federation) return next(new Error(`unknown-federation: no federation has the code ${String(code)}`));
      if (typeof token !== "string" || !federation.isAdmin(token)) return next(new Error("bad-token: wrong admin token"));
      socket.data.code = federation.code;
      next();
    });
    admin.on("connection", (socket) => {
      const { code } = socket.data;
      void socket.join(ADMIN_ROOM(code));
      const federation = this.directory.find(code)!;
      socket.emit(ADMIN_EVENTS.status, federation.status());
      socket.emit(ADMIN_EVENTS.clients, federation.clientStates());
      // Every request is answered: `control` with its result, anything else as unknown-event.
      socket.onAny((event: unknown, ...args: unknown[]) => {
        const ack = typeof args.at(-1) === "function" ? (args.pop() as Ack) : null;
        let reply: unknown;
        try {
          reply =
            event !== ADMIN_EVENTS.control
              ? errorReply("unknown-event", `unknown event ${String(JSON.stringify(event)).slice(0, 64)} on /admin`)
              : args.length !== 1
                ? errorReply("malformed", `control: expected one payload, got ${args.length}`)
                : this.control(code, args[0]);
        } catch (error) {
          this.log(`internal error handling an admin request: ${(error as Error).stack ?? String(error)}`);
          reply = errorReply("internal", "the coordinator failed to handle the request; it has been logged");
        }
        if (ack) ack(reply);
        else if (isErrorReply(reply)) socket.emit(SERVER_EVENTS.error, reply);
      });
    });
  }

  /** An admin command: `{action: start|pause|stop|step|reset}`, `{kick: clientId}` or `{settings: {...}}`. */
  control(code: string, payload: unknown): Reply<ControlAccepted> {
    const federation = this.directory.find(code);
    if (!federation) return errorReply("unknown-federation", `no federation has the code ${code}`);
    return applyControl(federation, payload);
  }
}
