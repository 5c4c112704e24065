/**
 * Whether a joining client can train with the federation: it holds the federation's items, and
 * its profile was embedded by the federation's encoder (same model files, same pooling, same
 * width). The coordinator answers a join that fails with the returned error.
 */
import { encoderMismatch } from "../encoder/encoder-identity.ts";
import type { Catalogue, JoinRequest } from "./messages.ts";
import { errorReply, type ErrorReply } from "./protocol-error.ts";

export function checkJoinCatalogue(
  code: string,
  catalogue: Catalogue,
  request: Pick<JoinRequest, "numItems" | "profileDim" | "encoder">,
): ErrorReply | null {
  const { numItems, profileDim, dataset } = catalogue;
  if (request.numItems !== numItems || request.profileDim !== profileDim) {
    return errorReply(
      "catalogue-mismatch",
      `federation ${code} recommends ${numItems} items of "${dataset}" from ${profileDim}-dim profile embeddings; the client holds ${request.numItems} items and ${request.profileDim}-dim embeddings`,
    );
  }
  const mismatch = encoderMismatch(catalogue.encoder, request.encoder);
  return mismatch === null ? null : errorReply("encoder-mismatch", `federation ${code}: ${mismatch}`);
}
