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
import { tableFor, type ServerTables } from "../aggregation/graph-strategy.ts";
import { modelDimensions, strategyOptions } from "../config/derived-settings.ts";
import { resolveConfig, type FederationConfig } from "../config/federation-config.ts";
import type { BestRound } from "../metrics/best-table-tracker.ts";
import type { ModelDimensions } from "../model/client-model.ts";
import { initialModel } from "../model/initial-model.ts";
import type { ControlAction } from "../protocol/admin-messages.ts";
import type { FederationPhase, RoundSummary, UploadAccepted } from "../protocol/messages.ts";
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
  SecureChannel,
} from "./federation-types.ts";
import { refuseFixedSettings } from "./live-settings.ts";
import { OpenRound, judgeUpload, roundForUpload, sampleRound } from "./open-round.ts";
import { summariseRound } from "./round-summary.ts";
import { RoundStrategy, inThreadAggregator, type ParticipantUpload, type StrategyState } from "./round-strategy.ts";
import { LiveSecureRounds, type SecureAggregated, type SecureRoundHost } from "./live-secure-rounds.ts";

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
  /** Secure aggregation's phases, run here over the shell's channel (null: off, or the aggregator runs it, as in the simulator). */
  private readonly secure: LiveSecureRounds | null;

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
    const channel = deps.secureChannel;
    this.secure = stored.config.secureAggregation && channel ? new LiveSecureRounds(this.secureHost(channel)) : null;
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
      const pending = this.aggregation ?? this.secure?.reconstructing() ?? null;
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
    if (this.secure && (upload.rows.length > 0 || upload.values.length > 0)) {
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
    if (this.secure && connected.length < MIN_GROUP_SIZE) {
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
    if (!this.secure) return errorReply("malformed", `${event}: federation ${this.code} does not aggregate securely`);
    if (this.aggregation) return errorReply("stale-round", `${event}: round ${round} is being aggregated`);
    const refusal = this.secure.receive(this.open, this.completed, this.registry.get(clientId), event, round, session, body);
    if (refusal === null) this.deps.outbox.stateChanged();
    return refusal;
  }

  /** The round in progress (open, or closed and aggregating), for the live federation's dashboard. */
  protected get roundInProgress(): OpenRound | null {
    return this.open;
  }

  // ------------------------------------------------------------------ internals

  /** What the live secure rounds use of this machine. */
  private secureHost(secureChannel: SecureChannel): SecureRoundHost {
    return {
      code: this.code,
      registry: this.registry,
      dims: this.dims,
      deps: { ...this.deps, secureChannel },
      config: () => this.configValue,
      tables: () => this.strategy.tables,
      uploadsOf: (open) => this.uploadsOf(open),
      sendRound: (open, clients) => this.sendRound(open, clients),
      close: (open, aggregated) => this.close(open, aggregated),
      openRound: () => this.open,
      advance: () => {
        this.advance();
        this.deps.outbox.stateChanged();
      },
    };
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
    this.secure?.forget();
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
      if (this.secure) {
        if (!this.aggregation) this.secure.advance(open);
        return;
      }
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
    if (this.secure) this.secure.opened(open);
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
    const started = secure?.startedAt ?? this.deps.now();
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
    this.secure?.forget();
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
    const secure = this.secure;
    // A live secure round is only sent with a session: without one the client could not take part.
    if (secure) connected = connected.filter((c) => secure.sessionOf(c.slot) !== null);
    const assignments = this.strategy.configureTrain(connected.map((c) => c.slot));
    assignments.forEach(({ slot, table }, i) => {
      const session = secure?.sessionOf(slot) ?? null;
      const assignment = session === null ? null : { session, client: slot };
      this.deps.outbox.sendRound(connected[i]!.clientId, {
        round: open.round,
        deadline: open.deadline,
        table,
        secure: assignment,
      });
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
