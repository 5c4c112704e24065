/**
 * One federation's rounds as a plain object — the one round machine that the simulator and the
 * coordinator both drive. No sockets, no database, no real clock: the shell feeds it clients
 * (registered, connected, disconnected), uploads and clock ticks; it persists through its journal
 * before acknowledging and sends through its outbox.
 *
 *   phase waiting → a round opens when `minClientsToStart` clients are connected: `fractionTrain`
 *   of them (at least `minTrainClients`) are sampled (sampleParticipants with the round's fork of
 *   the "sampling" stream, over the connected slots in slot order; under client-level DP each
 *   independently with probability `fractionTrain`, from `dpRandomness`) and sent their tables
 *   (configureTrain). The round closes when every participant has uploaded, or at the deadline
 *   with the quorum (open-round.ts; under DP at the deadline, without top-up; a DP round that
 *   sampled nobody closes at once and still releases its noise); the strategy then aggregates — possibly elsewhere, so
 *   uploads may arrive meanwhile and are answered as stale — and the outcome is journaled, then
 *   committed, then announced. The federation finishes after `rounds` rounds, on early stopping
 *   (`earlyStoppingPatience` rounds without a new best validation HR@10) or an admin's stop;
 *   every connected client is then sent its table of the best-validation round.
 *
 * `step()` runs a single round now and pauses after it (the simulator's loop); the teacher's
 * "step" control does the same for the open round, or the next one. `remove()` takes a client out
 * of the federation's rounds; the "reset" control starts over from the starting tables (a warm
 * start's, else the seed's draw) with the same clients.
 */
import { roundGraph, tableFor, type AggregateTrainOutput, type ServerTables } from "../aggregation/graph-strategy.ts";
import { modelDimensions, strategyOptions } from "../config/derived-settings.ts";
import { resolveConfig, type FederationConfig } from "../config/federation-config.ts";
import type { BestRound } from "../metrics/best-table-tracker.ts";
import type { ModelDimensions } from "../model/client-model.ts";
import { initialModel } from "../model/initial-model.ts";
import type { ControlAction } from "../protocol/admin-messages.ts";
import type { FederationPhase, RoundSummary, SecureAggregationReport, UploadAccepted } from "../protocol/messages.ts";
import { errorReply, isErrorReply, type ErrorReply } from "../protocol/protocol-error.ts";
import type { SecaggClientEvent } from "../protocol/secure-aggregation-wire.ts";
import { MIN_GROUP_SIZE } from "../secure-aggregation/group-plan.ts";
import { clientLevelDp, spentEpsilon, type ClientLevelDp } from "../privacy/client-level-dp.ts";
import { ClientRegistry, type RegisteredClient } from "./client-registry.ts";
import type {
  AcceptedUpload,
  Checkpoint,
  ClientRecord,
  FinishedRun,
  LastGraph,
  MachineDeps,
  MachineState,
} from "./federation-types.ts";
import { refuseFixedSettings } from "./live-settings.ts";
import { OpenRound, judgeUpload, roundForUpload, sampleRound } from "./open-round.ts";
import { summariseRound } from "./round-summary.ts";
import { RoundStrategy, inThreadAggregator, type ParticipantUpload, type StrategyState } from "./round-strategy.ts";
import { SecureRound, secureRoundTables } from "./secure-round.ts";

/** The open round's secure-aggregation attempt (live rounds only). */
interface SecureAttempt {
  readonly number: number;
  readonly sessions: SecureRound;
  /** The accepted uploads in slot order and their c_j, once the upload phase closed. */
  weighed: {
    readonly output: AggregateTrainOutput;
    /** c_j of the uploads in slot order; null: nothing to weigh (FedAvg with every n_j = 0), the table stays. */
    readonly coefficients: Float64Array | null;
  } | null;
}

/** A round's aggregation as the secure path computed it, and what its summary reports. */
interface SecureAggregated {
  readonly output: AggregateTrainOutput;
  readonly report: SecureAggregationReport;
}

