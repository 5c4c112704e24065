/** The welcome a joined client receives (the same from the single coordinator and a cluster's leader). */
import { PROTOCOL_VERSION, toWire, type Federation, type JoinAccepted, type Welcome } from "@fedrec/common";

export function welcomeFor(federation: Federation, accepted: JoinAccepted): Welcome {
  return {
    protocol: PROTOCOL_VERSION,
    clientId: accepted.clientId,
    secret: accepted.secret,
    catalogue: federation.catalogue,
    config: federation.config,
    phase: federation.phase,
    completedRounds: federation.completedRounds,
    bestRound: federation.best?.round ?? null,
    table: toWire(accepted.table),
  };
}
