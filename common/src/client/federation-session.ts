/**
 * A client's conversation with the coordinator, platform-neutral: join (again after every
 * reconnect), train when a round starts, upload, and keep an unacknowledged upload until the
 * coordinator has it. The browser and the headless Node clients hand it a socket.io-client socket
 * (any object of the `SessionSocket` shape) and their local data; nothing but weights, counts and
 * metrics is ever sent.
 * After the run it recommends with the best-validation round's table, sent by the coordinator, and
 * the private layers it kept for that round (best-round-layers.ts).
 */
import { modelDimensions } from "../config/derived-settings.ts";
import type { BatchGradientKernel } from "../model/batch-gradient.ts";
import type { ClientModel } from "../model/client-model.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { Interaction } from "../data/dataset.ts";
import type { EncoderIdentity } from "../encoder/encoder-identity.ts";
import {
  CLIENT_EVENTS,
  PROTOCOL_VERSION,
  SERVER_EVENTS,
  type Catalogue,
  type FederationFinished,
  type FederationState,
  type JoinRequest,
  type RoundSummary,
  type UploadMessage,
  type Welcome,
} from "../protocol/messages.ts";
import { errorReply, isErrorReply, type ErrorCode, type ErrorReply } from "../protocol/protocol-error.ts";
import type { ServerToClientEvents } from "../protocol/socket-events.ts";
import {
  parseFederationFinished,
  parseFederationReset,
  parseFederationState,
  parseProtocolError,
  parseRoundStart,
  parseRoundSummary,
  parseWelcome,
} from "../protocol/validation.ts";
import { float32FromWire } from "../protocol/wire-arrays.ts";
import { SECAGG_SERVER_EVENTS, type SecaggClientEvent, type SecaggFrame } from "../protocol/secure-aggregation-wire.ts";
import type { RandomBytes } from "../secure-aggregation/key-material.ts";
import { randomBytes as cryptoRandomBytes } from "@noble/hashes/utils.js";
import { initialModel } from "../model/initial-model.ts";
import { streamOf } from "../random/federation-streams.ts";
import { splitUser } from "../split/leave-one-out.ts";
import type { TrainingWorkspace } from "../train/training-workspace.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { EpochProgress } from "../train/local-training.ts";
import { BestRoundLayers, type BestLayers } from "./best-round-layers.ts";
import { ClientRuntime, SharedWorkspace, type Clock, type RuntimeSnapshot } from "./client-runtime.ts";
import { uploadMessage } from "./client-upload.ts";
import { SecureRoundClient } from "./secure-round-client.ts";

/** Requests with an acknowledgement, as `Socket<ServerToClientEvents, ClientToServerEvents>` sends them. */
export interface RequestEmitter {
  emitWithAck(event: typeof CLIENT_EVENTS.join, request: JoinRequest): Promise<unknown>;
  emitWithAck(event: typeof CLIENT_EVENTS.upload, upload: UploadMessage): Promise<unknown>;
  emitWithAck(event: SecaggClientEvent, frame: SecaggFrame): Promise<unknown>;
}

/**
 * The part of a socket.io-client `Socket<ServerToClientEvents, ClientToServerEvents>` the session
 * uses. What arrives is checked by the protocol's parsers, so listeners take it as `unknown`.
 */
export interface SessionSocket {
  on(event: "connect" | "disconnect", listener: () => void): unknown;
  on(event: keyof ServerToClientEvents, listener: (payload: unknown) => void): unknown;
  timeout(ms: number): RequestEmitter;
  readonly connected: boolean;
  disconnect(): unknown;
}

export interface ClientIdentity {
  readonly clientId: string;
  /** Issued by the coordinator at the first join (null before). */
  readonly secret: string | null;
}

/** What stays on the device. */
export interface LocalData {
  readonly interactions: readonly Interaction[];
  /** The profile text's embedding (computed on the device). */
  readonly profile: Float32Array;
  /** The encoder that computed `profile` (the federation's catalogue names the one it needs). */
  readonly encoder: EncoderIdentity;
  /** Selects this client's random streams (dataset user index in experiments, random on a device). */
  readonly streamKey: number;
  /** Size of the item catalogue the data refers to (checked against the federation's at join). */
  readonly numItems: number;
}

