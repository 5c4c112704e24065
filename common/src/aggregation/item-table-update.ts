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
  const sum = new Float32Array(updates[0]?.base.length ?? 0);
  addScaledTables(sum, [...baseWeight.keys()], [...baseWeight.values()]);
  addWeightedChanges(sum, updates, members, coefficients, itemDim);
  return sum;
}

/** Σ_p coefficients[p] · (A_{members[p]} − base_{members[p]}): the weighted row changes alone. */
export function weightedChangeSum(
  updates: readonly ItemTableUpdate[],
  members: ArrayLike<number>,
  coefficients: ArrayLike<number>,
  itemDim: number,
): Float32Array {
  const sum = new Float32Array(updates[0]?.base.length ?? 0);
  addWeightedChanges(sum, updates, members, coefficients, itemDim);
  return sum;
}

function addWeightedChanges(
  sum: Float32Array,
  updates: readonly ItemTableUpdate[],
  members: ArrayLike<number>,
  coefficients: ArrayLike<number>,
  itemDim: number,
): void {
  for (let p = 0; p < members.length; p++) {
    const c = coefficients[p]!;
    if (c === 0) continue;
    const { base, rows, values } = updates[members[p]!]!;
    for (let r = 0; r < rows.length; r++) {
      const offset = rows[r]! * itemDim;
      for (let k = 0; k < itemDim; k++) sum[offset + k] += c * (values[r * itemDim + k]! - base[offset + k]!);
    }
  }
}

/** sum += Σ_t c_t · tables_t, four tables per pass over `sum` (memory traffic dominates). */
function addScaledTables(sum: Float32Array, tables: readonly Float32Array[], c: readonly number[]): void {
  const length = sum.length;
  let t = 0;
  for (; t + 4 <= tables.length; t += 4) {
    const [b0, b1, b2, b3] = [tables[t]!, tables[t + 1]!, tables[t + 2]!, tables[t + 3]!];
    const [c0, c1, c2, c3] = [c[t]!, c[t + 1]!, c[t + 2]!, c[t + 3]!];
    for (let k = 0; k < length; k++) sum[k] += c0 * b0[k]! + c1 * b1[k]! + c2 * b2[k]! + c3 * b3[k]!;
  }
  for (; t < tables.length; t++) {
    const b = tables[t]!;
    const ct = c[t]!;
    for (let k = 0; k < length; k++) sum[k] += ct * b[k]!;
  }
}
