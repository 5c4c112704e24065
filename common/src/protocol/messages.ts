/**
 * The coordinator protocol: every message either side sends, as one valibot schema each; the
 * TypeScript types are inferred from them, and validation.ts checks every received message with
 * them. Socket.io carries them as named events (socket-events.ts types both ends); requests that
 * need an answer use socket.io acknowledgements, whose answer is a `Reply`. Float data travels as
 * binary attachments (see wire-arrays.ts); everything else is JSON. docs/protocol.md shows one
 * round as a sequence diagram.
 */
import * as v from "valibot";
import { FederationConfigSchema } from "../config/federation-config.ts";
import { EncoderIdentitySchema } from "../encoder/encoder-identity.ts";
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import { anyText, binary, fields, finiteNumber, finiteOrNull, integerIn, list, oneOf, text } from "../schema/message-fields.ts";
import type { ErrorReply } from "./protocol-error.ts";

export type { WireBytes } from "../schema/message-fields.ts";

/**
 * Bumped on any incompatible change; a client speaking another version is refused at join.
 * 4: the configuration's `neighbourhood` is one object ({kind, k} | {kind, factor} | {kind}).
 * 5: the encoder's weight precision (`encoderPrecision`, the catalogue's `encoder.precision`), the
 * `federation:reset` event and the `kicked` error.
 * 6: secure aggregation in live rounds: round:start's `secure`, the secagg:* events
 * (secure-aggregation-wire.ts) and round:end's `secureAggregation`.
 */
export const PROTOCOL_VERSION = 6;

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

/** Client ids and secrets: URL-safe tokens, so they can sit in links, logs and file names. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
/** Federation join codes. */
export const CODE_PATTERN = /^[A-Za-z0-9]{4,32}$/;
/** A client's label: 1–80 printable characters (no control characters). */
const LABEL_PATTERN = /^[^\p{Cc}]{1,80}$/u;

const MAX_ROUNDS = 100_000;
const MAX_ITEMS = 100_000_000;
const MAX_PROFILE_DIM = 65_536;
/** Held-out items a client evaluates per split (leave-one-out: one validation, one test item). */
const MAX_HELD_OUT_PER_CLIENT = 1;

/**
 * Ranking metrics over `maxCount` held-out items at most: a client evaluates at most one per split,
 * so its upload's count is 0 or 1 (a larger one would outweigh the other clients); a round's is a sum.
 */
export function rankingMetricsSchema(maxCount: number) {
  return fields({
    hr10: finiteNumber([0, 1]),
    ndcg10: finiteNumber([0, 1]),
    count: integerIn(0, maxCount),
  }) satisfies v.GenericSchema<unknown, RankingMetrics>;
}

export function localEvaluationSchema(maxCount: number) {
  const metrics = rankingMetricsSchema(maxCount);
  return fields({ val: metrics, test: metrics }) satisfies v.GenericSchema<unknown, LocalEvaluation>;
}

/** The sender's protocol version (a mismatch is refused as `protocol-version` before the schema runs). */
const protocol = v.pipe(v.number(), v.value(PROTOCOL_VERSION));
const round = integerIn(1, MAX_ROUNDS);
/** A round number or null (no such round yet); that it is a completed round is checked apart. */
const optionalRound = v.nullable(round);
const token = text(TOKEN_PATTERN);

export const FEDERATION_PHASES = ["waiting", "training", "paused", "finished"] as const;
export type FederationPhase = (typeof FEDERATION_PHASES)[number];

/** What a federation's clients must agree on before they can train together. */
export const CATALOGUE_FIELDS = {
  /** Dataset whose items the federation recommends (clients check they hold the same catalogue). */
  dataset: anyText(256),
  numItems: integerIn(1, MAX_ITEMS),
  /** Width of the profile embedding (384 for all-MiniLM-L6-v2); equals `encoder.dimension`. */
  profileDim: integerIn(1, MAX_PROFILE_DIM),
  /** The encoder every client embeds its profile with (its pooling is the configuration's `pooling`). */
  encoder: EncoderIdentitySchema,
};
export const CatalogueSchema = fields(CATALOGUE_FIELDS);
export type Catalogue = v.InferOutput<typeof CatalogueSchema>;

