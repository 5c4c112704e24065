/**
 * Padding an upload with pseudo-item rows (FedGNN's defence, Wu et al. 2021): the coordinator
 * knows the table it sent, so the set of changed rows betrays which items a client trained on —
 * its positives and sampled negatives alike. Adding `count` rows of items the client did not train,
 * each changed by Gaussian noise with the same RMS as the client's real row changes, makes the real
 * rows hard to tell apart. The price: the noise enters the aggregate (averaged over clients).
 */
import type { Rng } from "../random/rng.ts";

export interface PaddedRows {
  readonly rows: Int32Array;
  readonly values: Float32Array;
}

export function padWithPseudoItems(
  rows: Int32Array,
  values: Float32Array,
  serverTable: Float32Array,
  itemDim: number,
  count: number,
  rng: Rng,
): PaddedRows {
  const numItems = serverTable.length / itemDim;
  const available = numItems - rows.length;
  const extra = Math.min(count, available);
  if (extra <= 0) return { rows, values };
  // RMS of the real changes (a client that changed nothing uses a small default).
  let squared = 0;
  for (let r = 0; r < rows.length; r++) {
    for (let d = 0; d < itemDim; d++) {
      const delta = values[r * itemDim + d]! - serverTable[rows[r]! * itemDim + d]!;
      squared += delta * delta;
    }
  }
  const sigma = rows.length > 0 ? Math.sqrt(squared / (rows.length * itemDim)) : 1e-3;
  const taken = new Uint8Array(numItems);
  for (const row of rows) taken[row] = 1;
  const pseudo: number[] = [];
  while (pseudo.length < extra) {
    const item = rng.int(numItems);
    if (taken[item]) continue;
    taken[item] = 1;
    pseudo.push(item);
  }
  const allRows = Int32Array.from([...rows, ...pseudo]).sort();
  const realIndex = new Map(Array.from(rows, (row, r) => [row, r]));
  const out = new Float32Array(allRows.length * itemDim);
  allRows.forEach((row, r) => {
    const real = realIndex.get(row);
    for (let d = 0; d < itemDim; d++) {
      out[r * itemDim + d] =
        real !== undefined ? values[real * itemDim + d]! : serverTable[row * itemDim + d]! + sigma * rng.normal();
    }
  });
  return { rows: allRows, values: out };
}
