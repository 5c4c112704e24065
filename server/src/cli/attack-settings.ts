/**
 * The privacy settings the attack harness measures (`npm run attack -- --settings …`): the default,
 * every mode that uploads θ_user, and the item-side defences (secure aggregation among them). Each is a preset plus overrides.
 */
import type { PresetName } from "@fedrec/common";

export interface AttackSetting {
  readonly preset: PresetName;
  readonly overrides: Readonly<Record<string, unknown>>;
  /** One line for the report. */
  readonly what: string;
}

export const ATTACK_SETTINGS = {
  default: { preset: "tuned", overrides: {}, what: "the default: θ_user never uploaded, no graph" },
  "default+pseudo-items": {
    preset: "tuned",
    overrides: { pseudoItems: 200 },
    what: "the default with 200 pseudo-item rows per upload",
  },
  "text-graph": { preset: "text-graph", overrides: {}, what: "the paper-faithful upload: θ_user for the top-10 text graph" },
  "text-graph+laplace-0.01": {
    preset: "text-graph",
    overrides: { userWeightsNoiseScale: 0.01 },
    what: "text-graph, Laplace(0.01) noise on θ_user",
  },
  "text-graph+laplace-0.1": {
    preset: "text-graph",
    overrides: { userWeightsNoiseScale: 0.1 },
    what: "text-graph, Laplace(0.1) noise on θ_user",
  },
  seed: { preset: "seed", overrides: {}, what: "the seed preset: θ_user trained by Adam, dense graph" },
  "default+clipping": {
    preset: "tuned",
    overrides: { uploadClipNorm: 0.05, serverLearningRate: 0.3 },
    what: "the default with each item change clipped to 0.05, η_s 0.3: DP's clipping without its noise",
  },
  "default+dp-epsilon-8": {
    preset: "tuned",
    overrides: { dpClipNorm: 0.05, dpNoiseMultiplier: 3.49, serverLearningRate: 0.3 },
    what: "client-level DP, C 0.05, σ 3.49: ε ≈ 8 at δ 1e-5 over 30 rounds of every client (BENCHMARKS §10)",
  },
  "default+secure-aggregation": {
    preset: "tuned",
    overrides: { secureAggregation: true },
    what: "the default with secure aggregation: the coordinator gets masked inputs, not item rows",
  },
  "text-graph+secure-aggregation": {
    preset: "text-graph",
    overrides: { secureAggregation: true },
    what: "text-graph with secure aggregation: θ_user still in clear, the item table masked",
  },
} as const satisfies Record<string, AttackSetting>;

export type AttackSettingName = keyof typeof ATTACK_SETTINGS;
export const ATTACK_SETTING_NAMES = Object.keys(ATTACK_SETTINGS) as AttackSettingName[];
