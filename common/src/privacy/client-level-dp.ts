/**
 * Client-level differential privacy of the released item table, central model (DP-FedAvg,
 * McMahan et al., ICLR 2018): every round each client takes part independently with probability
 * q = fractionTrain (Poisson sampling), the coordinator clips each upload's item-table change to L2
 * norm C, sums them and adds N(0, (σ·C)²) to every coordinate of the table — rows nobody touched
 * included, so the set of changed rows reveals nothing. Adding or removing one client moves the
 * sum by at most C, so each round is the subsampled Gaussian mechanism of rdp-accountant.ts.
 *
 * Trust model: the coordinator sees the uploads and is trusted with them; the guarantee covers
 * everything it releases (the tables every client receives, the final model, the dashboard's
 * tables). It does not hide a client's upload from the coordinator itself (docs/privacy.md).
 */
import type { FederationConfig } from "../config/federation-config.ts";
import { calibrateNoiseMultiplier } from "./calibrate-noise.ts";
import { subsampledGaussianEpsilon } from "./rdp-accountant.ts";

export interface ClientLevelDp {
  /** C: the L2 bound of one client's item-table change. */
  readonly clipNorm: number;
  /** σ: the noise's standard deviation in units of C. */
  readonly noiseMultiplier: number;
  readonly delta: number;
  /** q: each client's probability of taking part in a round. */
  readonly samplingRate: number;
  /** The ε the noise was calibrated for (null: the noise multiplier was given). */
  readonly targetEpsilon: number | null;
}

type DpConfig = Pick<FederationConfig, "dpEpsilon" | "dpNoiseMultiplier" | "dpDelta" | "dpClipNorm" | "fractionTrain" | "rounds">;

/** The DP settings in force (null: DP off). Throws when an ε target cannot be met (see the contradictions). */
export function clientLevelDp(c: DpConfig): ClientLevelDp | null {
  if (c.dpEpsilon === null && c.dpNoiseMultiplier === null) return null;
  const noiseMultiplier =
    c.dpNoiseMultiplier ??
    calibrateNoiseMultiplier({ epsilon: c.dpEpsilon!, delta: c.dpDelta, samplingRate: c.fractionTrain, steps: c.rounds });
  return {
    clipNorm: c.dpClipNorm,
    noiseMultiplier,
    delta: c.dpDelta,
    samplingRate: c.fractionTrain,
    targetEpsilon: c.dpEpsilon,
  };
}

/** ε spent at δ after `rounds` rounds (the worst case: a client connected in every round). */
export function spentEpsilon(dp: ClientLevelDp, rounds: number): number {
  return subsampledGaussianEpsilon(dp.samplingRate, dp.noiseMultiplier, rounds, dp.delta);
}

type DpRuleConfig = Pick<
  FederationConfig,
  | "dpEpsilon"
  | "dpNoiseMultiplier"
  | "dpDelta"
  | "dpClipNorm"
  | "fractionTrain"
  | "rounds"
  | "neighbourhood"
  | "globalUpdate"
  | "uploadClipNorm"
  | "minTrainClients"
  | "secureAggregation"
>;

const dpOn = (c: DpRuleConfig) => c.dpEpsilon !== null || c.dpNoiseMultiplier !== null;

/**
 * Settings DP cannot be combined with (FederationConfigSchema's contradictions), each with the
 * reason. The sum's sensitivity is C only when every client's update enters it once with weight 1,
 * no client's data changes another's weight, and the coordinator can clip each update itself.
 */
export const CLIENT_LEVEL_DP_CONTRADICTIONS: readonly ((c: DpRuleConfig) => string | null)[] = [
  (c) =>
    c.dpEpsilon !== null && c.dpNoiseMultiplier !== null
      ? "set either dpEpsilon (a target the noise is calibrated for) or dpNoiseMultiplier, not both"
      : null,
  (c) =>
    dpOn(c) && c.neighbourhood.kind !== "none"
      ? `differential privacy needs neighbourhood "none", not "${c.neighbourhood.kind}": a user graph built from the uploads lets one client change every other client's weight, so no noise bounds its influence`
      : null,
  (c) =>
    dpOn(c) && c.globalUpdate !== "sum"
      ? `differential privacy needs globalUpdate "sum", not "${c.globalUpdate}": each clipped change must enter the sum once with weight 1 (mean and fedavg weights depend on the other clients)`
      : null,
  (c) =>
    dpOn(c) && c.uploadClipNorm !== null ? "differential privacy clips uploads to dpClipNorm: set uploadClipNorm to null" : null,
  (c) =>
    dpOn(c) && c.minTrainClients !== 1
      ? `differential privacy samples each client independently with probability fractionTrain (the accountant's assumption): minTrainClients must be 1, not ${c.minTrainClients}`
      : null,
  (c) =>
    dpOn(c) && c.secureAggregation
      ? "differential privacy cannot be combined with secureAggregation: the coordinator then sees only the sum, so it cannot clip each client's change to dpClipNorm, and noise on an unclipped sum bounds nothing (clients clipping and noising themselves, distributed DP, is not implemented)"
      : null,
  (c) => {
    if (c.dpEpsilon === null || c.dpNoiseMultiplier !== null) return null;
    try {
      clientLevelDp(c);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  },
];
