/**
 * The coordinator protocol: every message either side sends, as types. Socket.io carries them as
 * named events; requests that need an answer use socket.io acknowledgements, whose answer is a
 * `Reply`. Float data travels as binary attachments (see wire-arrays.ts); everything else is JSON.
 * docs/protocol.md shows one round as a sequence diagram.
 */
import type { FederationConfig } from "../config/federation-config.ts";
import type { EncoderIdentity } from "../encoder/encoder-identity.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { ErrorReply } from "./protocol-error.ts";

/** Bumped on any incompatible change; a client speaking another version is refused at join. */
export const PROTOCOL_VERSION = 4;

/** Event names, client → coordinator. */
export const CLIENT_EVENTS = { join: "join", upload: "upload" } as const;
/** Event names, coordinator → client. */
export const SERVER_EVENTS = {
  roundStart: "round:start",
  roundEnd: "round:end",
  state: "federation:state",
  finished: "federation:finished",
  /** The teacher reset the federation (rounds, tables, metrics): join again and start over. */
  reset: "federation:reset",
  error: "protocol:error",
} as const;
/** Event names of the admin namespace (`/admin`). */
export const ADMIN_EVENTS = { status: "status", clients: "clients", roundEnd: "round:end", control: "control" } as const;

/** Binary payload as it crosses the wire (Buffer in Node, ArrayBuffer in browsers). */
export type WireBytes = Uint8Array | ArrayBuffer;

/** What a federation's clients must agree on before they can train together. */
export interface Catalogue {
  /** Dataset whose items the federation recommends (clients check they hold the same catalogue). */
  readonly dataset: string;
  readonly numItems: number;
  /** Width of the profile embedding (384 for all-MiniLM-L6-v2); equals `encoder.dimension`. */
  readonly profileDim: number;
  /** The encoder every client embeds its profile with (its pooling is the configuration's `pooling`). */
  readonly encoder: EncoderIdentity;
}

/** Item titles and ids for people (search, recommendations), served with the join token. */
export interface CatalogueItems {
  readonly titles: readonly string[];
  readonly sourceIds: readonly string[];
  /** Dataset whose structured profile fields the web client offers ("movielens-100k"), or null: free text only. */
  readonly profileTemplate: "movielens-100k" | null;
}

/** GET /api/federations/:code/catalogue. */
export interface CatalogueResponse {
  readonly catalogue: Catalogue;
  /** Null when the dataset has no titles. */
  readonly items: CatalogueItems | null;
}

export type FederationPhase = "waiting" | "training" | "paused" | "finished";

// ---------------------------------------------------------------- client → coordinator

export interface JoinRequest {
  readonly protocol: number;
  /** The federation's join code. */
  readonly code: string;
  /** The federation's join token (from the invite link). */
  readonly token: string;
  /** Chosen and kept by the client; stable across reconnects and reloads. */
  readonly clientId: string;
  /** Issued by the coordinator at the first join; required to join again under the same id. */
  readonly secret: string | null;
  /** What the client holds, checked against the federation's catalogue. */
  readonly numItems: number;
  readonly profileDim: number;
  /** The encoder that embedded the client's profile: it must be the catalogue's. */
  readonly encoder: EncoderIdentity;
  /** What the dashboard may call this client (e.g. "ml-100k user 57"), or null. Never the profile. */
  readonly label: string | null;
}

export interface Welcome {
  readonly protocol: number;
  readonly clientId: string;
  readonly secret: string;
  readonly catalogue: Catalogue;
  readonly config: FederationConfig;
  readonly phase: FederationPhase;
  /** Rounds completed so far. */
  readonly completedRounds: number;
  /** The best-validation round so far (null before the first completed round). */
  readonly bestRound: number | null;
  /**
   * The table to recommend with now: during the run the table this client would receive next (so
   * a late joiner can recommend before its first round); once finished, its table of `bestRound`.
   */
  readonly table: WireBytes;
}

export interface UploadMessage {
  readonly round: number;
  readonly clientId: string;
  /** vec(θ_user), float32, profileDim × jointDim. */
  readonly userWeights: WireBytes;
  /** Changed rows of θ_item, int32, ascending, distinct. */
  readonly rows: WireBytes;
  /** Their values, float32, rows × itemDim. */
  readonly values: WireBytes;
  /** n_u, the client's training interactions. */
  readonly numExamples: number;
  /** Mean local loss (NaN is sent as null). */
  readonly loss: number | null;
  readonly metrics: LocalEvaluation;
}

export interface UploadAccepted {
  readonly ok: true;
  readonly round: number;
}

// ---------------------------------------------------------------- coordinator → client

export interface RoundStart {
  readonly round: number;
  /** Unix ms after which the coordinator may aggregate without this client. */
  readonly deadline: number;
  /** The client's table for this round (global or its personalised R_i), float32. */
  readonly table: WireBytes;
}

export interface RoundSummary {
  readonly round: number;
  /** Clients sampled, and clients whose uploads were aggregated. */
  readonly sampled: number;
  readonly aggregated: number;
  /** Mean local loss of the aggregated clients (null when none trained). */
  readonly loss: number | null;
  /** Clients' latest metrics, weighted by their evaluation counts. */
  readonly metrics: LocalEvaluation;
  /** Socket payload bytes of the round, all clients together. */
  readonly bytes: { readonly in: number; readonly out: number };
  readonly seconds: { readonly total: number; readonly aggregate: number };
  /** Uploads rejected during the round (by reason). */
  readonly rejected: Readonly<Record<string, number>>;
  /**
   * The best-validation round after this one (null: none yet). When it equals `round`, this round
   * became the best: a client keeps its private layers as they are now (they produced its metrics).
   */
  readonly bestRound: number | null;
}

/** Sent to every connected client when the federation has finished (last round, early stop or stop). */
export interface FederationFinished {
  readonly completedRounds: number;
  /** The round after which early stopping ended the run (null: it did not stop early). */
  readonly stoppedEarlyAt: number | null;
  /** The best-validation round (null when no round completed). */
  readonly bestRound: number | null;
  /** This client's table of `bestRound` (its current table when there is none): recommend with it. */
  readonly table: WireBytes;
}

export interface FederationState {
  readonly phase: FederationPhase;
  readonly completedRounds: number;
  readonly rounds: number;
}

export type Reply<T> = T | ErrorReply;
