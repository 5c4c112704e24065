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

/**
 * Settings DP cannot be combined with, each with the reason. The sum's sensitivity is C only when
 * every client's update enters it once with weight 1 and no client's data changes another's weight.
 */
export function clientLevelDpContradictions(c: FederationConfig): string[] {
  if (c.dpEpsilon === null && c.dpNoiseMultiplier === null) return [];
  const out: string[] = [];
  if (c.dpEpsilon !== null && c.dpNoiseMultiplier !== null) {
    out.push("set either dpEpsilon (a target the noise is calibrated for) or dpNoiseMultiplier, not both");
  }
  if (c.neighbourhood !== "none") {
    out.push(
      `differential privacy needs neighbourhood "none", not "${c.neighbourhood}": a user graph built from the uploads lets one client change every other client's weight, so no noise bounds its influence`,
    );
  }
  if (c.globalUpdate !== "sum") {
    out.push(
      `differential privacy needs globalUpdate "sum", not "${c.globalUpdate}": each clipped change must enter the sum once with weight 1 (mean and fedavg weights depend on the other clients)`,
    );
  }
  if (c.uploadClipNorm !== null) out.push("differential privacy clips uploads to dpClipNorm: set uploadClipNorm to null");
  if (c.minTrainClients !== 1) {
    out.push(
      `differential privacy samples each client independently with probability fractionTrain (the accountant's assumption): minTrainClients must be 1, not ${c.minTrainClients}`,
    );
  }
  if (out.length === 0 && c.dpEpsilon !== null) {
    try {
      clientLevelDp(c);
    } catch (error) {
      out.push((error as Error).message);
    }
  }
  return out;
}
