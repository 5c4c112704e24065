/**
 * What the dashboard is told about a federation's rounds and clients (admin-messages.ts), read off
 * the round machine's parts; nothing here changes state.
 */
import type { ServerTables } from "../aggregation/graph-strategy.ts";
import type { BestRound } from "../metrics/best-table-tracker.ts";
import type { ClientStatus, FederationStatus } from "../protocol/admin-messages.ts";
import type { Catalogue, FederationPhase, RoundSummary } from "../protocol/messages.ts";
import type { LocalEvaluation } from "../train/evaluate-locally.ts";
import type { ClientRegistry, RegisteredClient } from "./client-registry.ts";
import type { OpenRound } from "./open-round.ts";

export interface StatusParts {
  readonly code: string;
  readonly catalogue: Catalogue;
  readonly phase: FederationPhase;
  readonly completedRounds: number;
  readonly rounds: number;
  readonly registry: ClientRegistry;
  readonly open: OpenRound | null;
  readonly lastRound: RoundSummary | null;
  readonly best: BestRound<ServerTables> | null;
  readonly stoppedEarlyAt: number | null;
  readonly rejected: Readonly<Record<string, number>>;
  readonly privacy: FederationStatus["privacy"];
}

export function federationStatus(parts: StatusParts): FederationStatus {
  const open = parts.open;
  return {
    code: parts.code,
    catalogue: parts.catalogue,
    phase: parts.phase,
    completedRounds: parts.completedRounds,
    rounds: parts.rounds,
    clients: { registered: parts.registry.size, connected: parts.registry.connected().length },
    round: open
      ? { round: open.round, participants: open.participants.size, uploaded: open.accepted.size, deadline: open.deadline }
      : null,
    lastRound: parts.lastRound,
    best: parts.best && { round: parts.best.round, val: parts.best.val },
    stoppedEarlyAt: parts.stoppedEarlyAt,
    rejected: { ...parts.rejected },
    privacy: parts.privacy,
  };
}

/** Every registered client, in slot order, and what it is doing in the open round. */
export function clientStatuses(
  registry: ClientRegistry,
  open: OpenRound | null,
  latestMetrics: ReadonlyMap<string, LocalEvaluation>,
): ClientStatus[] {
  return registry.all().map((c) => ({
    clientId: c.clientId,
    slot: c.slot,
    label: c.label,
    connected: c.connected,
    state: clientState(c, open),
    metrics: latestMetrics.get(c.clientId) ?? null,
  }));
}

function clientState(client: RegisteredClient, open: OpenRound | null): ClientStatus["state"] {
  if (open?.accepted.has(client.clientId)) return "uploaded";
  if (open?.participants.has(client.clientId)) return client.connected ? "training" : "dropped";
  return client.connected ? "idle" : "offline";
}
