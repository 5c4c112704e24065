/**
 * The load generator's clients: many socket.io connections in one process, each a lightweight
 * client of the real protocol — join, receive its table at every round:start, upload — whose
 * "training" is a cheap synthetic change of a few rows (the coordinator's work, not the
 * clients', is what is measured). Counts what the coordinator refused and who was dropped.
 */
import { io, type Socket } from "socket.io-client";
import {
  CLIENT_EVENTS,
  PROTOCOL_VERSION,
  SERVER_EVENTS,
  createRng,
  float32FromWire,
  isErrorReply,
  modelDimensions,
  uploadedUserWeightsLength,
  toWire,
  type JoinRequest,
  type RoundStart,
  type UploadMessage,
} from "@fedrec/common";
import { loadEncoderIdentity } from "./load-identity.ts";
import type { LoadFederation } from "./load-protocol.ts";

/** Rows each client "trains" per round. */
const ROWS_PER_UPLOAD = 20;
const ACK_TIMEOUT_MS = 300_000;
const CONNECT_ATTEMPTS = 5;

export interface FleetCounts {
  joined: number;
  uploadsAccepted: number;
  /** Refusals by error code (joins and uploads), and failed or timed-out requests. */
  readonly rejected: Record<string, number>;
  /** Failed connection attempts (retried), by message. */
  readonly connectFailures: Record<string, number>;
  /** Connections that closed without the fleet closing them, by reason. */
  readonly dropped: Record<string, number>;
  bytesReceived: number;
  bytesSent: number;
}

export class LoadFleet {
  readonly counts: FleetCounts = {
    joined: 0,
    uploadsAccepted: 0,
    rejected: {},
    connectFailures: {},
    dropped: {},
    bytesReceived: 0,
    bytesSent: 0,
  };
  private readonly sockets: Socket[] = [];
  private closing = false;
  /** What the run is doing, named in the drop counts ("connecting", "round 2", …). */
  phase = "connecting";
  private readonly dims;

  constructor(
    private readonly url: string,
    private readonly federation: LoadFederation,
  ) {
    this.dims = modelDimensions(federation.config, federation.profileDim, federation.numItems);
  }

  /** Connects and joins `count` clients, `batch` at a time; resolves with the seconds it took. */
  async connect(count: number, batch: number): Promise<number> {
    const t0 = performance.now();
    for (let start = 0; start < count; start += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, i) => this.connectOne(start + i)));
    }
    return (performance.now() - t0) / 1000;
  }

  close(): void {
    this.closing = true;
    for (const socket of this.sockets) socket.disconnect();
  }

  private count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  private async connectOne(index: number): Promise<void> {
    const clientId = `load-${index.toString().padStart(6, "0")}`;
    const rng = createRng(index + 1);
    // θ_user goes up only when the configuration uploads it (userWeightsUpload "full").
    const userWeightsLength = uploadedUserWeightsLength(this.federation.config, this.dims.profileDim);
    const userWeights = toWire(Float32Array.from({ length: userWeightsLength }, () => rng.normal()));
    let socket: Socket | null = null;
    // As a real client would, retry a refused connection (a full accept queue) a few times.
    for (let attempt = 1; attempt <= CONNECT_ATTEMPTS && socket === null; attempt++) {
      socket = await this.open(attempt === CONNECT_ATTEMPTS);
      if (socket === null) await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    if (socket === null) return;
    const connected = socket;
    this.sockets.push(connected);
    connected.on(SERVER_EVENTS.roundStart, (start: RoundStart) => void this.train(connected, clientId, userWeights, start, rng));
    connected.on(SERVER_EVENTS.error, (error: { code?: string }) => this.count(this.counts.rejected, error.code ?? "error"));
    connected.on("disconnect", (reason) => {
      if (!this.closing) this.count(this.counts.dropped, `${reason} (${this.phase})`);
    });
    const request: JoinRequest = {
      protocol: PROTOCOL_VERSION,
      code: this.federation.code,
      token: this.federation.joinToken,
      clientId,
      secret: null,
      numItems: this.federation.numItems,
      profileDim: this.federation.profileDim,
      encoder: loadEncoderIdentity(
        this.federation.profileDim,
        this.federation.config.pooling,
        this.federation.config.encoderPrecision,
      ),
      label: null,
    };
    const reply = await this.request(connected, CLIENT_EVENTS.join, request);
    if (reply !== null && !isErrorReply(reply)) this.counts.joined++;
  }

  /** A connected socket, or null when the connection failed (counted when it is the last attempt). */
  private open(last: boolean): Promise<Socket | null> {
    const socket = io(this.url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: ACK_TIMEOUT_MS });
    return new Promise((resolve) => {
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", (error) => {
        this.count(this.counts.connectFailures, error.message);
        if (last) this.count(this.counts.rejected, `connect: ${error.message}`);
        socket.close();
        resolve(null);
      });
    });
  }

  /** Cheap "training": ROWS_PER_UPLOAD random rows of the received table, nudged. */
  private async train(
    socket: Socket,
    clientId: string,
    userWeights: Uint8Array,
    start: RoundStart,
    rng: ReturnType<typeof createRng>,
  ): Promise<void> {
    const { numItems, itemDim } = this.dims;
    const table = float32FromWire(start.table, "table", numItems * itemDim);
    if (isErrorReply(table)) return this.count(this.counts.rejected, `bad table: ${table.message}`);
    this.counts.bytesReceived += table.byteLength;
    const chosen = new Set<number>();
    while (chosen.size < Math.min(ROWS_PER_UPLOAD, numItems)) chosen.add(rng.int(numItems));
    const rows = Int32Array.from([...chosen].sort((a, b) => a - b));
    const values = new Float32Array(rows.length * itemDim);
    rows.forEach((row, r) => {
      for (let k = 0; k < itemDim; k++) values[r * itemDim + k] = table[row * itemDim + k]! + 0.01 * rng.normal();
    });
    const upload: UploadMessage = {
      round: start.round,
      clientId,
      userWeights,
      rows: toWire(rows),
      values: toWire(values),
      numExamples: 1 + rng.int(200),
      loss: 0.5,
      metrics: { val: { hr10: 0.5, ndcg10: 0.3, count: 1 }, test: { hr10: 0.5, ndcg10: 0.3, count: 1 } },
    };
    this.counts.bytesSent += userWeights.byteLength + rows.byteLength + values.byteLength;
    const reply = await this.request(socket, CLIENT_EVENTS.upload, upload);
    if (reply !== null && !isErrorReply(reply)) this.counts.uploadsAccepted++;
  }

  /** An acknowledged request; a refusal is counted by its code, a failure by its message. */
  private async request(socket: Socket, event: string, payload: unknown): Promise<unknown> {
    try {
      const reply: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
      if (isErrorReply(reply)) this.count(this.counts.rejected, `${event}: ${reply.code}`);
      return reply;
    } catch (error) {
      this.count(this.counts.rejected, `${event}: ${(error as Error).message}`);
      return null;
    }
  }
}
