/**
 * The state a federation keeps, in the shapes the journal persists and the restore reads back, and
 * the ports the round machine is driven through (journal, outbox, credentials): the shells
 * implement them (SQLite and sockets in the coordinator; nothing and a task list in the simulator).
 */
import type { ServerTables } from "../aggregation/graph-strategy.ts";
import type { SparseRows } from "../graph/sparse-rows.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { BestRound } from "../metrics/best-table-tracker.ts";
import type { Catalogue, CatalogueItems, FederationPhase, RoundSummary } from "../protocol/messages.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { RandomSource } from "../random/rng.ts";
import type { SecureAssignment } from "../protocol/messages.ts";
import type { TableAggregator } from "./round-strategy.ts";
import type { SecureServerMessage } from "./secure-round.ts";

/** What a federation is created with; never changes. */
export interface FederationSetup {
  readonly code: string;
  readonly joinToken: string;
  readonly adminToken: string;
  readonly catalogue: Catalogue;
  /** Null when the dataset has no titles. */
  readonly items: CatalogueItems | null;
}

export interface ClientRecord {
  readonly clientId: string;
  /** Dense index used by the strategy (graph rows, personalised tables), in order of first join. */
  readonly slot: number;
  /** Digest of the secret issued at the first join. */
  readonly secretDigest: string;
}

/** An upload that passed validation: the work the coordinator promised not to lose. */
export interface AcceptedUpload {
  readonly userWeights: Float32Array;
  readonly rows: Int32Array;
  readonly values: Float32Array;
  readonly numExamples: number;
  readonly loss: number | null;
  readonly metrics: LocalEvaluation;
}

/** The server state after a completed round: enough to continue exactly where it stopped. */
export interface Checkpoint {
  readonly completedRounds: number;
  /** Personalised tables keyed by slot. */
  readonly tables: ServerTables;
  /** Each client's latest locally computed metrics, keyed by client id. */
  readonly latestMetrics: ReadonlyMap<string, LocalEvaluation>;
}

/** Persistence of every state change, written before the change is acknowledged. */
export interface FederationJournal {
  clientRegistered(code: string, client: ClientRecord): void;
  /** The open round and its participants (again when participants are added). */
  roundOpened(code: string, round: number, participants: readonly string[]): void;
  uploadAccepted(code: string, round: number, clientId: string, upload: AcceptedUpload): void;
  /**
   * Atomically: the round's summary, the new checkpoint, the round's uploads dropped — and, when
   * the round became the best-validation round, `best` (the tables sent in it); null otherwise.
   */
  roundCompleted(code: string, summary: RoundSummary, checkpoint: Checkpoint, best: BestRound<ServerTables> | null): void;
  settingsChanged(code: string, phase: FederationPhase, config: FederationConfig): void;
  /** Atomically: rounds, checkpoint, best tables and the open round dropped; `tables` as the checkpoint after round 0; paused. */
  federationReset(code: string, tables: ServerTables): void;
}

/** A federation as the journal holds it, for a restart. */
export interface StoredFederation {
  readonly setup: FederationSetup;
  readonly config: FederationConfig;
  readonly phase: FederationPhase;
  readonly clients: readonly ClientRecord[];
  readonly checkpoint: Checkpoint | null;
  /** The best-validation round and the tables sent in it (null before the first completed round). */
  readonly best: BestRound<ServerTables> | null;
  readonly history: readonly RoundSummary[];
  /** The tables the federation started from when they were not the seed's draw (a warm start). */
  readonly starting: ServerTables | null;
  readonly openRound: {
    readonly round: number;
    readonly participants: readonly string[];
    readonly accepted: ReadonlyMap<string, AcceptedUpload>;
  } | null;
}

/** Issues and checks client secrets (the shell supplies a cryptographic implementation). */
export interface Credentials {
  issue(): { readonly secret: string; readonly digest: string };
  matches(secret: string, digest: string): boolean;
  /** Constant-time comparison of two tokens. */
  sameToken(given: string, expected: string): boolean;
}

/** Where the federation's messages to clients go (the socket shell, or a test). */
export interface FederationOutbox {
  /** `secure`: the client's secure-aggregation session in this round (null or absent: a plain round). */
  sendRound(
    clientId: string,
    start: {
      readonly round: number;
      readonly deadline: number;
      readonly table: Float32Array;
      readonly secure?: SecureAssignment | null;
    },
  ): void;
  roundEnded(summary: RoundSummary): void;
  /** The federation has finished: this connected client's best-round table, for recommendations. */
  finished(clientId: string, finished: FinishedRun): void;
  stateChanged(): void;
  /** The federation was reset: its connected clients start over. */
  reset(): void;
  /** The teacher removed this client: close its connection. */
  kicked(clientId: string): void;
}

/** What a client is told when the federation finishes (the wire form is FederationFinished). */
export interface FinishedRun {
  readonly completedRounds: number;
  readonly stoppedEarlyAt: number | null;
  readonly bestRound: number | null;
  readonly table: Float32Array;
}

export interface MachineDeps {
  readonly journal: FederationJournal;
  readonly outbox: FederationOutbox;
  /** Unix milliseconds (a fake clock in tests). */
  readonly now: () => number;
  /** Runs aggregateTrain's maths; default: in this thread with the JS Gram kernel. */
  readonly aggregator?: TableAggregator;
  /** A round's aggregation or its journal write failed: the round stays open and closes again at a later tick. */
  readonly onError: (error: unknown) => void;
  /** Client-level DP's draws (required when DP is on): seeded in the simulator, a CSPRNG in the coordinator. */
  readonly dpRandomness?: DpRandomness;
  /**
   * Where a live secure-aggregation round's messages go (the coordinator's sockets). With it and
   * `secureAggregation` on, the round machine runs the protocol's phases itself (secure-round.ts);
   * without it the aggregator does (the simulator's in-process driver).
   */
  readonly secureChannel?: SecureChannel;
}

export interface SecureChannel {
  send(clientId: string, round: number, message: SecureServerMessage): void;
}

/**
 * Where client-level DP draws round `round`'s Poisson sampling and its noise from. The coordinator
 * gives a cryptographic source: the seed is public, so seeded noise could be subtracted by any client.
 */
export type DpRandomness = (round: number, purpose: "sampling" | "noise") => RandomSource;

/** What the machine restarts from (a new federation: no clients, no checkpoint, no history). */
export type MachineState = Omit<StoredFederation, "setup">;

/** The user graph of the last aggregation, for the dashboard. */
export interface LastGraph {
  readonly participants: readonly string[];
  readonly neighbourhood: SparseRows;
}