export type SessionPhase = "connecting" | "joined" | "training" | "uploading" | "waiting" | "finished" | "failed";

export interface SessionEvents {
  /** The coordinator issued or confirmed the identity: persist it to resume later. */
  identity?(identity: ClientIdentity): void;
  phase?(phase: SessionPhase, detail: string): void;
  welcome?(welcome: Welcome): void;
  /**
   * After each local epoch; training continues when the returned promise settles (a page resolves
   * it after a repaint). Setting it makes rounds stepwise: only for a session with its own workspace.
   */
  epoch?(round: number, progress: EpochProgress): Promise<void>;
  /** After local training of a round, before the upload: loss, time, and the local held-out metrics. */
  trained?(round: number, loss: number, seconds: number, metrics: LocalEvaluation): void;
  /** The coordinator has the round's upload; `snapshot` is the local model to keep (e.g. in IndexedDB). */
  uploaded?(round: number, bytes: number, snapshot: RuntimeSnapshot): void;
  roundEnd?(summary: RoundSummary): void;
  /** The private layers of the best-validation round so far were kept: persist them to survive a reload. */
  best?(best: BestLayers): void;
  /** The federation has finished; `recommendationModel()` now uses the best round's table. */
  finished?(finished: FederationFinished): void;
  state?(state: FederationState): void;
  /** The teacher reset the federation: the local model starts over (drop any saved snapshot and best layers). */
  reset?(): void;
  error?(error: ErrorReply): void;
}

export interface SessionOptions {
  readonly code: string;
  readonly token: string;
  readonly identity: ClientIdentity;
  /** What the dashboard may call this client (e.g. "ml-100k user 57"); null or absent: its id. */
  readonly label?: string | null;
  readonly data: LocalData;
  readonly clock: Clock;
  /** A saved local model to continue from (a page reload); ignored if it does not fit. */
  readonly snapshot?: RuntimeSnapshot | null;
  /** Saved layers of the best round so far (a page reload); ignored if they do not fit. */
  readonly best?: BestLayers | null;
  /** The engine for batch gradients (the browser's TensorFlow.js kernel); default: the core's. */
  readonly batchGradient?: BatchGradientKernel;
  /** Scratch state shared by several sessions of one thread (they train one at a time). */
  readonly workspace?: SharedWorkspace;
  readonly events?: SessionEvents;
  /** Acknowledgement timeout for join and upload. */
  readonly ackTimeoutMs?: number;
  /**
   * Runs `send` a little later (the shell's timer, e.g. a second): how a join or upload refused as
   * `unavailable` (a cluster gateway without Redis or leader) is sent again. Absent: it is sent
   * again only at the next connection or round start.
   */
  readonly retryLater?: (send: () => void) => void;
  /**
   * Secure aggregation's key material and masks (default: @noble/hashes' randomBytes, i.e.
   * crypto.getRandomValues, which a browser has on plain HTTP too).
   */
  readonly randomBytes?: RandomBytes;
}

/** Refusals that retrying cannot fix: the session stops and says why. */
const FATAL: readonly ErrorCode[] = [
  "protocol-version",
  "unknown-federation",
  "bad-token",
  "catalogue-mismatch",
  "encoder-mismatch",
  "replaced",
  "finished",
  "kicked",
];

interface PendingUpload {
  readonly round: number;
  readonly message: UploadMessage;
}

export class FederationSession {
  private identity: ClientIdentity;
  private runtime: ClientRuntime | null = null;
  private workspace: TrainingWorkspace | null = null;
  private welcomeValue: Welcome | null = null;
  private pending: PendingUpload | null = null;
  private lastAcceptedRound = 0;
  private stopped = false;
  private queuedStart: unknown = null;
  /** The round being trained (a stepwise round yields; a resent round:start must not start it twice). */
  private trainingRound: number | null = null;
  /** The latest table received (for recommendations between rounds). */
  latestTable: Float32Array | null = null;
  private bestLayers: BestRoundLayers;
  /** The saved local model to continue from at the first welcome (none after a reset). */
  private savedSnapshot: RuntimeSnapshot | null;
  /** After the run: the best round and this client's table of it. */
  private finishedRun: { readonly bestRound: number | null; readonly table: Float32Array } | null = null;
  /** This client's part in secure rounds (created with the runtime, when the federation aggregates securely). */
  private secure: SecureRoundClient | null = null;

