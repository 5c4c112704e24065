/**
 * "Why these recommendations", computed on the device: for each recommended item, the items the
 * person rated whose rows in the item table lie closest to it (cosine similarity of the rows'
 * factors), i.e. "because you rated …" in the model's own item space. For the dot scorer the last
 * entry of a row is the item's bias (popularity), not a direction, so it is left out.
 * Uses only what the device already holds: the table it received and its own ratings.
 */
import type { ClientModel } from "../model/client-model.ts";

export interface Explanation {
  readonly item: number;
  /** Rated items closest to `item`, most similar first, with their cosine similarity in [-1, 1]. */
  readonly because: readonly { readonly item: number; readonly similarity: number }[];
}

/** Cosine similarity of rows a and b of a row-major table, over their first `width` entries. */
function rowCosine(table: Float32Array, rowWidth: number, width: number, a: number, b: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < width; d++) {
    const x = table[a * rowWidth + d]!;
    const y = table[b * rowWidth + d]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export function explainRecommendations(
  model: Pick<ClientModel, "itemTable" | "dims">,
  recommended: readonly number[],
  rated: readonly number[],
  perItem: number,
): Explanation[] {
  const { itemDim, scorer } = model.dims;
  const width = scorer === "dot" ? itemDim - 1 : itemDim;
  const unique = [...new Set(rated)];
  return recommended.map((item) => ({
    item,
    because: unique
      .map((r) => ({ item: r, similarity: rowCosine(model.itemTable, itemDim, width, item, r) }))
      .sort((a, b) => b.similarity - a.similarity || a.item - b.item)
      .slice(0, perItem),
  }));
}
