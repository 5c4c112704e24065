/**
 * One federation's rounds as a plain object: who has joined, which round is open, which uploads
 * are in, when to aggregate. No sockets and no database: the shell feeds it validated messages and
 * clock ticks, and it answers, persists through its journal before acknowledging, and sends
 * through its outbox. Aggregation is the strategy from common/ (the simulator's very code).
 *
 * Round rules (Flower's vocabulary): a round opens when `minClientsToStart` clients are connected;
 * `fractionTrain` of the connected clients (at least `minTrainClients`) are sampled; the round
 * closes as soon as every participant has uploaded, or at the deadline when `quorum` of them have.
 * Below the quorum at the deadline the round stays open, idle connected clients are added, and
 * the deadline moves on; nothing accepted is discarded.
 *
 * Best-validation retention: each completed round's combined validation metric is offered to a
 * BestTableTracker with the tables sent in that round; the best round's tables are persisted with
 * the round that made them best and, once the federation has finished (last round, early stop
 * after `earlyStoppingPatience` rounds without a new best, or an admin's stop), every client gets
 * its table of that round to recommend with.
 */
import {
  BestTableTracker,
  aggregateEvaluate,
  aggregateTrain,
  checkJoinCatalogue,
  errorReply,
  initialModel,
  isErrorReply,
  modelDimensions,
  parseUploadArrays,
  resolveConfig,
  sampleParticipants,
  strategyOptions,
  streamOf,
  tableFor,
  type BestRound,
  type Catalogue,
  type ClientStatus,
  type ControlAction,
  type ErrorReply,
  type FederationStatus,
  type FederationConfig,
  type FederationPhase,
  type GramKernel,
  type JoinRequest,
  type LocalEvaluation,
  type ModelDimensions,
  type RoundSummary,
  type ServerTables,
  type SparseRows,
  type TrainResult,
  type UploadAccepted,
  type UploadMessage,
} from "@fedrec/common";
import type {
  AcceptedUpload,
  Checkpoint,
  ClientRecord,
  Credentials,
  FederationJournal,
  FederationOutbox,
  FederationSetup,
  FinishedRun,
  StoredFederation,
} from "./federation-types.ts";

/** Settings an admin may change while the federation runs (the clients' training settings are fixed at join). */
export const LIVE_SETTINGS = [
  "rounds",
  "fractionTrain",
  "minTrainClients",
  "minClientsToStart",
  "roundDeadlineSeconds",
  "quorum",
  "neighbourhood",
  "neighbourhoodSize",
  "thresholdFactor",
  "propagationLayers",
  "globalUpdate",
  "serverOptimizer",
  "serverLearningRate",
  "distribution",
  "uploadClipNorm",
  "earlyStoppingPatience",
] as const satisfies readonly (keyof FederationConfig)[];

interface OpenRound {
  readonly round: number;
  readonly participants: Set<string>;
  readonly accepted: Map<string, AcceptedUpload>;
  deadline: number;
  readonly openedAt: number;
  readonly bytes: { in: number; out: number };
  readonly rejected: Record<string, number>;
}

interface ClientState extends ClientRecord {
  connected: boolean;
  /** As the client gave it at its latest join (kept in memory only). */
  label: string | null;
}

export interface FederationDeps {
  readonly journal: FederationJournal;
  readonly outbox: FederationOutbox;
  readonly credentials: Credentials;
  /** Unix milliseconds. */
  readonly now: () => number;
  readonly gram?: GramKernel;
}

export interface JoinAccepted {
  readonly clientId: string;
  readonly secret: string;
  readonly table: Float32Array;
}

/** The user graph of the last aggregation, for the dashboard. */
export interface LastGraph {
  readonly participants: readonly string[];
  readonly neighbourhood: SparseRows;
}

export class Federation {
  readonly code: string;
  readonly catalogue: Catalogue;
  private configValue: FederationConfig;
  private phaseValue: FederationPhase;
  private readonly clients = new Map<string, ClientState>();
  private readonly bySlot: ClientState[] = [];
  private tables: ServerTables;
  private completed: number;
  private latestMetrics: Map<string, LocalEvaluation>;
  private readonly historyList: RoundSummary[];
  private open: OpenRound | null = null;
  private readonly rejectedTotal: Record<string, number> = {};
  private graph: LastGraph | null = null;
  private readonly dims: ModelDimensions;
  private tracker: BestTableTracker<ServerTables>;
  /** The finish was sent to the connected clients (late joiners read it from their welcome). */
  private finishAnnounced = false;
  /** A "step" is running: pause after the round that completes next. */
  private stepping = false;
  /** Clients the teacher removed (in memory: a restarted coordinator lets them in again). */
  private readonly kicked = new Set<string>();
  private readonly starting: ServerTables | null;

