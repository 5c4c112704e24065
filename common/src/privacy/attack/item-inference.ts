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
  const changedIndex: number[] = [];
  rows.forEach((row, r) => {
    for (let d = 0; d < itemDim; d++) {
      if (values[r * itemDim + d] !== sent[row * itemDim + d]) {
        changedIndex.push(r);
        return;
      }
    }
  });
  const deltas = new Float32Array(changedIndex.length * itemDim);
  changedIndex.forEach((r, k) => {
    for (let d = 0; d < itemDim; d++) deltas[k * itemDim + d] = values[r * itemDim + d]! - sent[rows[r]! * itemDim + d]!;
  });
  const axis = topRightSingularVector(deltas, changedIndex.length, itemDim);
  const sides: [number[], number[]] = [[], []];
  changedIndex.forEach((r, k) => {
    let projection = 0;
    for (let d = 0; d < itemDim; d++) projection += deltas[k * itemDim + d]! * axis![d]!;
    sides[projection > 0 ? 0 : 1].push(rows[r]!);
  });
  const minority = sides[0].length <= sides[1].length ? sides[0] : sides[1];
  return { changed: Int32Array.from(changedIndex, (r) => rows[r]!), direction: Int32Array.from(minority) };
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
