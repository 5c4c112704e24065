/**
 * The federation's random streams, each forked from the seed for one purpose, so that a client's
 * draws never depend on which other clients ran before it or in which process. The simulator,
 * the client runtime and the coordinator all draw from these.
 */
import { createRng, type Rng } from "./rng.ts";

const STREAM = { init: 1, split: 2, training: 3, noise: 4, sampling: 5, privateInit: 6, serverNoise: 7 } as const;

/** The purposes a federation draws random numbers for, each with its own stream. */
export type StreamPurpose = keyof typeof STREAM;

export function streamOf(seed: number, purpose: StreamPurpose): Rng {
  return createRng(seed).fork(STREAM[purpose]);
}
