/** A federation client's socket.io connection, typed by the protocol's event maps (both directions). */
import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@fedrec/common";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
