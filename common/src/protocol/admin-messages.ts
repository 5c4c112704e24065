/**
 * What the coordinator tells the teacher's dashboard (the `/admin` namespace and the admin HTTP
 * endpoints): one definition for the server that sends these payloads and the page that reads them,
 * and the schema of the one request the dashboard sends (`control`).
 */
import * as v from "valibot";
import { FederationConfigSchema, type FederationConfig, type SettingsChange } from "../config/federation-config.ts";
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { ClientLevelDp } from "../privacy/client-level-dp.ts";
import { fields, list, oneOf, plainObject, text } from "../schema/message-fields.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import { RoundSummarySchema, TOKEN_PATTERN, type Catalogue, type FederationPhase, type RoundSummary } from "./messages.ts";
import { errorReply, isErrorReply, type ErrorReply } from "./protocol-error.ts";
import { parseMessage } from "./validation.ts";

/** The `status` event and `GET /api/status`. */
export interface FederationStatus {
  readonly code: string;
  readonly catalogue: Catalogue;
  readonly phase: FederationPhase;
  readonly completedRounds: number;
  readonly rounds: number;
  readonly clients: { readonly registered: number; readonly connected: number };
  readonly round: {
    readonly round: number;
    readonly participants: number;
    readonly uploaded: number;
    /** Unix ms. */
    readonly deadline: number;
  } | null;
  readonly lastRound: RoundSummary | null;
  /** The best-validation round so far and its combined validation metrics. */
  readonly best: { readonly round: number; readonly val: RankingMetrics } | null;
  /** The round after which early stopping finished the federation (null: it did not). */
  readonly stoppedEarlyAt: number | null;
  /** Rejected messages since start, by error code. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Client-level DP settings and the ε spent after the completed rounds (null: DP off). */
  readonly privacy: (ClientLevelDp & { readonly spentEpsilon: number }) | null;
}

/** `GET /api/federations/:code/rounds`: the configuration and every completed round, oldest first. */
const RoundHistorySchema = fields({ config: FederationConfigSchema, rounds: list(RoundSummarySchema, 100_000) });
export type RoundHistory = v.InferOutput<typeof RoundHistorySchema>;

export function parseRoundHistory(value: unknown): RoundHistory | ErrorReply {
  return parseMessage(RoundHistorySchema, value, "rounds");
}

/** One row of the `clients` event. */
export interface ClientStatus {
  readonly clientId: string;
  readonly slot: number;
  /** What the client called itself at its latest join (null: nothing, or not since a restart). */
  readonly label: string | null;
  readonly connected: boolean;
  /** In the open round: training (sampled, no upload yet), uploaded, dropped (sampled, disconnected); else idle or offline. */
  readonly state: "training" | "uploaded" | "dropped" | "idle" | "offline";
  readonly metrics: LocalEvaluation | null;
}

/** `GET /api/federations/:code/graph`: the last round's user graph as [row, column, weight] edges (null before the first). */
export interface UserGraph {
  readonly participants: readonly string[];
  readonly edges: readonly (readonly [number, number, number])[];
}

/**
 * start / pause / stop the rounds; step: run one round, then pause (a lesson's "next round");
 * reset: back to round 0 and the starting tables, keeping the joined clients.
 */
export const CONTROL_ACTIONS = ["start", "pause", "stop", "step", "reset"] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/**
 * The `control` request: an action, the removal of a client (`kick`: its connection is closed and
 * its joins are refused), or a change of settings — which the configuration itself checks
 * (resolveConfig, against the settings that may change while the federation runs).
 */
export type ControlRequest =
  { readonly action: ControlAction } | { readonly kick: string } | { readonly settings: SettingsChange };

const ControlRequestSchema = fields({
  action: v.optional(oneOf(CONTROL_ACTIONS)),
  kick: v.optional(text(TOKEN_PATTERN)),
  settings: v.optional(plainObject("an object of settings")),
});

const EXPECTED_CONTROL = `expected {"action": ${CONTROL_ACTIONS.map((a) => `"${a}"`).join(" | ")}}, {"kick": clientId} or {"settings": {...}}`;

/** The request checked: exactly one of an action, a client to remove and a change of settings. */
export function parseControlRequest(
  value: unknown,
): { readonly action: ControlAction } | { readonly kick: string } | { readonly settings: Record<string, unknown> } | ErrorReply {
  const request = parseMessage(ControlRequestSchema, value, "control");
  if (isErrorReply(request)) return request;
  const given = [request.action, request.kick, request.settings].filter((x) => x !== undefined).length;
  if (given !== 1) return errorReply("malformed", `control: ${EXPECTED_CONTROL}, got ${given === 0 ? "none" : "more than one"}`);
  if (request.action !== undefined) return { action: request.action };
  if (request.kick !== undefined) return { kick: request.kick };
  return { settings: request.settings! };
}

/** The answer to an accepted `control`: the status after an action or a removal, the configuration after a change. */
export type ControlAccepted =
  { readonly ok: true; readonly status: FederationStatus } | { readonly ok: true; readonly config: FederationConfig };
