/**
 * The round machine's live secure rounds (docs/secure-aggregation.md, "Live rounds"): the open
 * round's attempt of SecureRound (its sessions run while the clients train), the graph's c_j sent
 * once the upload phase closes, and the summed change handed back for the round's commit. An
 * attempt that sums nobody's change (every session failed, none could start, or a restart lost
 * them) is redone with the connected participants, idle clients added; accepted uploads stay.
 */
import { roundGraph, type AggregateTrainOutput, type ServerTables } from "../aggregation/graph-strategy.ts";
import { strategyOptions } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { ModelDimensions } from "../model/client-model.ts";
import type { SecureAggregationReport } from "../protocol/messages.ts";
import { errorReply, type ErrorReply } from "../protocol/protocol-error.ts";
import type { SecaggClientEvent } from "../protocol/secure-aggregation-wire.ts";
import { MIN_GROUP_SIZE } from "../secure-aggregation/group-plan.ts";
import type { ClientRegistry, RegisteredClient } from "./client-registry.ts";
import type { MachineDeps, SecureChannel } from "./federation-types.ts";
import type { OpenRound } from "./open-round.ts";
import type { ParticipantUpload } from "./round-strategy.ts";
import { SecureRound, secureRoundTables } from "./secure-round.ts";

/** A round's aggregation as the secure path computed it, and what its summary reports. */
export interface SecureAggregated {
  readonly output: AggregateTrainOutput;
  readonly report: SecureAggregationReport;
  /** Unix ms when the upload phase closed: the round's aggregation includes the phases after it. */
  readonly startedAt: number;
}

/** What the round machine lends its live secure rounds. */
export interface SecureRoundHost {
  readonly code: string;
  readonly registry: ClientRegistry;
  readonly dims: ModelDimensions;
  readonly deps: MachineDeps & { readonly secureChannel: SecureChannel };
  config(): FederationConfig;
  /** The server tables the round started from. */
  tables(): ServerTables;
  /** The open round's accepted uploads in slot order. */
  uploadsOf(open: OpenRound): ParticipantUpload[];
  /** round:start to these clients, each with its session. */
  sendRound(open: OpenRound, clients: readonly RegisteredClient[]): void;
  /** Commits the round with this outcome (journal first). */
  close(open: OpenRound, aggregated: SecureAggregated): void;
  /** The round that is open now (a settling session of an older one changes nothing). */
  openRound(): OpenRound | null;
  /** Looks again at the open round (a session settled asynchronously). */
  advance(): void;
}

interface Attempt {
  readonly number: number;
  readonly sessions: SecureRound;
  /** Once the upload phase closed: the graph's output and c_j of the uploads in slot order (null: nothing to weigh, the table stays). */
  weighed: {
    readonly output: AggregateTrainOutput;
    readonly coefficients: Float64Array | null;
    readonly at: number;
  } | null;
}

export class LiveSecureRounds {
  private attempt: Attempt | null = null;
  private attempts = 0;
  /**
   * When this machine started (Unix ms): part of every session id, so the sessions of a restarted
   * coordinator never share an id with the ones it lost (a client then knows to start over).
   */
  private readonly epoch: number;

  constructor(private readonly host: SecureRoundHost) {
    this.epoch = host.deps.now();
  }

  /** A new round opened: its first attempt starts now (with enough participants). */
  opened(open: OpenRound): void {
    this.attempt = null;
    this.attempts = 0;
    this.start(open);
  }

  /** The round committed or the federation was reset: no attempt any more. */
  forget(): void {
    this.attempt = null;
  }

  /** The session the client in `slot` takes part in now (null: none). */
  sessionOf(slot: number): string | null {
    return this.attempt?.sessions.sessionOf(slot) ?? null;
  }

  /** Resolves when no session is reconstructing (null: none is). */
  reconstructing(): Promise<void> | null {
    return this.attempt?.sessions.reconstructing() ?? null;
  }

  /** A participant's message for the open round, checked by its session; null when taken. */
  receive(
    open: OpenRound | null,
    completed: number,
    client: RegisteredClient | undefined,
    event: SecaggClientEvent,
    round: number,
    session: string,
    body: unknown,
  ): ErrorReply | null {
    const attempt = this.attempt;
    if (!client || !open || round !== open.round || !attempt) {
      return errorReply(round <= completed ? "stale-round" : "wrong-round", `${event}: round ${round} has no session running`);
    }
    return attempt.sessions.receive(client.slot, event, session, body);
  }

