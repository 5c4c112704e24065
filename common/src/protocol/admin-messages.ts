/**
 * What the coordinator tells the teacher's dashboard (the `/admin` namespace and the admin HTTP
 * endpoints): one definition for the server that sends these payloads and the page that reads them.
 */
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { Catalogue, FederationPhase, RoundSummary } from "./messages.ts";

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
export type ControlAction = "start" | "pause" | "stop" | "step" | "reset";
export const CONTROL_ACTIONS: readonly ControlAction[] = ["start", "pause", "stop", "step", "reset"];
