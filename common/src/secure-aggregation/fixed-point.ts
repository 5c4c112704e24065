/**
 * Fixed-point encoding of a client's weighted item-table change for secure aggregation. Masks live
 * in Z_{2^32}, so client j sends, for EVERY entry k of the table (dense: untouched rows are zeros
 * and look like any other once masked),
 *     q_{j,k} = round(S · c_j · clip(A_{j,k} − T_k, −B, B))  mod 2^32
 * and the server reads Σ_j q_{j,k} as a two's-complement int32 and divides it by S.
 *
 * B (`range`, in the units of the table's entries) is the largest change of one entry that passes
 * unclipped. No overflow: |q_{j,k}| ≤ S·|c_j|·B + ½, so for any subset of the n clients
 * |Σ_j q_{j,k}| ≤ S·B·Σ_j|c_j| + n/2 < 2^31 with S = (2^31 − 1 − n) / (B·Σ_j|c_j|).
 * Error: each decoded entry is within n/(2S) ≈ n·B·Σ_j|c_j| / 2^32 of Σ_j c_j·clip(Δ_j), e.g.
 * 32 clients, B = 1, Σ|c| = 32: 2.4e-7.
 */
import type { ItemTableUpdate } from "../aggregation/item-table-update.ts";

const INT32_MAX = 2 ** 31 - 1;

/** S for a group whose clients carry `coefficients` c_j and clip their changes to ±`range`. */
export function fixedPointScale(range: number, coefficients: ArrayLike<number>): number {
  if (!(range > 0) || !Number.isFinite(range)) throw new Error(`the clipping range must be finite and > 0, got ${range}`);
  const n = coefficients.length;
  if (n === 0 || n >= INT32_MAX / 2) throw new Error(`a group needs 1 to 2^30 clients, got ${n}`);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const c = coefficients[j]!;
    if (!Number.isFinite(c)) throw new Error(`coefficient ${j} is not finite: ${c}`);
    total += Math.abs(c);
  }
  // All-zero coefficients: every input is 0 and any scale decodes it; keep the one of Σ|c| = 1.
  return (INT32_MAX - n) / (range * (total > 0 ? total : 1));
}

/** q_j above: the dense fixed-point vector of c_j·clip(A_j − T) (uint32, two's complement). */
export function quantiseChange(
  update: ItemTableUpdate,
  itemDim: number,
  coefficient: number,
  range: number,
  scale: number,
): Uint32Array {
  const { base, rows, values } = update;
  const encoded = new Uint32Array(base.length);
  const factor = coefficient * scale;
  for (let r = 0; r < rows.length; r++) {
    const offset = rows[r]! * itemDim;
    for (let k = 0; k < itemDim; k++) {
      const change = values[r * itemDim + k]! - base[offset + k]!;
      if (!Number.isFinite(change)) throw new Error(`item row ${rows[r]} entry ${k} changed by ${change}`);
      const clipped = change > range ? range : change < -range ? -range : change;
      encoded[offset + k] = Math.round(factor * clipped); // a Uint32Array stores it mod 2^32
    }
  }
  return encoded;
}

/** The decoded Σ_j c_j·clip(Δ_j) from Σ_j q_j mod 2^32 (float64: no rounding beyond the encoding's). */
export function dequantiseSum(sum: Uint32Array, scale: number): Float64Array {
  const decoded = new Float64Array(sum.length);
  for (let k = 0; k < sum.length; k++) decoded[k] = (sum[k]! | 0) / scale;
  return decoded;
}
