/**
 * Attack (c), which items a client rated, from one upload and the table the coordinator sent:
 * - `changed`: the uploaded rows whose values differ from those sent — the client's positives and
 *   sampled negatives (and any pseudo items);
 * - `direction`: of those, the rows on the minority side of the changes' common direction. A
 *   positive's row moves towards the user vector and a negative's away from it (for the dot scorer
 *   its bias goes up or down), so the changes split into two opposite groups along their top
 *   singular direction; negatives are sampled several per positive, so the smaller group is taken
 *   for the positives.
 */
import { topRightSingularVector } from "./top-singular-vector.ts";

export interface ItemGuess {
  readonly changed: Int32Array;
  readonly direction: Int32Array;
}

export function guessRatedItems(sent: Float32Array, rows: Int32Array, values: Float32Array, itemDim: number): ItemGuess {
  if (values.length !== rows.length * itemDim) throw new Error(`${values.length} values for ${rows.length} rows × ${itemDim}`);
  const changed: number[] = [];
  const deltas: number[] = [];
  rows.forEach((row, r) => {
    const delta = Array.from({ length: itemDim }, (_, d) => values[r * itemDim + d]! - sent[row * itemDim + d]!);
    if (delta.some((x) => x !== 0)) {
      changed.push(row);
      deltas.push(...delta);
    }
  });
  return splitChanges(Int32Array.from(changed), Float32Array.from(deltas), itemDim);
}

/**
 * The same two rules on a dense fixed-point change of the whole table (fixed-point.ts: one uint32
 * per entry, read as int32), which is what a client sends under secure aggregation — masked. On
 * the unmasked encoding a row is "changed" when any of its entries is non-zero; a masked vector is
 * uniform on Z_2^32, so every row is, and the direction rule splits rows of noise.
 */
export function guessRatedItemsFromFixedPoint(encoded: Uint32Array, itemDim: number): ItemGuess {
  if (encoded.length % itemDim !== 0) throw new Error(`${encoded.length} entries are not rows of ${itemDim}`);
  const changed: number[] = [];
  const deltas: number[] = [];
  for (let row = 0; row < encoded.length / itemDim; row++) {
    const delta = Array.from(encoded.subarray(row * itemDim, (row + 1) * itemDim), (x) => x | 0);
    if (delta.some((x) => x !== 0)) {
      changed.push(row);
      deltas.push(...delta);
    }
  }
  return splitChanges(Int32Array.from(changed), Float32Array.from(deltas), itemDim);
}

/** `changed` as given; `direction`: the smaller side of the changes along their top singular direction. */
export function splitChanges(changed: Int32Array, deltas: Float32Array, itemDim: number): ItemGuess {
  const axis = topRightSingularVector(deltas, changed.length, itemDim);
  const sides: [number[], number[]] = [[], []];
  changed.forEach((row, k) => {
    let projection = 0;
    for (let d = 0; d < itemDim; d++) projection += deltas[k * itemDim + d]! * axis![d]!;
    sides[projection > 0 ? 0 : 1].push(row);
  });
  const minority = sides[0].length <= sides[1].length ? sides[0] : sides[1];
  return { changed, direction: Int32Array.from(minority) };
}

export interface PrecisionRecall {
  readonly precision: number;
  readonly recall: number;
}

/** Precision and recall of `guessed` against the truth (1 = rated); an empty guess has precision 0. */
export function precisionRecall(guessed: Int32Array, rated: Uint8Array): PrecisionRecall {
  let hits = 0;
  for (const item of guessed) hits += rated[item]!;
  let total = 0;
  for (const r of rated) total += r;
  return { precision: guessed.length > 0 ? hits / guessed.length : 0, recall: total > 0 ? hits / total : 0 };
}
