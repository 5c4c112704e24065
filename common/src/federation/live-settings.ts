/** Settings an admin may change while the federation runs (the clients' training settings are fixed at join). */
import type { SettingName } from "../config/federation-config.ts";

export const LIVE_SETTINGS = [
  "rounds",
  "fractionTrain",
  "minTrainClients",
  "minClientsToStart",
  "roundDeadlineSeconds",
  "quorum",
  "neighbourhood",
  "neighbourhoodSize",
  "thresholdFactor",
  "graphSearch",
  "propagationLayers",
  "globalUpdate",
  "serverOptimizer",
  "serverLearningRate",
  "distribution",
  "uploadClipNorm",
  "earlyStoppingPatience",
] as const satisfies readonly SettingName[];

/** Throws, naming them, when `changes` touch settings that are fixed while the federation runs. */
export function refuseFixedSettings(changes: unknown): void {
  if (typeof changes !== "object" || changes === null) return; // resolveConfig names what is wrong
  const fixed = Object.keys(changes).filter((k) => !(LIVE_SETTINGS as readonly string[]).includes(k));
  if (fixed.length > 0) {
    throw new Error(`cannot change ${fixed.join(", ")} while the federation runs (live settings: ${LIVE_SETTINGS.join(", ")})`);
  }
}