  constructor(
    /** Code, tokens and catalogue, fixed at creation. */
    readonly setup: FederationSetup,
    stored: Omit<StoredFederation, "setup">,
    private readonly deps: FederationDeps,
  ) {
    this.code = setup.code;
    this.catalogue = setup.catalogue;
    this.configValue = stored.config;
    this.phaseValue = stored.phase;
    this.dims = modelDimensions(stored.config, setup.catalogue.profileDim, setup.catalogue.numItems);
    for (const record of stored.clients) this.addClient(record);
    this.starting = stored.starting;
    const checkpoint = stored.checkpoint;
    this.tables = checkpoint?.tables ?? { global: initialModel(stored.config, this.dims).itemTable, personal: new Map() };
    this.completed = checkpoint?.completedRounds ?? 0;
    this.latestMetrics = new Map(checkpoint?.latestMetrics ?? []);
    this.tracker = new BestTableTracker(stored.best);
    this.historyList = [...stored.history];
    if (stored.openRound) {
      this.open = this.newOpenRound(stored.openRound.round, stored.openRound.participants);
      for (const [id, upload] of stored.openRound.accepted) this.open.accepted.set(id, upload);
    }
  }

  get config(): FederationConfig {
    return this.configValue;
  }

  get phase(): FederationPhase {
    return this.phaseValue;
  }

  get completedRounds(): number {
    return this.completed;
  }

  get history(): readonly RoundSummary[] {
    return this.historyList;
  }

  get lastGraph(): LastGraph | null {
    return this.graph;
  }

  /** The best-validation round and the tables sent in it. */
  get best(): BestRound<ServerTables> | null {
    return this.tracker.best;
  }

  /** The round after which early stopping finished the federation (null: it did not). */
  get stoppedEarlyAt(): number | null {
    return this.phaseValue === "finished" && this.open === null && this.earlyStopDue() ? this.completed : null;
  }

  /**
   * The table a client recommends with now: during the run the one it would receive next; once
   * finished, its table of the best-validation round (the latest before any round completed).
   */
  tableForRecommendations(slot: number): Float32Array {
    const best = this.phaseValue === "finished" ? this.tracker.best : null;
    return tableFor(best?.tables ?? this.tables, slot);
  }

  /** The state a checkpoint would hold now (after the last completed round). */
  checkpoint(): Checkpoint {
    return { completedRounds: this.completed, tables: this.tables, latestMetrics: this.latestMetrics };
  }

  canJoin(token: string): boolean {
    return this.deps.credentials.sameToken(token, this.setup.joinToken);
  }

  /** Every registered client and what it is doing (for the dashboard). */
  clientStates(): ClientStatus[] {
    const open = this.open;
    return this.bySlot.map((c) => ({
      clientId: c.clientId,
      slot: c.slot,
      label: c.label,
      connected: c.connected,
      state: open?.accepted.has(c.clientId)
        ? "uploaded"
        : open?.participants.has(c.clientId)
          ? c.connected
            ? "training"
            : "dropped"
          : c.connected
            ? "idle"
            : "offline",
      metrics: this.latestMetrics.get(c.clientId) ?? null,
    }));
  }

  isAdmin(token: string): boolean {
    return this.deps.credentials.sameToken(token, this.setup.adminToken);
  }

  // ------------------------------------------------------------------ clients

  join(request: JoinRequest): JoinAccepted | ErrorReply {
    if (!this.deps.credentials.sameToken(request.token, this.setup.joinToken)) {
      return errorReply("bad-token", `wrong join token for federation ${this.code}; use the invite link`);
    }
    if (this.kicked.has(request.clientId)) {
      return errorReply("kicked", `the teacher removed client ${request.clientId} from federation ${this.code}`);
    }
    const mismatch = checkJoinCatalogue(this.code, this.catalogue, request);
    if (mismatch) return mismatch;
    const known = this.clients.get(request.clientId);
    if (known) {
      if (request.secret === null || !this.deps.credentials.matches(request.secret, known.secretDigest)) {
        return errorReply("bad-token", `client id ${request.clientId} is registered with another secret`);
      }
      known.label = request.label;
      return { clientId: known.clientId, secret: request.secret, table: this.tableForRecommendations(known.slot) };
    }
    if (request.secret !== null)
      return errorReply("bad-token", `client id ${request.clientId} is not registered; join without a secret`);
    const { secret, digest } = this.deps.credentials.issue();
    const record: ClientRecord = { clientId: request.clientId, slot: this.bySlot.length, secretDigest: digest };
    this.deps.journal.clientRegistered(this.code, record);
    this.addClient(record).label = request.label;
    return { clientId: record.clientId, secret, table: this.tableForRecommendations(record.slot) };
  }

