/**
 * A client's uploaded item table, kept sparse: the table the server sent it (`base`) with the
 * rows it trained replaced by `values`. Exact, because untouched rows equal the base.
 */
export interface ItemTableUpdate {
  /** The table this client received this round (numItems × itemDim). */
  readonly base: Float32Array;
  /** Sorted, distinct row indices. */
  readonly rows: Int32Array;
  /** rows.length × itemDim values of those rows after local training. */
  readonly values: Float32Array;
}

/** The full table A = base with the updated rows. */
export function materialise(update: ItemTableUpdate, itemDim: number): Float32Array {
  const table = update.base.slice();
  update.rows.forEach((row, r) => table.set(update.values.subarray(r * itemDim, (r + 1) * itemDim), row * itemDim));
  return table;
}

/**
 * Σ_p coefficients[p] · A_{members[p]} without materialising any A: bases shared by several
 * clients (the global table) are scaled once, then each client's row changes are added sparsely.
 */
export function weightedTableSum(
  updates: readonly ItemTableUpdate[],
  members: ArrayLike<number>,
  coefficients: ArrayLike<number>,
  itemDim: number,
): Float32Array {
  const baseWeight = new Map<Float32Array, number>();
  for (let p = 0; p < members.length; p++) {
    const c = coefficients[p]!;
    if (c === 0) continue;
    const base = updates[members[p]!]!.base;
    baseWeight.set(base, (baseWeight.get(base) ?? 0) + c);
  }
  const length = updates[0]?.base.length ?? 0;
  const sum = new Float64Array(length);
  for (const [base, c] of baseWeight) for (let k = 0; k < length; k++) sum[k] += c * base[k]!;
  for (let p = 0; p < members.length; p++) {
    const c = coefficients[p]!;
    if (c === 0) continue;
    const { base, rows, values } = updates[members[p]!]!;
    for (let r = 0; r < rows.length; r++) {
      const offset = rows[r]! * itemDim;
      for (let k = 0; k < itemDim; k++) sum[offset + k] += c * (values[r * itemDim + k]! - base[offset + k]!);
    }
  }
  return Float32Array.from(sum);
}
