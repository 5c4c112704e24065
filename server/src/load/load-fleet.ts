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
  isErrorReply,
  modelDimensions,
  uploadedUserWeightsLength,
  toWire,
  type JoinRequest,
  type RoundStart,
  type UploadMessage,
  type Welcome,
} from "@fedrec/common";
import { loadEncoderIdentity } from "./load-identity.ts";
import type { LoadFederation } from "./load-protocol.ts";

/** Rows each client "trains" per round. */
const ROWS_PER_UPLOAD = 20;
const ACK_TIMEOUT_MS = 300_000;
const CONNECT_ATTEMPTS = 5;
/** A dropped client's attempts to join again, and an upload's when the cluster is between leaders (one a second). */
const REJOIN_ATTEMPTS = 30;

/** One load client: what it needs to join (again) and upload. */
interface LoadClient {
  readonly clientId: string;
  readonly rng: ReturnType<typeof createRng>;
  readonly userWeights: Uint8Array;
  /** Issued at the first join; a client joins again with it. */
  secret: string | null;
  /** Index of the gateway it connects to. */
  gateway: number;
  /** How long it "trains" before each upload (ms). */
  readonly trainMs: number;
}

export interface FleetCounts {
  joined: number;
  /** Joins again after a drop (failover). */
  rejoined: number;
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

/** A fleet's counts before anything happened. */
export function emptyFleetCounts(): FleetCounts {
  return {
    joined: 0,
    rejoined: 0,
    uploadsAccepted: 0,
    rejected: {},
    connectFailures: {},
    dropped: {},
    bytesReceived: 0,
    bytesSent: 0,
  };
}

export class LoadFleet {
  readonly counts: FleetCounts = emptyFleetCounts();
  private readonly sockets: Socket[] = [];
  private closing = false;
  /** What the run is doing, named in the drop counts ("connecting", "round 2", …). */
  phase = "connecting";
  private readonly dims;

  constructor(
    private readonly urls: readonly string[],
    private readonly federation: LoadFederation,
    private readonly failover = false,
    private readonly trainMs = 0,
  ) {
    this.dims = modelDimensions(federation.config, federation.profileDim, federation.numItems);
  }

  /** Connects and joins clients first … first + count − 1, `batch` at a time; resolves with the seconds it took. */
  async connect(first: number, count: number, batch: number): Promise<number> {
    const t0 = performance.now();
    for (let start = 0; start < count; start += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, i) => this.connectOne(first + start + i)));
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
    const rng = createRng(index + 1);
    // θ_user goes up only when the configuration uploads it (userWeightsUpload "full").
    const userWeightsLength = uploadedUserWeightsLength(this.federation.config, this.dims.profileDim);
    const client: LoadClient = {
      clientId: `load-${index.toString().padStart(6, "0")}`,
      rng,
      userWeights: toWire(Float32Array.from({ length: userWeightsLength }, () => rng.normal())),
      secret: null,
      gateway: index % this.urls.length,
      // Evenly spread over [0, trainMs), and over both halves of any split between gateways (golden-ratio sequence).
      trainMs: this.trainMs * ((index * 0.6180339887) % 1),
    };
    await this.attach(client, CONNECT_ATTEMPTS);
  }

  /** Connects `client` to its gateway and joins; true once joined. */
  private async attach(client: LoadClient, attempts: number): Promise<boolean> {
    let socket: Socket | null = null;
    // As a real client would, retry a refused connection (a full accept queue) a few times.
    for (let attempt = 1; attempt <= attempts && socket === null; attempt++) {
      socket = await this.open(this.urls[client.gateway]!, attempt === attempts);
      if (socket === null) await new Promise((r) => setTimeout(r, 200 * Math.min(attempt, 5)));
    }
    if (socket === null) return false;
    const connected = socket;
    this.sockets.push(connected);
    connected.on(SERVER_EVENTS.roundStart, (start: RoundStart) => void this.train(connected, client, start));
    connected.on(SERVER_EVENTS.error, (error: { code?: string }) => this.count(this.counts.rejected, error.code ?? "error"));
    connected.on("disconnect", (reason) => {
      if (this.closing) return;
      this.count(this.counts.dropped, `${reason} (${this.phase})`);
      if (this.failover) void this.rejoin(client);
    });
    const request: JoinRequest = {
      protocol: PROTOCOL_VERSION,
      code: this.federation.code,
      token: this.federation.joinToken,
      clientId: client.clientId,
      secret: client.secret,
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
    if (reply === null || isErrorReply(reply)) {
      connected.off("disconnect"); // counted as refused above, not as dropped
      connected.disconnect();
      return false;
    }
    if (client.secret === null) this.counts.joined++;
    else this.counts.rejoined++;
    client.secret ??= (reply as Welcome).secret;
    return true;
  }

  /** After a drop: the next gateway, joining again with the secret, until it works or the attempts run out. */
  private async rejoin(client: LoadClient): Promise<void> {
    for (let attempt = 1; attempt <= REJOIN_ATTEMPTS && !this.closing; attempt++) {
      client.gateway = (client.gateway + 1) % this.urls.length;
      if (await this.attach(client, 1)) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** A connected socket, or null when the connection failed (counted when it is the last attempt). */
  private open(url: string, last: boolean): Promise<Socket | null> {
    const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: ACK_TIMEOUT_MS });
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
  private async train(socket: Socket, client: LoadClient, start: RoundStart): Promise<void> {
    const { clientId, userWeights, rng } = client;
    if (client.trainMs > 0) await new Promise((r) => setTimeout(r, client.trainMs));
    const { numItems, itemDim } = this.dims;
    const table = start.table as unknown;
    if (!(table instanceof Uint8Array) || table.byteLength !== numItems * itemDim * 4)
      return this.count(this.counts.rejected, "bad table: not the catalogue's float32 table");
    this.counts.bytesReceived += table.byteLength;
    const chosen = new Set<number>();
    while (chosen.size < Math.min(ROWS_PER_UPLOAD, numItems)) chosen.add(rng.int(numItems));
    const rows = Int32Array.from([...chosen].sort((a, b) => a - b));
    // Only the rows it trains are read, in place: no copy of each 222 KB table (a process holding
    // thousands of clients still spends most of a round receiving and parsing them: fleet-threads.ts).
    const read = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const values = new Float32Array(rows.length * itemDim);
    rows.forEach((row, r) => {
      for (let k = 0; k < itemDim; k++)
        values[r * itemDim + k] = read.getFloat32((row * itemDim + k) * 4, true) + 0.01 * rng.normal();
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
    // As the real client does (federation-session.ts), an upload refused as `unavailable` — a
    // cluster between leaders — goes again a second later.
    for (let attempt = 1; attempt <= REJOIN_ATTEMPTS && socket.connected; attempt++) {
      const reply = await this.request(socket, CLIENT_EVENTS.upload, upload);
      if (reply !== null && !isErrorReply(reply)) this.counts.uploadsAccepted++;
      if (!isErrorReply(reply) || reply.code !== "unavailable") return;
      await new Promise((r) => setTimeout(r, 1000));
    }
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
