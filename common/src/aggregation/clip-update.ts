/**
 * Norm clipping of an upload (a common defence against a client that sends a huge update, by
 * mistake or to poison the table): the change Δ = uploaded rows − the rows the client was sent is
 * scaled so that ‖Δ‖₂ ≤ bound. Updates within the bound are returned as they are.
 */
import type { ItemTableUpdate } from "./item-table-update.ts";

export function clipUpdate(update: ItemTableUpdate, bound: number, itemDim: number): ItemTableUpdate {
  const { base, rows, values } = update;
  let squared = 0;
  for (let r = 0; r < rows.length; r++) {
    const offset = rows[r]! * itemDim;
    for (let d = 0; d < itemDim; d++) {
      const delta = values[r * itemDim + d]! - base[offset + d]!;
      squared += delta * delta;
    }
  }
  const norm = Math.sqrt(squared);
  if (norm <= bound) return update;
  const scale = bound / norm;
  const clipped = new Float32Array(values.length);
  for (let r = 0; r < rows.length; r++) {
    const offset = rows[r]! * itemDim;
    for (let d = 0; d < itemDim; d++) {
      const baseValue = base[offset + d]!;
      clipped[r * itemDim + d] = baseValue + (values[r * itemDim + d]! - baseValue) * scale;
    }
  }
  return { base, rows, values: clipped };
}