  constructor(
    private readonly socket: SessionSocket,
    private readonly options: SessionOptions,
  ) {
    if (options.events?.epoch && options.workspace) {
      throw new Error("per-epoch progress pauses training: it needs a session with its own workspace");
    }
    this.identity = options.identity;
    this.savedSnapshot = options.snapshot ?? null;
    this.bestLayers = new BestRoundLayers(options.best ?? null, Boolean(options.snapshot), (best) =>
      options.events?.best?.(best),
    );
    socket.on(SERVER_EVENTS.reset, (payload) => {
      if (!isErrorReply(parseFederationReset(payload))) void this.startOver();
    });
    socket.on("connect", () => void this.join());
    socket.on("disconnect", () => this.setPhase("connecting", "connection lost; reconnecting"));
    socket.on(SERVER_EVENTS.roundStart, (payload: unknown) => void this.onRoundStart(payload));
    socket.on(SERVER_EVENTS.roundEnd, (payload: unknown) => {
      const summary = parseRoundSummary(payload);
      if (isErrorReply(summary)) return;
      if (summary.bestRound === summary.round) this.offerBest(summary.round, true);
      options.events?.roundEnd?.(summary);
    });
    socket.on(SERVER_EVENTS.finished, (payload: unknown) => this.onFinished(payload));
    socket.on(SERVER_EVENTS.state, (payload) => {
      const state = parseFederationState(payload);
      if (isErrorReply(state)) return;
      options.events?.state?.(state);
      if (state.phase === "finished") this.setPhase("finished", "the federation has finished");
    });
    socket.on(SERVER_EVENTS.error, (payload) => this.fail(parseProtocolError(payload)));
    socket.on(SECAGG_SERVER_EVENTS.roster, (payload) => void this.secure?.roster(payload));
    socket.on(SECAGG_SERVER_EVENTS.delivery, (payload) => this.secure?.delivery(payload));
    socket.on(SECAGG_SERVER_EVENTS.weight, (payload) => this.secure?.weight(payload));
    socket.on(SECAGG_SERVER_EVENTS.survivors, (payload) => void this.secure?.survivors(payload));
    if (socket.connected) void this.join();
  }

  get welcome(): Welcome | null {
    return this.welcomeValue;
  }

  get clientId(): string {
    return this.identity.clientId;
  }

  /** The client's trained model state (null before the welcome). */
  get client(): ClientRuntime | null {
    return this.runtime;
  }

  /** After the run: the best-validation round whose table recommendations use (null during the run or if none). */
  get bestRound(): number | null {
    return this.finishedRun?.bestRound ?? null;
  }

  /**
   * The model to recommend with (null before the welcome). During the run: the latest table and the
   * current private layers. After it: the best-validation round's table and the layers kept for
   * that round (the current ones when none were kept, e.g. the announcement was missed).
   */
  recommendationModel(): ClientModel | null {
    const runtime = this.runtime;
    if (!runtime) return null;
    const finished = this.finishedRun;
    if (finished) return this.bestLayers.modelFor(runtime, finished.bestRound, finished.table);
    return this.latestTable ? runtime.modelWith(this.latestTable) : null;
  }

  stop(): void {
    this.stopped = true;
    this.socket.disconnect();
  }

