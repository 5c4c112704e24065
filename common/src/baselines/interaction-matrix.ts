/**
 * The binary user × item matrix X the centralised baselines fit on: X[u][i] = 1 when item i is
 * one of user u's training positives (split.trainItems), else 0 — repeated interactions count
 * once. Held-out items stay out unless `withValidation` adds each user's validation item (the
 * variant that refits on train + validation before scoring test).
 */
import type { ClientSplit } from "../split/leave-one-out.ts";

export interface BinaryMatrix {
  readonly numItems: number;
  /** Per user, the items with X[u][i] = 1, ascending. */
  readonly rows: readonly Int32Array[];
}

export function trainingMatrix(splits: readonly ClientSplit[], withValidation = false): BinaryMatrix {
  const numItems = splits[0]?.trainItems.length ?? 0;
  const rows = splits.map((split) => {
    const items: number[] = [];
    const validation = withValidation ? (split.validation?.item ?? -1) : -1;
    for (let i = 0; i < numItems; i++) if (split.trainItems[i] || i === validation) items.push(i);
    return Int32Array.from(items);
  });
  return { numItems, rows };
}

/** Users per item: column sums of X. */
export function itemCounts(matrix: BinaryMatrix): Float64Array {
  const counts = new Float64Array(matrix.numItems);
  for (const row of matrix.rows) for (const item of row) counts[item] += 1;
  return counts;
}

/** G = XᵀX (numItems × numItems, row-major): G[i][j] = users with both i and j; G[i][i] = users with i. */
export function coOccurrence(matrix: BinaryMatrix): Float64Array {
  const n = matrix.numItems;
  const gram = new Float64Array(n * n);
  for (const row of matrix.rows) {
    for (const i of row) {
      const base = i * n;
      for (const j of row) gram[base + j] += 1;
    }
  }
  return gram;
}