/** Item titles and ids for people (search, recommendations), served with the join token. */
export const CatalogueItemsSchema = fields({
  titles: list(v.string(), MAX_ITEMS),
  sourceIds: list(v.string(), MAX_ITEMS),
  /** Dataset whose structured profile fields the web client offers ("movielens-100k"), or null: free text only. */
  profileTemplate: v.nullable(oneOf(["movielens-100k"])),
});
export type CatalogueItems = v.InferOutput<typeof CatalogueItemsSchema>;

/** GET /api/federations/:code/catalogue. */
export const CatalogueResponseSchema = fields({
  catalogue: CatalogueSchema,
  /** Null when the dataset has no titles. */
  items: v.nullable(CatalogueItemsSchema),
  /** The federation's settings, so a page can say what would leave the device before it joins. */
  config: FederationConfigSchema,
});
export type CatalogueResponse = v.InferOutput<typeof CatalogueResponseSchema>;

// ---------------------------------------------------------------- client → coordinator

export const JoinRequestSchema = fields({
  protocol,
  /** The federation's join code. */
  code: text(CODE_PATTERN),
  /** The federation's join token (from the invite link). */
  token,
  /** Chosen and kept by the client; stable across reconnects and reloads. */
  clientId: token,
  /** Issued by the coordinator at the first join; required to join again under the same id. */
  secret: v.optional(v.nullable(token), null),
  /** What the client holds, checked against the federation's catalogue. */
  numItems: integerIn(1, MAX_ITEMS),
  profileDim: integerIn(1, MAX_PROFILE_DIM),
  /** The encoder that embedded the client's profile: it must be the catalogue's. */
  encoder: EncoderIdentitySchema,
  /** What the dashboard may call this client (e.g. "ml-100k user 57"), or null. Never the profile. */
  label: v.optional(v.nullable(text(LABEL_PATTERN)), null),
});
export type JoinRequest = v.InferOutput<typeof JoinRequestSchema>;

/** The upload's JSON fields; its binary fields are checked against the shapes by `parseUploadArrays`. */
export const UploadMessageSchema = fields({
  round,
  clientId: token,
  /** vec(θ_user), float32 (or float16), profileDim × jointDim. */
  userWeights: binary,
  /** Changed rows of θ_item, int32, ascending, distinct. */
  rows: binary,
  /** Their values, float32 (or float16), rows × itemDim. */
  values: binary,
  /** n_u, the client's training interactions. */
  numExamples: integerIn(0, MAX_ITEMS),
  /** Mean local loss (NaN is sent as null). */
  loss: finiteOrNull(),
  /** A client's metrics weigh in the round's combined metrics (and the best round) by their count. */
  metrics: localEvaluationSchema(MAX_HELD_OUT_PER_CLIENT),
});
export type UploadMessage = v.InferOutput<typeof UploadMessageSchema>;

export interface UploadAccepted {
  readonly ok: true;
  readonly round: number;
}

// ---------------------------------------------------------------- coordinator → client

export const WelcomeSchema = fields({
  protocol,
  clientId: token,
  secret: token,
  catalogue: CatalogueSchema,
  config: FederationConfigSchema,
  phase: oneOf(FEDERATION_PHASES),
  /** Rounds completed so far. */
  completedRounds: integerIn(0, MAX_ROUNDS),
  /** The best-validation round so far (null before the first completed round). */
  bestRound: optionalRound,
  /**
   * The table to recommend with now: during the run the table this client would receive next (so
   * a late joiner can recommend before its first round); once finished, its table of `bestRound`.
   */
  table: binary,
});
export type Welcome = v.InferOutput<typeof WelcomeSchema>;

/** A secure-aggregation session id: bound into every key and envelope (the coordinator's start with the federation's code). */
export const SESSION_PATTERN = /^[^\p{Cc}]{1,200}$/u;