  private async join(): Promise<void> {
    if (this.stopped) return;
    this.setPhase("connecting", "joining");
    const request: JoinRequest = {
      protocol: PROTOCOL_VERSION,
      code: this.options.code,
      token: this.options.token,
      clientId: this.identity.clientId,
      secret: this.identity.secret,
      numItems: this.options.data.numItems,
      profileDim: this.options.data.profile.length,
      encoder: this.options.data.encoder,
      label: this.options.label ?? null,
    };
    const reply = await this.request((emitter) => emitter.emitWithAck(CLIENT_EVENTS.join, request));
    if (reply === null) return; // timed out or disconnected: the next "connect" joins again
    if (isErrorReply(reply)) {
      if (reply.code === "unavailable") this.retryLater(() => this.join());
      return this.fail(reply);
    }
    // A welcome this client cannot read will not get better by retrying.
    const welcome = parseWelcome(reply);
    if (isErrorReply(welcome)) return this.fail(welcome, true);
    this.welcomeValue = welcome;
    this.identity = { clientId: welcome.clientId, secret: welcome.secret };
    this.options.events?.identity?.(this.identity);
    if (!this.runtime) {
      this.runtime = this.createRuntime(welcome.config, welcome.catalogue);
      const saved = this.savedSnapshot;
      if (saved) {
        try {
          this.runtime.restore(saved);
        } catch (error) {
          this.bestLayers.restoreFailed();
          this.options.events?.error?.(errorReply("malformed", `saved local model not used: ${(error as Error).message}`));
        }
      }
      const unfit = this.bestLayers.dropIfUnfit(this.runtime);
      if (unfit !== null) this.options.events?.error?.(errorReply("malformed", `saved best-round layers not used: ${unfit}`));
    }
    const table = float32FromWire(welcome.table, "welcome.table", this.runtime.tableLength);
    if (isErrorReply(table)) return this.fail(table);
    this.latestTable = table;
    this.offerBest(welcome.bestRound, false);
    this.finishedRun = welcome.phase === "finished" ? { bestRound: welcome.bestRound, table } : null;
    this.options.events?.welcome?.(welcome);
    this.setPhase(welcome.phase === "finished" ? "finished" : "joined", `joined federation ${this.options.code}`);
    const queued = this.queuedStart;
    this.queuedStart = null;
    if (queued !== null) await this.onRoundStart(queued);
    else if (this.pending && this.pending.round > welcome.completedRounds) await this.sendPending();
  }

  /** The teacher reset the federation: forget rounds, uploads and the local model, and join again. */
  private async startOver(): Promise<void> {
    this.runtime = null;
    this.pending = null;
    this.lastAcceptedRound = 0;
    this.queuedStart = null;
    this.finishedRun = null;
    this.latestTable = null;
    this.savedSnapshot = null;
    this.bestLayers = new BestRoundLayers(null, false, (best) => this.options.events?.best?.(best));
    this.options.events?.reset?.();
    await this.join();
  }

  private createRuntime(config: FederationConfig, catalogue: Catalogue): ClientRuntime {
    const { interactions, profile, streamKey } = this.options.data;
    const split = splitUser(
      interactions,
      catalogue.numItems,
      config.evalNegatives,
      streamOf(config.seed, "split").fork(streamKey),
    );
    const initial = initialModel(config, modelDimensions(config, profile.length, catalogue.numItems));
    this.workspace = (this.options.workspace ?? new SharedWorkspace()).obtain(config, initial);
    this.secure = config.secureAggregation
      ? new SecureRoundClient({
          send: (event, frame) => this.request((emitter) => emitter.emitWithAck(event, frame)),
          randomBytes: this.options.randomBytes ?? cryptoRandomBytes,
          itemDim: config.itemDim,
          clipNorm: config.uploadClipNorm,
          error: (error) => this.fail(error),
        })
      : null;
    return new ClientRuntime(config, split, profile, streamKey, initial, this.options.batchGradient);
  }

  private async onRoundStart(payload: unknown): Promise<void> {
    const start = parseRoundStart(payload);
    if (isErrorReply(start)) return this.fail(start);
    const runtime = this.runtime;
    if (!runtime) {
      // The round may overtake the welcome (its acknowledgement resolves a promise a tick later).
      this.queuedStart = payload;
      return;
    }
    if (start.secure && !this.stopped) {
      if (!this.secure) {
        return this.fail(
          errorReply(
            "malformed",
            "round:start assigns a secure session, but this federation's settings have secureAggregation off",
          ),
        );
      }
      this.secure.begin(start.round, start.secure); // the keys go up while the client trains
    }
    if (this.stopped || start.round <= this.lastAcceptedRound || this.trainingRound === start.round) return;
    if (this.pending?.round === start.round) return void (await this.sendPending()); // trained already: never train a round twice
    const table = float32FromWire(start.table, "round:start.table", runtime.tableLength);
    if (isErrorReply(table)) return this.fail(table);
    this.latestTable = table;
    this.finishedRun = null; // an admin may resume a stopped federation
    this.setPhase("training", `training round ${start.round}`);
    this.trainingRound = start.round;
    const onEpoch = this.options.events?.epoch;
    const outcome = onEpoch
      ? await runtime.runRoundStepwise(table, this.workspace!, this.options.clock, (progress) => onEpoch(start.round, progress))
      : runtime.runRound(table, this.workspace!, this.options.clock);
    this.trainingRound = null;
    this.bestLayers.trained(start.round);
    this.options.events?.trained?.(
      start.round,
      outcome.loss,
      outcome.seconds.train + outcome.seconds.evaluate,
      outcome.upload.metrics,
    );
    const precision = this.welcomeValue?.config.uploadPrecision ?? "float32";
    let upload = outcome.upload;
    if (this.secure) {
      // The rows stay here: the change goes up masked once the coordinator sends this client's weight.
      this.secure.trained(start.round, { base: table, rows: upload.rows, values: upload.values });
      upload = { ...upload, rows: new Int32Array(0), values: new Float32Array(0) };
    }
    this.pending = {
      round: start.round,
      message: uploadMessage(upload, start.round, this.identity.clientId, outcome.loss, precision),
    };
    await this.sendPending();
  }

