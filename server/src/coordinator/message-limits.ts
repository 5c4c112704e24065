/**
 * Size limits, set deliberately from the federation's shapes rather than left at socket.io's
 * default (1e6 bytes, above which a message silently closes the connection).
 */
import { modelDimensions, type Catalogue, type FederationConfig } from "@fedrec/common";

/** JSON fields, socket.io framing and attachment placeholders of one message. */
const ENVELOPE_BYTES = 64 * 1024;

/** The largest legal upload: θ_user plus every row of θ_item with its index. */
export function largestUploadBytes(catalogue: Catalogue, config: FederationConfig): number {
  const d = modelDimensions(config, catalogue.profileDim, catalogue.numItems);
  return d.profileDim * d.jointDim * 4 + d.numItems * (4 + d.itemDim * 4) + ENVELOPE_BYTES;
}

/**
 * socket.io's `maxHttpBufferSize` for a coordinator hosting these federations: the largest legal
 * upload, with a floor of 1 MiB for small catalogues. A message above it closes the connection at
 * the transport (engine.io cannot answer it); every legal message fits.
 */
export function transportLimitBytes(federations: readonly { catalogue: Catalogue; config: FederationConfig }[]): number {
  return Math.max(1024 * 1024, ...federations.map((f) => largestUploadBytes(f.catalogue, f.config)));
}
