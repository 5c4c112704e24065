/**
 * The federation's initial model, drawn from its seed's `init` stream: every client, the simulator
 * and the coordinator derive the same one, so nobody has to send it.
 */
import type { FederationConfig } from "../config/federation-config.ts";
import { streamOf } from "../random/federation-streams.ts";
import { createClientModel, type ClientModel, type ModelDimensions } from "./client-model.ts";

export function initialModel(config: FederationConfig, dims: ModelDimensions): ClientModel {
  return createClientModel(dims, streamOf(config.seed, "init"), config.itemInitStd);
}