  private onFinished(payload: unknown): void {
    const finished = parseFederationFinished(payload);
    if (isErrorReply(finished)) return this.fail(finished);
    const runtime = this.runtime;
    if (!runtime) return; // not welcomed yet: the welcome of the join in flight says it all
    const table = float32FromWire(finished.table, "federation:finished.table", runtime.tableLength);
    if (isErrorReply(table)) return this.fail(table);
    this.offerBest(finished.bestRound, false);
    this.finishedRun = { bestRound: finished.bestRound, table };
    this.options.events?.finished?.(finished);
    this.setPhase("finished", "the federation has finished");
  }

  /** Keeps the private layers for best round `round` when they are the right ones (never mid-training: a late client's layers are half-way into the round that just closed). */
  private offerBest(round: number | null, atRoundEnd: boolean): void {
    if (this.runtime && this.trainingRound === null) this.bestLayers.offer(round, atRoundEnd, this.runtime);
  }

  private async sendPending(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.setPhase("uploading", `uploading round ${pending.round}`);
    const reply = await this.request((emitter) => emitter.emitWithAck(CLIENT_EVENTS.upload, pending.message));
    if (reply === null) return; // kept: sent again after the next join
    // A later round's upload may have replaced this one while the answer travelled.
    const current = this.pending === pending;
    if (isErrorReply(reply)) {
      if (!current) return; // about a round that is over for this client: changes nothing
      // The round closed without us (or never included us): the upload is worthless now.
      if (reply.code === "stale-round" || reply.code === "not-sampled" || reply.code === "wrong-round") this.pending = null;
      if (reply.code === "unavailable") this.retryLater(() => this.sendPending());
      return this.fail(reply);
    }
    // Accepted counts even when the next round started before the acknowledgement arrived.
    this.lastAcceptedRound = Math.max(this.lastAcceptedRound, pending.round);
    const m = pending.message;
    const bytes = m.userWeights.byteLength + m.rows.byteLength + m.values.byteLength;
    this.options.events?.uploaded?.(pending.round, bytes, this.runtime!.snapshot());
    if (!current) return;
    this.pending = null;
    this.setPhase("waiting", `round ${pending.round} uploaded; waiting for the next round`);
  }

  /** The coordinator could not persist it now (a cluster without Redis or leader): send it again later on this connection. */
  private retryLater(send: () => Promise<void>): void {
    this.options.retryLater?.(() => {
      if (!this.stopped && this.socket.connected) void send();
    });
  }

  /** A request sent with the acknowledgement timeout; null when no answer came (disconnected or timed out). */
  private async request(send: (emitter: RequestEmitter) => Promise<unknown>): Promise<unknown> {
    if (!this.socket.connected) return null;
    try {
      return await send(this.socket.timeout(this.options.ackTimeoutMs ?? 30_000));
    } catch {
      return null;
    }
  }

  private fail(error: ErrorReply, fatal = FATAL.includes(error.code)): void {
    this.options.events?.error?.(error);
    if (fatal) {
      this.stopped = true;
      this.setPhase("failed", error.message);
      this.socket.disconnect();
    }
  }

  private setPhase(phase: SessionPhase, detail: string): void {
    this.options.events?.phase?.(phase, detail);
  }
}
