/**
 * The check every coordinator — the single process and a cluster's gateways and aggregation
 * leader — runs on a federation's catalogue before serving it: the catalogue names its encoder,
 * and the encoder pools and quantises as the configuration says (a client embedding item texts
 * otherwise would train on vectors the federation never meant).
 */
import { isErrorReply, parseCatalogue, type Catalogue, type FederationConfig } from "@fedrec/common";

/** A federation's catalogue must name its encoder, with the configuration's pooling and weight precision. */
export function checkCatalogue(catalogue: Catalogue, config: FederationConfig, what: string): void {
  const parsed = parseCatalogue(catalogue, "catalogue");
  if (isErrorReply(parsed)) {
    const older = (catalogue as Partial<Catalogue>).encoder === undefined ? " (saved by a version that did not record it)" : "";
    throw new Error(`${what}: ${parsed.message}${older}; start a new federation instead`);
  }
  if (parsed.encoder.pooling !== config.pooling) {
    throw new Error(`${what}: the catalogue's encoder pools "${parsed.encoder.pooling}", the configuration "${config.pooling}"`);
  }
  if (parsed.encoder.precision !== config.encoderPrecision) {
    throw new Error(
      `${what}: the catalogue's encoder has ${parsed.encoder.precision} weights, the configuration ${config.encoderPrecision}`,
    );
  }
}
