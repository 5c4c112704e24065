/**
 * A client held back in chosen rounds: its socket passes every message on, but a round:start waits
 * for `gate(round)` first (no gate: at once). Tests use it to kill or pause a coordinator with a
 * round open and every other upload accepted.
 */
import { SERVER_EVENTS, type RoundStart, type SessionSocket } from "@fedrec/common";
import type { ClientSocket } from "../headless/client-socket.ts";

export function heldRoundStarts(socket: ClientSocket, gate: (round: number) => Promise<void> | undefined): SessionSocket {
  return {
    get connected() {
      return socket.connected;
    },
    disconnect: () => socket.disconnect(),
    timeout: (ms) => socket.timeout(ms),
    on: (event, listener) =>
      socket.on(event, async (...args: unknown[]) => {
        if (event === SERVER_EVENTS.roundStart) await gate((args[0] as RoundStart).round);
        (listener as (...a: unknown[]) => void)(...args);
      }),
  };
}