  /** A joined client's connection is up: a participant that has not uploaded gets its round again. */
  connect(clientId: string): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    client.connected = true;
    const open = this.open;
    if (open && open.participants.has(clientId) && !open.accepted.has(clientId)) this.sendRound(open, client);
    this.advance();
    this.deps.outbox.stateChanged();
  }

  disconnect(clientId: string): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    client.connected = false;
    this.deps.outbox.stateChanged();
  }

  upload(clientId: string, message: UploadMessage): UploadAccepted | ErrorReply {
    const open = this.open;
    if (this.phaseValue === "finished" && !open) return errorReply("finished", `federation ${this.code} has finished its rounds`);
    const current = open?.round ?? this.completed + 1;
    if (message.round <= this.completed) {
      return errorReply("stale-round", `round ${message.round} is closed (${this.completed} completed); wait for the next round`);
    }
    if (!open || message.round !== current) {
      return errorReply("wrong-round", `round ${message.round} has not started (current: ${open ? open.round : "none open"})`);
    }
    if (!open.participants.has(clientId))
      return errorReply("not-sampled", `client ${clientId} was not sampled in round ${open.round}`);
    const arrays = parseUploadArrays(message, {
      userWeights: this.dims.profileDim * this.dims.jointDim,
      numItems: this.dims.numItems,
      itemDim: this.dims.itemDim,
      precision: this.configValue.uploadPrecision,
    });
    if (isErrorReply(arrays)) return errorReply(arrays.code, arrays.message);
    const upload: AcceptedUpload = { ...arrays, numExamples: message.numExamples, loss: message.loss, metrics: message.metrics };
    const earlier = open.accepted.get(clientId);
    if (earlier) {
      // A retry after a lost acknowledgement is answered as accepted; different data is refused.
      if (sameUpload(earlier, upload)) return { ok: true, round: open.round };
      return errorReply("duplicate", `client ${clientId} already uploaded a different update for round ${open.round}`);
    }
    this.deps.journal.uploadAccepted(this.code, open.round, clientId, upload);
    open.accepted.set(clientId, upload);
    this.advance();
    this.deps.outbox.stateChanged();
    return { ok: true, round: message.round };
  }

  // ------------------------------------------------------------------ time and control

  /** Called by the shell's timer: opens rounds, enforces deadlines. */
  tick(): void {
    this.advance();
  }

  control(action: ControlAction): void {
    if (action === "reset") return this.reset();
    if (this.phaseValue === "finished") return;
    this.stepping = action === "step";
    if (action === "stop") this.phaseValue = "finished";
    else if (action === "pause") this.phaseValue = "paused";
    else this.phaseValue = this.open ? "training" : "waiting";
    this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
    this.advance();
    this.deps.outbox.stateChanged();
  }

  /**
   * Removes a client: it cannot join again (until a restart), leaves the open round — an upload it
   * already made stays — and its connection is closed. False when no such client is registered.
   */
  kick(clientId: string): boolean {
    const client = this.clients.get(clientId);
    if (!client) return false;
    this.kicked.add(clientId);
    client.connected = false;
    const open = this.open;
    if (open && open.participants.has(clientId) && !open.accepted.has(clientId)) {
      open.participants.delete(clientId);
      this.deps.journal.roundOpened(this.code, open.round, [...open.participants]);
    }
    this.deps.outbox.kicked(clientId);
    this.advance();
    this.deps.outbox.stateChanged();
    return true;
  }

  /**
   * Starts over with the same clients: the starting tables (a warm start's, else the seed's draw),
   * no rounds, no metrics, no best round; paused until the next start. Connected clients are told
   * to join again, and so start over too.
   */
  private reset(): void {
    const tables = this.starting ?? { global: initialModel(this.configValue, this.dims).itemTable, personal: new Map() };
    this.deps.journal.federationReset(this.code, tables);
    this.tables = tables;
    this.completed = 0;
    this.latestMetrics = new Map();
    this.historyList.length = 0;
    this.open = null;
    this.graph = null;
    this.tracker = new BestTableTracker<ServerTables>(null);
    this.finishAnnounced = false;
    this.stepping = false;
    this.phaseValue = "paused";
    this.deps.outbox.reset();
    this.deps.outbox.stateChanged();
  }

  /** Changes live settings (LIVE_SETTINGS); anything else is refused with the reason. */
  configure(changes: unknown): FederationConfig {
    if (typeof changes === "object" && changes !== null) {
      const fixed = Object.keys(changes).filter((k) => !(LIVE_SETTINGS as readonly string[]).includes(k));
      if (fixed.length > 0) {
        throw new Error(
          `cannot change ${fixed.join(", ")} while the federation runs (live settings: ${LIVE_SETTINGS.join(", ")})`,
        );
      }
    }
    this.configValue = resolveConfig(this.configValue, changes, "settings");
    if (this.phaseValue === "finished" && this.completed < this.configValue.rounds && !this.earlyStopDue()) {
      this.phaseValue = "paused";
      this.finishAnnounced = false;
    }
    this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
    this.advance();
    this.deps.outbox.stateChanged();
    return this.configValue;
  }

  /** Counts a rejected message of this federation's clients (by its error code). */
  countRejection(code: string): void {
    this.rejectedTotal[code] = (this.rejectedTotal[code] ?? 0) + 1;
    if (this.open) this.open.rejected[code] = (this.open.rejected[code] ?? 0) + 1;
  }

  addBytes(incoming: number, outgoing: number): void {
    if (!this.open) return;
    this.open.bytes.in += incoming;
    this.open.bytes.out += outgoing;
  }

  status(): FederationStatus {
    let connected = 0;
    for (const c of this.clients.values()) if (c.connected) connected++;
    const open = this.open;
    return {
      code: this.code,
      catalogue: this.catalogue,
      phase: this.phaseValue,
      completedRounds: this.completed,
      rounds: this.configValue.rounds,
      clients: { registered: this.clients.size, connected },
      round: open
        ? { round: open.round, participants: open.participants.size, uploaded: open.accepted.size, deadline: open.deadline }
        : null,
      lastRound: this.historyList.at(-1) ?? null,
      best: this.tracker.best && { round: this.tracker.best.round, val: this.tracker.best.val },
      stoppedEarlyAt: this.stoppedEarlyAt,
      rejected: { ...this.rejectedTotal },
    };
  }

  // ------------------------------------------------------------------ internals

  private advance(): void {
    const open = this.open;
    if (open) {
      const everyoneIn = open.accepted.size === open.participants.size;
      const quorum = Math.max(1, Math.ceil(this.configValue.quorum * open.participants.size));
      if (everyoneIn || (this.deps.now() >= open.deadline && open.accepted.size >= quorum)) this.complete(open);
      else if (this.deps.now() >= open.deadline) this.topUp(open);
    }
    if (this.open || this.phaseValue === "paused") return;
    if (this.phaseValue !== "finished" && (this.completed >= this.configValue.rounds || this.earlyStopDue())) {
      this.phaseValue = "finished";
      this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
    }
    if (this.phaseValue === "finished") return this.announceFinish();
    const connected = [...this.clients.values()].filter((c) => c.connected);
    if (connected.length < this.configValue.minClientsToStart) {
      this.phaseValue = "waiting";
      return;
    }
    this.openRound(connected);
  }

  /** `earlyStoppingPatience` rounds have passed without a new best (before the last round). */
  private earlyStopDue(): boolean {
    const c = this.configValue;
    return this.completed < c.rounds && this.tracker.patienceExhausted(c.earlyStoppingPatience, this.completed);
  }

  private announceFinish(): void {
    if (this.finishAnnounced) return;
    this.finishAnnounced = true;
    const common = {
      completedRounds: this.completed,
      stoppedEarlyAt: this.stoppedEarlyAt,
      bestRound: this.tracker.best?.round ?? null,
    };
    for (const client of this.bySlot) {
      if (!client.connected) continue;
      const finished: FinishedRun = { ...common, table: this.tableForRecommendations(client.slot) };
      this.deps.outbox.finished(client.clientId, finished);
    }
  }

  private openRound(connected: readonly ClientState[]): void {
    const c = this.configValue;
    const round = this.completed + 1;
    const slots = sampleParticipants(
      connected.map((x) => x.slot),
      c.fractionTrain,
      c.minTrainClients,
      streamOf(c.seed, "sampling").fork(round),
    );
    const participants = slots.map((s) => this.bySlot[s]!.clientId);
    this.deps.journal.roundOpened(this.code, round, participants);
    const open = this.newOpenRound(round, participants);
    this.open = open;
    this.phaseValue = "training";
    for (const id of participants) this.sendRound(open, this.clients.get(id)!);
  }

  /** Below quorum at the deadline: add idle connected clients and give everyone more time. */
  private topUp(open: OpenRound): void {
    const idle = [...this.clients.values()].filter((c) => c.connected && !open.participants.has(c.clientId));
    open.deadline = this.deps.now() + this.configValue.roundDeadlineSeconds * 1000;
    if (idle.length > 0) {
      for (const c of idle) open.participants.add(c.clientId);
      this.deps.journal.roundOpened(this.code, open.round, [...open.participants]);
    }
    for (const id of open.participants) {
      const client = this.clients.get(id)!;
      if (client.connected && !open.accepted.has(id)) this.sendRound(open, client);
    }
  }

  private complete(open: OpenRound): void {
    const t0 = this.deps.now();
    const accepted = [...open.accepted.entries()]
      .map(([id, upload]) => ({ client: this.clients.get(id)!, upload }))
      .sort((a, b) => a.client.slot - b.client.slot);
    const results: TrainResult[] = accepted.map(({ client, upload }) => ({
      client: client.slot,
      userWeights: upload.userWeights,
      items: { base: tableFor(this.tables, client.slot), rows: upload.rows, values: upload.values },
      numExamples: upload.numExamples,
    }));
    const output = aggregateTrain(strategyOptions(this.configValue), this.tables, results, this.dims.itemDim, this.deps.gram);
    const latest = new Map(this.latestMetrics);
    for (const { client, upload } of accepted) latest.set(client.clientId, upload.metrics);
    const metrics = aggregateEvaluate([...latest.values()]);
    // Round r's metrics were measured on the tables sent in round r: those are the ones to keep.
    const best = this.tracker.wouldImprove(metrics.val) ? { round: open.round, val: metrics.val, tables: this.tables } : null;
    const losses = accepted.map((a) => a.upload.loss).filter((l): l is number => l !== null);
    const t1 = this.deps.now();
    const summary: RoundSummary = {
      round: open.round,
      sampled: open.participants.size,
      aggregated: accepted.length,
      loss: losses.length > 0 ? losses.reduce((a, b) => a + b, 0) / losses.length : null,
      metrics,
      bytes: { ...open.bytes },
      seconds: { total: (t1 - open.openedAt) / 1000, aggregate: (t1 - t0) / 1000 },
      rejected: { ...open.rejected },
      bestRound: best?.round ?? this.tracker.best?.round ?? null,
    };
    const checkpoint: Checkpoint = {
      completedRounds: open.round,
      tables: output.tables,
      latestMetrics: latest,
    };
    // Persist first: if the write fails, the round stays open with its uploads and nothing changes.
    this.deps.journal.roundCompleted(this.code, summary, checkpoint, best);
    if (best) this.tracker.observe(best.round, best.val, best.tables);
    this.tables = checkpoint.tables;
    this.completed = open.round;
    this.latestMetrics = latest;
    this.open = null;
    this.graph = { participants: accepted.map((a) => a.client.clientId), neighbourhood: output.neighbourhood };
    this.historyList.push(summary);
    this.deps.outbox.roundEnded(summary);
    if (this.stepping) this.pauseAfterStep();
  }

  /** The round of a "step" is done: pause (unless it was the last, which finishes). */
  private pauseAfterStep(): void {
    this.stepping = false;
    if (this.phaseValue !== "training") return;
    this.phaseValue = "paused";
    this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
  }

  private sendRound(open: OpenRound, client: ClientState): void {
    if (!client.connected) return;
    this.deps.outbox.sendRound(client.clientId, {
      round: open.round,
      deadline: open.deadline,
      table: tableFor(this.tables, client.slot),
    });
  }

  private newOpenRound(round: number, participants: readonly string[]): OpenRound {
    const now = this.deps.now();
    return {
      round,
      participants: new Set(participants),
      accepted: new Map(),
      deadline: now + this.configValue.roundDeadlineSeconds * 1000,
      openedAt: now,
      bytes: { in: 0, out: 0 },
      rejected: {},
    };
  }

  private addClient(record: ClientRecord): ClientState {
    if (record.slot !== this.bySlot.length)
      throw new Error(`client slots must be dense: got ${record.slot}, expected ${this.bySlot.length}`);
    const state: ClientState = { ...record, connected: false, label: null };
    this.clients.set(record.clientId, state);
    this.bySlot.push(state);
    return state;
  }
}

function sameUpload(a: AcceptedUpload, b: AcceptedUpload): boolean {
  return (
    a.numExamples === b.numExamples &&
    equalArrays(a.rows, b.rows) &&
    equalArrays(a.values, b.values) &&
    equalArrays(a.userWeights, b.userWeights)
  );
}

function equalArrays(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
