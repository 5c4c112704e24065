import { describe, expect, it } from "vitest";
import { clipUpdate } from "./clip-update.ts";

// Table of 3 items × 2 dims; the client changed rows 0 and 2.
const base = Float32Array.of(1, 1, 5, 5, 0, 0);
const update = { base, rows: Int32Array.of(0, 2), values: Float32Array.of(4, 1, 0, 4) };
// Δ = (3, 0) on row 0 and (0, 4) on row 2: ‖Δ‖ = 5.

describe("clipUpdate", () => {
  it("scales the change to the bound, relative to the rows the client was sent", () => {
    const clipped = clipUpdate(update, 2.5, 2);
    // Δ halves: row 0 → (1 + 1.5, 1), row 2 → (0, 2).
    expect(Array.from(clipped.values)).toEqual([2.5, 1, 0, 2]);
    expect(clipped.rows).toBe(update.rows);
  });

  it("leaves an update within the bound untouched", () => {
    expect(clipUpdate(update, 5, 2)).toBe(update);
    expect(clipUpdate(update, 100, 2)).toBe(update);
  });
});
