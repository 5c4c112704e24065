/**
 * Client-level DP's draws from the federation's seed: round r's Poisson sampling from the round's
 * fork of the "sampling" stream, its noise from the fork of "serverNoise". For the simulator and
 * tests only: anyone who knows the seed can subtract such noise (the coordinator uses a CSPRNG).
 */
import { streamOf } from "../random/federation-streams.ts";
import type { DpRandomness } from "./federation-types.ts";

export function seededDpRandomness(seed: number): DpRandomness {
  return (round, purpose) => streamOf(seed, purpose === "sampling" ? "sampling" : "serverNoise").fork(round);
}
