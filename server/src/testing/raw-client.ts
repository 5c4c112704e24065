/**
 * A hand-driven protocol client for tests: joins, waits for rounds, uploads whatever the test
 * says (valid or not). Nothing automatic, so a test can stall, drop or misbehave on purpose.
 */
import { io, type Socket } from "socket.io-client";
import { bagOfWordsIdentity } from "@fedrec/common/testing";
import { PROTOCOL_VERSION, SERVER_EVENTS, toWire, type JoinRequest, type RoundStart, type UploadMessage } from "@fedrec/common";
import { waitUntil } from "./live-federation.ts";

export class RawClient {
  readonly socket: Socket;
  readonly rounds: RoundStart[] = [];
  readonly errors: unknown[] = [];

  constructor(url: string) {
    this.socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    this.socket.on(SERVER_EVENTS.roundStart, (start: RoundStart) => this.rounds.push(start));
    this.socket.on(SERVER_EVENTS.error, (error: unknown) => this.errors.push(error));
  }

  async connected(): Promise<this> {
    if (!this.socket.connected) await new Promise<void>((resolve) => this.socket.once("connect", () => resolve()));
    return this;
  }

  /** A join; the encoder defaults to the test worlds' (bag of words, mean pooling, the given width). */
  join(
    fields: Partial<JoinRequest> & Pick<JoinRequest, "code" | "token" | "clientId" | "numItems" | "profileDim">,
  ): Promise<unknown> {
    const encoder = bagOfWordsIdentity(fields.profileDim);
    return this.request("join", { protocol: PROTOCOL_VERSION, secret: null, encoder, label: null, ...fields });
  }

  request(event: string, payload: unknown): Promise<unknown> {
    return this.socket.timeout(5000).emitWithAck(event, payload);
  }

  /** The round:start of `round` (already received, or the next to arrive). */
  async roundStart(round: number): Promise<RoundStart> {
    await waitUntil(() => this.rounds.some((r) => r.round === round), 10_000, `round:start of round ${round}`);
    return this.rounds.find((r) => r.round === round)!;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** A well-formed upload of zeros for the given shapes (θ_user length, rows and item width). */
export function zeroUpload(round: number, clientId: string, userWeights: number, rows: number[], itemDim: number): UploadMessage {
  return {
    round,
    clientId,
    userWeights: toWire(new Float32Array(userWeights)),
    rows: toWire(Int32Array.from(rows)),
    values: toWire(new Float32Array(rows.length * itemDim)),
    numExamples: 3,
    loss: 0.5,
    metrics: { val: { hr10: 1, ndcg10: 1, count: 1 }, test: { hr10: 0, ndcg10: 0, count: 1 } },
  };
}