  /**
   * The open secure round: an attempt's sessions run while the clients train; when the upload phase
   * closes the graph gives every uploader its c_j; when every session has settled the summed change
   * steps the table.
   */
  advance(open: OpenRound): void {
    const attempt = this.attempt ?? this.start(open);
    if (!attempt) return;
    attempt.sessions.tick();
    if (!attempt.weighed) {
      // As under DP, the upload phase closes at the deadline with whatever is in: the sessions were formed with these participants.
      if (open.due(this.host.deps.now(), this.host.config().quorum, false) !== "close") return;
      if (open.accepted.size === 0) return this.redo(open, "no upload arrived");
      this.weigh(open, attempt);
    }
    const { output, coefficients, at: startedAt } = attempt.weighed!;
    // FedAvg with nothing to weigh (every n_j = 0) keeps the table, as a plain round does; else wait for every session.
    if (coefficients !== null && !attempt.sessions.settled) return;
    const outcome = attempt.sessions.outcome();
    const report = {
      sessions: outcome.sessions,
      failed: outcome.failed,
      summed: outcome.summed.length,
      attempts: attempt.number,
    };
    if (coefficients === null) return this.host.close(open, { output, report, startedAt });
    const failures = attempt.sessions.failures();
    if (failures.length > 0) {
      this.host.deps.onError(new Error(`federation ${this.host.code} round ${open.round}: ${failures.join("; ")}`));
    }
    if (outcome.summed.length === 0) return this.redo(open, "summed no client's change");
    const tables = secureRoundTables(strategyOptions(this.host.config()), this.host.tables(), coefficients, outcome);
    this.host.close(open, { output: { ...output, tables }, report, startedAt });
  }

  /**
   * A new attempt with the connected participants (idle connected clients added when fewer than a
   * session needs), sent round:start with their sessions. Waits (null) while some participants are
   * away and the deadline has not passed, or too few are connected.
   */
  private start(open: OpenRound): Attempt | null {
    const { registry, deps } = this.host;
    const present = () => [...open.participants].map((id) => registry.get(id)!).filter((c) => c.connected);
    if (present().length < open.participants.size && deps.now() < open.deadline) return null;
    if (present().length < MIN_GROUP_SIZE) this.addIdle(open);
    const clients = present().sort((a, b) => a.slot - b.slot);
    if (clients.length < MIN_GROUP_SIZE) return null;
    const number = ++this.attempts;
    const config = this.host.config();
    const sessions = new SecureRound(
      {
        prefix: `${this.host.code} ${this.epoch} round ${open.round} attempt ${number}`,
        slots: clients.map((c) => c.slot),
        groupSize: config.secureAggregationGroupSize,
        vectorLength: this.host.dims.numItems * this.host.dims.itemDim,
        range: config.secureAggregationRange,
        phaseMs: config.roundDeadlineSeconds * 1000,
      },
      {
        now: deps.now,
        send: (slot, message) => deps.secureChannel.send(registry.atSlot(slot).clientId, open.round, message),
        settled: () => {
          if (this.host.openRound() !== open) return;
          try {
            this.host.advance();
          } catch (error) {
            deps.onError(error);
          }
        },
      },
    );
    const attempt: Attempt = { number, sessions, weighed: null };
    this.attempt = attempt;
    open.closing = false;
    open.deadline = deps.now() + config.roundDeadlineSeconds * 1000;
    this.host.sendRound(open, clients);
    return attempt;
  }

  /** The upload phase is over: the graph from θ_user, c_j of every uploader, sent to the sessions. */
  private weigh(open: OpenRound, attempt: Attempt): void {
    open.closing = true;
    const uploads = this.host.uploadsOf(open);
    const tables = this.host.tables();
    const results = uploads.map(({ slot, upload }) => ({
      client: slot,
      userWeights: upload.userWeights,
      items: { base: tables.global, rows: upload.rows, values: upload.values },
      numExamples: upload.numExamples,
    }));
    const { itemDim, numItems } = this.host.dims;
    const graph = roundGraph(strategyOptions(this.host.config()), results, itemDim, numItems, undefined);
    const output = { tables, participants: uploads.map((u) => u.slot), neighbourhood: graph.neighbourhood };
    const coefficients = graph.coefficients;
    attempt.weighed = { output, coefficients, at: this.host.deps.now() };
    if (coefficients) attempt.sessions.weigh(new Map(uploads.map((u, j) => [u.slot, coefficients[j]!])));
  }

  /** This attempt yields nothing: a new one (the accepted uploads stay; their clients join the new sessions). */
  private redo(open: OpenRound, why: string): void {
    const { code, deps } = this.host;
    deps.onError(
      new Error(`federation ${code} round ${open.round}: secure aggregation attempt ${this.attempts} ${why}; trying again`),
    );
    this.attempt = null;
    open.closing = false;
    open.deadline = deps.now(); // the next attempt starts as soon as enough clients are connected
    this.addIdle(open);
    this.start(open);
  }

  private addIdle(open: OpenRound): void {
    const idle = this.host.registry.connected().filter((c) => !open.participants.has(c.clientId));
    if (open.addParticipants(idle.map((c) => c.clientId)))
      this.host.deps.journal.roundOpened(this.host.code, open.round, [...open.participants]);
  }
}