export class RoundMachine {
  readonly registry: ClientRegistry;
  private configValue: FederationConfig;
  private phaseValue: FederationPhase;
  private strategy: RoundStrategy;
  /** The tables round 1 starts from when they are not the seed's draw (a warm start). */
  private readonly starting: ServerTables | null;
  readonly dims: ModelDimensions;
  private completed: number;
  private readonly historyList: RoundSummary[];
  private open: OpenRound | null = null;
  private graph: LastGraph | null = null;
  /** The finish was sent to the connected clients (late joiners read it from their welcome). */
  private finishAnnounced = false;
  /** The open round was opened by step(): pause when it completes. */
  private stepping = false;
  private aggregation: Promise<void> | null = null;
  /** Client-level DP in force (null: off); its settings are fixed while the federation runs. */
  private readonly dp: ClientLevelDp | null;
  /** The open round's secure-aggregation attempt and how many it has had (live secure rounds). */
  private secure: SecureAttempt | null = null;
  private secureAttempts = 0;

  constructor(
    /** The federation's code (the journal's key). */
    readonly code: string,
    shape: { readonly numItems: number; readonly profileDim: number },
    stored: MachineState,
    private readonly deps: MachineDeps,
  ) {
    this.configValue = stored.config;
    this.phaseValue = stored.phase;
    this.dims = modelDimensions(stored.config, shape.profileDim, shape.numItems);
    this.dp = clientLevelDp(stored.config);
    if (this.dp && !deps.dpRandomness) {
      throw new Error(
        `federation ${code}: client-level DP needs a secret random source (dpRandomness) for its sampling and noise`,
      );
    }
    this.registry = new ClientRegistry(stored.clients);
    const size = this.dims.numItems * this.dims.itemDim;
    if (stored.starting && stored.starting.global.length !== size) {
      throw new Error(
        `the starting item table has ${stored.starting.global.length} values, expected numItems × itemDim = ${size}`,
      );
    }
    this.starting = stored.starting;
    const checkpoint = stored.checkpoint;
    this.strategy = this.newStrategy({
      tables: checkpoint?.tables ?? this.startingTables(),
      latestMetrics: new Map(checkpoint?.latestMetrics ?? []),
      best: stored.best,
    });
    this.completed = checkpoint?.completedRounds ?? 0;
    this.historyList = [...stored.history];
    if (stored.openRound) {
      const open = this.newOpenRound(stored.openRound.round, stored.openRound.participants);
      for (const [id, upload] of stored.openRound.accepted) open.accepted.set(id, upload);
      this.open = open;
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
    return this.strategy.best;
  }

  /** Client-level DP's settings and the ε spent after the completed rounds (null: DP off). */
  get privacy(): (ClientLevelDp & { readonly spentEpsilon: number }) | null {
    return this.dp && { ...this.dp, spentEpsilon: spentEpsilon(this.dp, this.completed) };
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
    const best = this.phaseValue === "finished" ? this.strategy.best : null;
    return tableFor(best?.tables ?? this.strategy.tables, slot);
  }

  /** The state a checkpoint would hold now (after the last completed round). */
  checkpoint(): Checkpoint {
    return { completedRounds: this.completed, tables: this.strategy.tables, latestMetrics: this.strategy.latestMetrics };
  }

  /** Resolves once no aggregation (nor a secure session's reconstruction) is in flight. */
  async settled(): Promise<void> {
    for (;;) {
      const pending = this.aggregation ?? this.secure?.sessions.reconstructing() ?? null;
      if (!pending) return;
      await pending;
    }
  }

  // ------------------------------------------------------------------ clients

  /** Registers a new client in the next slot (the caller has checked who it is); journaled first. */
  register(clientId: string, secretDigest: string, label: string | null): RegisteredClient {
    const record: ClientRecord = { clientId, slot: this.registry.nextSlot, secretDigest };
    this.deps.journal.clientRegistered(this.code, record);
    return this.registry.add(record, label);
  }

  /** A registered client's connection is up: a participant that has not uploaded gets its round again. */
  connect(clientId: string): void {
    const client = this.registry.get(clientId);
    if (!client) return;
    client.connected = true;
    const open = this.open;
    if (open?.waitingFor(clientId)) this.sendRound(open, [client]);
    this.advance();
    this.deps.outbox.stateChanged();
  }

  disconnect(clientId: string): void {
    const client = this.registry.get(clientId);
    if (!client) return;
    client.connected = false;
    this.deps.outbox.stateChanged();
  }

  /** Why an upload for `round` from `clientId` would be refused now (null: it would be taken). */
  refusal(clientId: string, round: number): ErrorReply | null {
    const open = roundForUpload(this.uploadContext(), clientId, round);
    return isErrorReply(open) ? open : null;
  }

  /** A decoded upload (the wire's, or the simulator's clients'), under the round rules. */
  submit(clientId: string, round: number, upload: AcceptedUpload): UploadAccepted | ErrorReply {
    const open = roundForUpload(this.uploadContext(), clientId, round);
    if (isErrorReply(open)) return open;
    if (this.liveSecure && (upload.rows.length > 0 || upload.values.length > 0)) {
      return errorReply(
        "wrong-shape",
        `federation ${this.code} aggregates securely: an upload carries no item rows (the change goes up masked after secagg:weight), got ${upload.rows.length}`,
      );
    }
    return this.accept(open, clientId, upload);
  }

  // ------------------------------------------------------------------ time and control

  /** Called by the shell's timer: opens rounds, enforces deadlines. */
  tick(): void {
    this.advance();
  }

  /** Opens the next round now with every connected client as a candidate (whatever `minClientsToStart`) and pauses after it. */
  step(): number {
    if (this.open) throw new Error(`round ${this.open.round} is still open`);
    if (this.phaseValue === "finished") throw new Error(`federation ${this.code} has finished its rounds`);
    const connected = this.registry.connected();
    if (connected.length === 0) throw new Error(`federation ${this.code} has no connected client to run a round with`);
    if (this.liveSecure && connected.length < MIN_GROUP_SIZE) {
      throw new Error(
        `federation ${this.code} aggregates securely: a round needs at least ${MIN_GROUP_SIZE} connected clients, ${connected.length} are`,
      );
    }
    this.stepping = true;
    return this.openRound(connected).round;
  }

  control(action: ControlAction): void {
    if (action === "reset") return this.reset();
    if (this.phaseValue === "finished") return;
    if (action === "step") return this.stepControl();
    if (action === "stop") this.phaseValue = "finished";
    else if (action === "pause") this.phaseValue = "paused";
    else this.phaseValue = this.open ? "training" : "waiting";
    this.stepping = false;
    this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
    this.advance();
    this.deps.outbox.stateChanged();
  }

  /**
   * Takes a client out of the rounds: disconnected, out of the open round (an upload it already
   * made stays) and its connection closed through the outbox. False when no such client is registered.
   */
  remove(clientId: string): boolean {
    const client = this.registry.get(clientId);
    if (!client) return false;
    client.connected = false;
    const open = this.open;
    if (open?.removeParticipant(clientId)) this.deps.journal.roundOpened(this.code, open.round, [...open.participants]);
    this.deps.outbox.kicked(clientId);
    this.advance();
    this.deps.outbox.stateChanged();
    return true;
  }

  /** Changes live settings (LIVE_SETTINGS); anything else is refused with the reason. */
  configure(changes: unknown): FederationConfig {
    refuseFixedSettings(changes);
    const next = resolveConfig(this.configValue, changes, "settings");
    if (this.dp && (next.rounds !== this.configValue.rounds || next.fractionTrain !== this.configValue.fractionTrain)) {
      throw new Error(
        "cannot change rounds or fractionTrain under differential privacy: the noise was calibrated for them and the privacy budget would no longer hold",
      );
    }
    this.configValue = next;
    if (this.phaseValue === "finished" && !this.finishDue()) {
      this.phaseValue = "paused";
      this.finishAnnounced = false;
    }
    this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
    this.advance();
    this.deps.outbox.stateChanged();
    return this.configValue;
  }

  /**
   * A participant's secure-aggregation message for the open round (the shell has decoded its
   * envelope): checked by its session; null when taken.
   */
  receiveSecure(clientId: string, event: SecaggClientEvent, round: number, session: string, body: unknown): ErrorReply | null {
    const client = this.registry.get(clientId);
    if (!this.liveSecure) return errorReply("malformed", `${event}: federation ${this.code} does not aggregate securely`);
    const open = this.open;
    if (!client || !open || round !== open.round || !this.secure) {
      return errorReply(
        round <= this.completed ? "stale-round" : "wrong-round",
        `${event}: round ${round} has no session running`,
      );
    }
    const refusal = this.secure.sessions.receive(client.slot, event, session, body);
    if (refusal === null) this.deps.outbox.stateChanged();
    return refusal;
  }

  /** The round in progress (open, or closed and aggregating), for the live federation's dashboard. */
  protected get roundInProgress(): OpenRound | null {
    return this.open;
  }

  // ------------------------------------------------------------------ internals

  /** Secure aggregation runs its phases here, over the shell's channel (else the aggregator runs it, or it is off). */
  private get liveSecure(): boolean {
    return this.configValue.secureAggregation && this.deps.secureChannel !== undefined;
  }

  /**
   * The open secure round: an attempt's sessions run while the clients train; when the upload phase
   * closes the graph gives every uploader its c_j; when every session has settled the summed change
   * steps the table. Attempts with no sum at all (every session failed, or none could start) are
   * redone with the connected participants and idle clients added; accepted uploads stay.
   */
  private advanceSecure(open: OpenRound): void {
    if (this.aggregation) return;
    const attempt = this.secure ?? this.startSecureAttempt(open);
    if (!attempt) return;
    attempt.sessions.tick();
    if (!attempt.weighed) {
      if (open.due(this.deps.now(), this.configValue.quorum, false) !== "close") return;
      if (open.accepted.size === 0) return this.redoSecure(open, "no upload arrived");
      this.weighSecure(open, attempt);
    }
    const { output, coefficients } = attempt.weighed!;
    const outcome = attempt.sessions.outcome();
    const report = {
      sessions: outcome.sessions,
      failed: outcome.failed,
      summed: outcome.summed.length,
      attempts: attempt.number,
    };
    if (coefficients === null) return this.close(open, { output, report });
    if (!attempt.sessions.settled) return;
    const failures = attempt.sessions.failures();
    if (failures.length > 0) this.deps.onError(new Error(`federation ${this.code} round ${open.round}: ${failures.join("; ")}`));
    if (outcome.summed.length === 0) return this.redoSecure(open, "summed no client's change");
    const tables = secureRoundTables(strategyOptions(this.configValue), this.strategy.tables, coefficients, outcome);
    this.close(open, { output: { ...output, tables }, report });
  }

  /**
   * A new attempt with the connected participants (idle connected clients added when fewer than a
   * session needs), sent round:start with their sessions. Waits (null) while some participants are
   * away and the deadline has not passed, or too few are connected.
   */
  private startSecureAttempt(open: OpenRound): SecureAttempt | null {
    const present = () => [...open.participants].map((id) => this.registry.get(id)!).filter((c) => c.connected);
    if (present().length < open.participants.size && this.deps.now() < open.deadline) return null;
    if (present().length < MIN_GROUP_SIZE) {
      const idle = this.registry.connected().filter((c) => !open.participants.has(c.clientId));
      if (open.addParticipants(idle.map((c) => c.clientId)))
        this.deps.journal.roundOpened(this.code, open.round, [...open.participants]);
    }
    const clients = present().sort((a, b) => a.slot - b.slot);
    if (clients.length < MIN_GROUP_SIZE) return null;
    const number = ++this.secureAttempts;
    const config = this.configValue;
    const sessions = new SecureRound(
      {
        prefix: `${this.code} round ${open.round} attempt ${number}`,
        slots: clients.map((c) => c.slot),
        groupSize: config.secureAggregationGroupSize,
        vectorLength: this.dims.numItems * this.dims.itemDim,
        range: config.secureAggregationRange,
        phaseMs: config.roundDeadlineSeconds * 1000,
      },
      {
        now: this.deps.now,
        send: (slot, message) => this.deps.secureChannel!.send(this.registry.atSlot(slot).clientId, open.round, message),
        settled: () => {
          if (this.open !== open) return;
          try {
            this.advance();
            this.deps.outbox.stateChanged();
          } catch (error) {
            this.deps.onError(error);
          }
        },
      },
    );
    const attempt: SecureAttempt = { number, sessions, weighed: null };
    this.secure = attempt;
    open.closing = false;
    open.deadline = this.deps.now() + config.roundDeadlineSeconds * 1000;
    this.sendRound(open, clients);
    return attempt;
  }

  /** The upload phase is over: the graph from θ_user, c_j of every uploader, sent to the sessions. */
  private weighSecure(open: OpenRound, attempt: SecureAttempt): void {
    open.closing = true;
    const uploads = this.uploadsOf(open);
    const base = this.strategy.tables.global;
    const results = uploads.map(({ slot, upload }) => ({
      client: slot,
      userWeights: upload.userWeights,
      items: { base, rows: upload.rows, values: upload.values },
      numExamples: upload.numExamples,
    }));
    const options = strategyOptions(this.configValue);
    const graph = roundGraph(options, results, this.dims.itemDim, this.dims.numItems, undefined);
    const output = { tables: this.strategy.tables, participants: uploads.map((u) => u.slot), neighbourhood: graph.neighbourhood };
    const coefficients = graph.coefficients;
    attempt.weighed = { output, coefficients };
    if (coefficients) attempt.sessions.weigh(new Map(uploads.map((u, j) => [u.slot, coefficients[j]!])));
  }

  /** This attempt yields nothing: a new one (the accepted uploads stay; their clients join the new sessions). */
  private redoSecure(open: OpenRound, why: string): void {
    this.deps.onError(
      new Error(
        `federation ${this.code} round ${open.round}: secure aggregation attempt ${this.secureAttempts} ${why}; trying again`,
      ),
    );
    this.secure = null;
    open.closing = false;
    open.deadline = this.deps.now(); // start the next attempt as soon as enough clients are connected
    const idle = this.registry.connected().filter((c) => !open.participants.has(c.clientId));
    if (open.addParticipants(idle.map((c) => c.clientId)))
      this.deps.journal.roundOpened(this.code, open.round, [...open.participants]);
    this.startSecureAttempt(open);
  }

  private newStrategy(state: StrategyState): RoundStrategy {
    return new RoundStrategy(this.dims.itemDim, state, this.deps.aggregator ?? inThreadAggregator());
  }

  /** What round 1 starts from: the warm start's tables, else the seed's draw. */
  private startingTables(): ServerTables {
    return this.starting ?? { global: initialModel(this.configValue, this.dims).itemTable, personal: new Map() };
  }

  /**
   * The teacher's "next round": the open round runs to its end, else the next one opens now (step());
   * then the federation pauses. With no client connected, the next round to open is the one.
   */
  private stepControl(): void {
    if (this.open === null && this.registry.connected().length > 0) {
      this.step();
    } else {
      this.stepping = true;
      this.phaseValue = this.open ? "training" : "waiting";
      this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
      this.advance();
    }
    this.deps.outbox.stateChanged();
  }

  /**
   * Starts over with the same clients: the starting tables, no rounds, metrics or best round;
   * paused until the next start. An aggregation in flight is dropped when it returns. Connected
   * clients are told (outbox.reset) and join again, so they start over too.
   */
  private reset(): void {
    // The accountant's ε covers `rounds` rounds of these clients' data; starting over would train on
    // it again while the reported spend restarted from zero.
    if (this.dp) {
      throw new Error(
        `cannot reset federation ${this.code} under differential privacy: its ε spent (${spentEpsilon(this.dp, this.completed).toFixed(3)}) covers the rounds already run; start a new federation instead`,
      );
    }
    const tables = this.startingTables();
    this.deps.journal.federationReset(this.code, tables);
    this.strategy = this.newStrategy({ tables, latestMetrics: new Map(), best: null });
    this.completed = 0;
    this.historyList.length = 0;
    this.open = null;
    this.secure = null;
    this.graph = null;
    this.finishAnnounced = false;
    this.stepping = false;
    this.phaseValue = "paused";
    this.deps.outbox.reset();
    this.deps.outbox.stateChanged();
  }

  private uploadContext() {
    return { code: this.code, finished: this.phaseValue === "finished", completedRounds: this.completed, open: this.open };
  }

  private accept(open: OpenRound, clientId: string, upload: AcceptedUpload): UploadAccepted | ErrorReply {
    const verdict = judgeUpload(open, clientId, upload);
    if (isErrorReply(verdict)) return verdict;
    if (verdict === "new") {
      this.deps.journal.uploadAccepted(this.code, open.round, clientId, upload);
      open.accepted.set(clientId, upload);
      this.advance();
      this.deps.outbox.stateChanged();
    }
    return { ok: true, round: open.round };
  }

  private advance(): void {
    const open = this.open;
    if (open) {
      if (this.liveSecure) return this.advanceSecure(open);
      if (open.closing) return;
      const due = open.due(this.deps.now(), this.configValue.quorum, this.dp === null);
      if (due === "close") this.close(open);
      else if (due === "top-up") this.topUp(open);
      return;
    }
    if (this.phaseValue === "paused") return;
    if (this.phaseValue !== "finished" && this.finishDue()) {
      this.phaseValue = "finished";
      this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
    }
    if (this.phaseValue === "finished") return this.announceFinish();
    const connected = this.registry.connected();
    if (connected.length < this.configValue.minClientsToStart) {
      this.phaseValue = "waiting";
      return;
    }
    this.openRound(connected);
  }

  /** All rounds have run, or early stopping is due. */
  private finishDue(): boolean {
    return this.completed >= this.configValue.rounds || this.earlyStopDue();
  }

  /** `earlyStoppingPatience` rounds have passed without a new best (before the last round). */
  private earlyStopDue(): boolean {
    const c = this.configValue;
    return this.completed < c.rounds && this.strategy.patienceExhausted(c.earlyStoppingPatience, this.completed);
  }

  private announceFinish(): void {
    if (this.finishAnnounced) return;
    this.finishAnnounced = true;
    const common = { completedRounds: this.completed, stoppedEarlyAt: this.stoppedEarlyAt, bestRound: this.best?.round ?? null };
    for (const client of this.registry.connected()) {
      const finished: FinishedRun = { ...common, table: this.tableForRecommendations(client.slot) };
      this.deps.outbox.finished(client.clientId, finished);
    }
  }

  private openRound(connected: readonly RegisteredClient[]): OpenRound {
    const round = this.completed + 1;
    const poisson = this.dp && { rate: this.dp.samplingRate, random: this.dpRandom(round, "sampling") };
    const slots = sampleRound(
      this.configValue,
      round,
      connected.map((x) => x.slot),
      poisson,
    );
    const participants = slots.map((s) => this.registry.atSlot(s));
    const ids = participants.map((p) => p.clientId);
    this.deps.journal.roundOpened(this.code, round, ids);
    const open = this.newOpenRound(round, ids);
    this.open = open;
    this.phaseValue = "training";
    this.secure = null;
    this.secureAttempts = 0;
    if (this.liveSecure) this.startSecureAttempt(open);
    else this.sendRound(open, participants);
    if (open.participants.size === 0) this.close(open); // a Poisson round may sample nobody: its noise is still released
    return open;
  }

  private dpRandom(round: number, purpose: "sampling" | "noise") {
    return this.deps.dpRandomness!(round, purpose); // present whenever dp is (checked in the constructor)
  }

  /** Below quorum at the deadline: add idle connected clients and give everyone more time. */
  private topUp(open: OpenRound): void {
    const idle = this.registry.connected().filter((c) => !open.participants.has(c.clientId));
    open.deadline = this.deps.now() + this.configValue.roundDeadlineSeconds * 1000;
    if (open.addParticipants(idle.map((c) => c.clientId))) {
      this.deps.journal.roundOpened(this.code, open.round, [...open.participants]);
    }
    const waiting = [...open.participants].filter((id) => open.waitingFor(id)).map((id) => this.registry.get(id)!);
    this.sendRound(open, waiting);
  }

  /** The round takes no more uploads; its aggregation runs, then the outcome is journaled and committed. */
  private close(open: OpenRound, secure: SecureAggregated | null = null): void {
    open.closing = true;
    const done = this.aggregate(open, secure).catch((error: unknown) => {
      open.closing = false; // nothing changed: the round is open again with everything it accepted
      this.deps.onError(error);
    });
    this.aggregation = done;
    void done.finally(() => {
      if (this.aggregation === done) this.aggregation = null;
    });
  }

  private async aggregate(open: OpenRound, secure: SecureAggregated | null): Promise<void> {
    const uploads = this.uploadsOf(open);
    const started = this.deps.now();
    const noise = this.dp ? this.dpRandom(open.round, "noise") : undefined;
    const output = secure?.output ?? (await this.strategy.aggregateTrain(strategyOptions(this.configValue), uploads, noise));
    if (this.open !== open) return; // the federation was reset meanwhile: this round is gone
    const evaluation = this.strategy.aggregateEvaluate(open.round, uploads);
    const timing = { aggregationStarted: started, ended: this.deps.now() };
    const dpEpsilon = this.dp && spentEpsilon(this.dp, open.round);
    const best = this.strategy.best?.round ?? null;
    const summary = summariseRound(open, uploads, evaluation, timing, best, dpEpsilon, secure?.report ?? null);
    const checkpoint: Checkpoint = { completedRounds: open.round, tables: output.tables, latestMetrics: evaluation.latest };
    // Persist first: if the write fails, the round stays open with its uploads and nothing changes.
    this.deps.journal.roundCompleted(this.code, summary, checkpoint, evaluation.best);
    this.strategy.commit(output.tables, evaluation);
    this.completed = open.round;
    this.open = null;
    this.secure = null;
    this.graph = { participants: uploads.map((u) => u.clientId), neighbourhood: output.neighbourhood };
    this.historyList.push(summary);
    if (this.stepping) {
      this.stepping = false;
      if (!this.finishDue() && this.phaseValue === "training") {
        this.phaseValue = "paused";
        this.deps.journal.settingsChanged(this.code, this.phaseValue, this.configValue);
      }
    }
    this.deps.outbox.roundEnded(summary);
    this.advance();
    this.deps.outbox.stateChanged();
  }

  /** Sends the open round to those of `clients` that are connected, each with its table. */
  private sendRound(open: OpenRound, clients: readonly RegisteredClient[]): void {
    let connected = clients.filter((c) => c.connected);
    const sessions = this.liveSecure ? (this.secure?.sessions ?? null) : null;
    // A live secure round is only sent with a session: without one the client could not take part.
    if (this.liveSecure) connected = connected.filter((c) => sessions?.sessionOf(c.slot) != null);
    const assignments = this.strategy.configureTrain(connected.map((c) => c.slot));
    assignments.forEach(({ slot, table }, i) => {
      const session = sessions?.sessionOf(slot) ?? null;
      const secure = session === null ? null : { session, client: slot };
      this.deps.outbox.sendRound(connected[i]!.clientId, { round: open.round, deadline: open.deadline, table, secure });
    });
  }

  /** The round's accepted uploads in slot order (the summation order of the contract). */
  private uploadsOf(open: OpenRound): ParticipantUpload[] {
    return [...open.accepted.entries()]
      .map(([clientId, upload]) => ({ clientId, slot: this.registry.get(clientId)!.slot, upload }))
      .sort((a, b) => a.slot - b.slot);
  }

  private newOpenRound(round: number, participants: readonly string[]): OpenRound {
    const now = this.deps.now();
    return new OpenRound(round, participants, now, now + this.configValue.roundDeadlineSeconds * 1000);
  }
}
