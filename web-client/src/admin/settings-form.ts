/**
 * The dashboard's settings form as plain data: the live settings it edits, which of them apply,
 * and the change set Apply sends — only the fields that differ from the federation's current
 * configuration. The neighbourhood is edited flat, as its kind and (for top-k) its k, and sent
 * with the configuration's shorthand `neighbourhoodSize`; k is sent only for a top-k
 * neighbourhood, which the configuration would otherwise refuse as a contradiction, and with it
 * the whole change.
 */
import {
  DEFAULT_NEIGHBOURHOOD_SIZE,
  type FederationConfig,
  type NeighbourhoodKind,
  type SettingName,
  type SettingsChange,
} from "@fedrec/common";

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
] as const satisfies readonly SettingName[];

type PlainKey = Exclude<(typeof FORM_SETTINGS)[number], "neighbourhood" | "neighbourhoodSize">;
const PLAIN_SETTINGS = FORM_SETTINGS.filter((key): key is PlainKey => key !== "neighbourhood" && key !== "neighbourhoodSize");

export type SettingsForm = { -readonly [K in PlainKey]: FederationConfig[K] } & {
  neighbourhood: NeighbourhoodKind;
  /** The k of a top-k neighbourhood (kept while another kind is chosen). */
  neighbourhoodSize: number;
};

/** The form filled with the federation's current values. */
export function formFrom(config: FederationConfig): SettingsForm {
  const plain = Object.fromEntries(PLAIN_SETTINGS.map((key) => [key, config[key]])) as { [K in PlainKey]: FederationConfig[K] };
  const { neighbourhood } = config;
  return {
    ...plain,
    neighbourhood: neighbourhood.kind,
    neighbourhoodSize: neighbourhood.kind === "topk" ? neighbourhood.k : DEFAULT_NEIGHBOURHOOD_SIZE,
  };
}

/** k applies to top-k neighbourhoods only: shown and sent only then. */
export function showsNeighbourhoodSize(form: Pick<SettingsForm, "neighbourhood">): boolean {
  return form.neighbourhood === "topk";
}

/** The settings the form changed relative to `config` (empty: nothing to apply). */
export function settingsChanges(config: FederationConfig, form: SettingsForm): SettingsChange {
  const changes: Record<string, unknown> = {};
  for (const key of PLAIN_SETTINGS) if (form[key] !== config[key]) changes[key] = form[key];
  const current = config.neighbourhood;
  if (form.neighbourhood !== current.kind) changes.neighbourhood = form.neighbourhood;
  if (showsNeighbourhoodSize(form) && (current.kind !== "topk" || current.k !== form.neighbourhoodSize)) {
    changes.neighbourhoodSize = form.neighbourhoodSize;
  }
  return changes as SettingsChange;
}
