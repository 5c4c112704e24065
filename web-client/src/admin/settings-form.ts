/**
 * The dashboard's settings form as plain data: the live settings it edits, which of them apply,
 * and the change set Apply sends — only the fields that differ from the federation's current
 * configuration. Sending every field would also send settings that do not apply (k outside a
 * top-k neighbourhood), which the configuration refuses as a contradiction, and with them the
 * whole change.
 */
import type { FederationConfig } from "@fedrec/common";

/** The live settings the form shows (a subset of the coordinator's LIVE_SETTINGS). */
export const FORM_SETTINGS = [
  "rounds",
  "fractionTrain",
  "roundDeadlineSeconds",
  "neighbourhood",
  "neighbourhoodSize",
  "globalUpdate",
  "serverOptimizer",
  "serverLearningRate",
  "distribution",
  "earlyStoppingPatience",
] as const satisfies readonly (keyof FederationConfig)[];

type FormKey = (typeof FORM_SETTINGS)[number];
export type SettingsForm = { -readonly [K in FormKey]: FederationConfig[K] };
export type SettingsChanges = Partial<SettingsForm>;

/** The form filled with the federation's current values. */
export function formFrom(config: FederationConfig): SettingsForm {
  return Object.fromEntries(FORM_SETTINGS.map((key) => [key, config[key]])) as SettingsForm;
}

/** k applies to top-k neighbourhoods only: shown and sent only then. */
export function showsNeighbourhoodSize(form: Pick<SettingsForm, "neighbourhood">): boolean {
  return form.neighbourhood === "topk";
}

/** The settings the form changed relative to `config` (empty: nothing to apply). */
export function settingsChanges(config: FederationConfig, form: SettingsForm): SettingsChanges {
  const changes: Record<string, unknown> = {};
  for (const key of FORM_SETTINGS) {
    if (key === "neighbourhoodSize" && !showsNeighbourhoodSize(form)) continue;
    if (form[key] !== config[key]) changes[key] = form[key];
  }
  return changes as SettingsChanges;
}
