/**
 * The socket.io event maps of both namespaces, for `Server<ClientToServerEvents,
 * ServerToClientEvents>` on the coordinator and `Socket<ServerToClientEvents, ClientToServerEvents>`
 * in every client. They are types only: whatever arrives is still `unknown` until validation.ts
 * (or parseControlRequest) has checked it against its schema.
 */
import type { ClientStatus, ControlAccepted, ControlRequest, FederationStatus } from "./admin-messages.ts";
import {
  ADMIN_EVENTS,
  CLIENT_EVENTS,
  SERVER_EVENTS,
  type FederationFinished,
  type FederationReset,
  type FederationState,
  type JoinRequest,
  type Reply,
  type RoundStart,
  type RoundSummary,
  type UploadAccepted,
  type UploadMessage,
  type Welcome,
} from "./messages.ts";
import type { ErrorReply } from "./protocol-error.ts";
import { SECAGG_CLIENT_EVENTS, SECAGG_SERVER_EVENTS, type SecaggFrame } from "./secure-aggregation-wire.ts";

/** A socket.io acknowledgement: the answer to a request. */
export type Acknowledge<T> = (reply: Reply<T>) => void;

export type ClientToServerEvents = {
  [CLIENT_EVENTS.join]: (request: JoinRequest, ack: Acknowledge<Welcome>) => void;
  [CLIENT_EVENTS.upload]: (upload: UploadMessage, ack: Acknowledge<UploadAccepted>) => void;
  /** Secure aggregation's phases (secure-aggregation-wire.ts): each answered like an upload. */
  [SECAGG_CLIENT_EVENTS.keys]: (frame: SecaggFrame, ack: Acknowledge<UploadAccepted>) => void;
  [SECAGG_CLIENT_EVENTS.shareKeys]: (frame: SecaggFrame, ack: Acknowledge<UploadAccepted>) => void;
  [SECAGG_CLIENT_EVENTS.masked]: (frame: SecaggFrame, ack: Acknowledge<UploadAccepted>) => void;
  [SECAGG_CLIENT_EVENTS.unmasking]: (frame: SecaggFrame, ack: Acknowledge<UploadAccepted>) => void;
};

export type ServerToClientEvents = {
  [SERVER_EVENTS.roundStart]: (start: RoundStart) => void;
  [SERVER_EVENTS.roundEnd]: (summary: RoundSummary) => void;
  [SERVER_EVENTS.state]: (state: FederationState) => void;
  [SERVER_EVENTS.finished]: (finished: FederationFinished) => void;
  /** The teacher reset the federation: start over (join again, local model from scratch). */
  [SERVER_EVENTS.reset]: (reset: FederationReset) => void;
  /** A refusal of a request sent without an acknowledgement, or of this connection (`replaced`, `kicked`). */
  [SERVER_EVENTS.error]: (error: ErrorReply) => void;
  [SECAGG_SERVER_EVENTS.roster]: (frame: SecaggFrame) => void;
  [SECAGG_SERVER_EVENTS.delivery]: (frame: SecaggFrame) => void;
  [SECAGG_SERVER_EVENTS.weight]: (frame: SecaggFrame) => void;
  [SECAGG_SERVER_EVENTS.survivors]: (frame: SecaggFrame) => void;
};

/** The `/admin` namespace (the dashboard). */
export type AdminClientToServerEvents = {
  [ADMIN_EVENTS.control]: (request: ControlRequest, ack: Acknowledge<ControlAccepted>) => void;
};

export type AdminServerToClientEvents = {
  [ADMIN_EVENTS.status]: (status: FederationStatus) => void;
  [ADMIN_EVENTS.clients]: (clients: readonly ClientStatus[]) => void;
  [ADMIN_EVENTS.roundEnd]: (summary: RoundSummary) => void;
  [SERVER_EVENTS.error]: (error: ErrorReply) => void;
};
