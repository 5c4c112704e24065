/**
 * Attack (a), profile recovery: θ_user (d_j × 384, row-major) is trained by SGD on the client's
 * fixed profile embedding x, and every step adds δ_t·xᵀ. So D = θ_after − θ_before — after minus
 * the coordinator's own initialisation, or two consecutive uploads of one client — is rank one with
 * row space x, and D's top right singular vector is ±x/‖x‖. With Adam, noise or weight decay the
 * change is no longer exactly rank one; the harness measures how much survives.
 */
import { topRightSingularVector } from "./top-singular-vector.ts";

export function recoverProfileDirection(
  after: Float32Array,
  before: Float32Array,
  jointDim: number,
  profileDim: number,
): Float64Array | null {
  if (after.length !== jointDim * profileDim || before.length !== after.length) {
    throw new Error(`θ_user of ${after.length} and ${before.length} values, expected ${jointDim} × ${profileDim}`);
  }
  const change = new Float32Array(after.length);
  for (let i = 0; i < change.length; i++) change[i] = after[i]! - before[i]!;
  return topRightSingularVector(change, jointDim, profileDim);
}