/** What round:start tells a participant of a secure round: its session and its id in it (its slot). */
export const SecureAssignmentSchema = fields({ session: text(SESSION_PATTERN), client: integerIn(0, 0xffffffff) });
export type SecureAssignment = v.InferOutput<typeof SecureAssignmentSchema>;

export const RoundStartSchema = fields({
  round,
  /** Unix ms after which the coordinator may aggregate without this client. */
  deadline: integerIn(0, Number.MAX_SAFE_INTEGER),
  /** The client's table for this round (global or its personalised R_i), float32. */
  table: binary,
  /**
   * With secure aggregation: the client's session (it advertises its keys at once) — its upload
   * then carries no rows, and its change goes up masked after secagg:weight. Null: a plain round.
   */
  secure: v.optional(v.nullable(SecureAssignmentSchema), null),
});
/** `secure` may be left out when sending a plain round (the parser gives null). */
export type RoundStart = Omit<v.InferOutput<typeof RoundStartSchema>, "secure"> & { readonly secure?: SecureAssignment | null };

const count = integerIn(0, Number.MAX_SAFE_INTEGER);
const seconds = finiteNumber();

export const RoundSummarySchema = fields({
  round,
  /** Clients sampled, and clients whose uploads were aggregated. */
  sampled: count,
  aggregated: count,
  /** Mean local loss of the aggregated clients (null when none trained). */
  loss: finiteOrNull(),
  /** Clients' latest metrics, weighted by their evaluation counts. */
  metrics: localEvaluationSchema(Number.MAX_SAFE_INTEGER),
  /** Socket payload bytes of the round, all clients together. */
  bytes: fields({ in: count, out: count }),
  seconds: fields({ total: seconds, aggregate: seconds }),
  /** Uploads rejected during the round (by reason). */
  rejected: v.pipe(v.record(v.string(), count), v.readonly()),
  /**
   * The best-validation round after this one (null: none yet). When it equals `round`, this round
   * became the best: a client keeps its private layers as they are now (they produced its metrics).
   */
  bestRound: optionalRound,
  /** ε spent at the federation's δ after this round under client-level DP (null: DP off). */
  dpEpsilon: finiteOrNull(),
  /**
   * Under secure aggregation: the sessions of the round's last attempt, how many failed (fewer than
   * their threshold left; their clients' changes are missing from the table), the clients whose
   * changes are in the sum, and the attempts the round needed. Null: plain uploads.
   */
  secureAggregation: v.optional(
    v.nullable(fields({ sessions: count, failed: count, summed: count, attempts: integerIn(1, MAX_ROUNDS) })),
  ),
});
/** `secureAggregation` is absent or null in a plain round's summary. */
export type RoundSummary = v.InferOutput<typeof RoundSummarySchema>;
export type SecureAggregationReport = NonNullable<v.InferOutput<typeof RoundSummarySchema>["secureAggregation"]>;

/** Sent to every connected client when the federation has finished (last round, early stop or stop). */
export const FederationFinishedSchema = fields({
  completedRounds: integerIn(0, MAX_ROUNDS),
  /** The round after which early stopping ended the run (null: it did not stop early). */
  stoppedEarlyAt: optionalRound,
  /** The best-validation round (null when no round completed). */
  bestRound: optionalRound,
  /** This client's table of `bestRound` (its current table when there is none): recommend with it. */
  table: binary,
});
export type FederationFinished = v.InferOutput<typeof FederationFinishedSchema>;

export const FederationStateSchema = fields({
  phase: oneOf(FEDERATION_PHASES),
  completedRounds: integerIn(0, MAX_ROUNDS),
  rounds: integerIn(1, MAX_ROUNDS),
});
export type FederationState = v.InferOutput<typeof FederationStateSchema>;

/**
 * Sent to every connected client when the teacher resets the federation (rounds, tables, metrics
 * and best round dropped): the client forgets its local model and joins again. No fields.
 */
export const FederationResetSchema = fields({});
export type FederationReset = v.InferOutput<typeof FederationResetSchema>;

export type Reply<T> = T | ErrorReply;
