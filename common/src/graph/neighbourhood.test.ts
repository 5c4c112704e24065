import { describe, expect, it } from "vitest";
import { normaliseNeighbourhood } from "./neighbourhood.ts";
import type { SparseRows } from "./sparse-rows.ts";

// Symmetric similarities of 4 users: 0~1 close, 2~3 close, 0 and 3 opposed.
const S = Float64Array.from([1, 0.9, 0.1, -0.5, 0.9, 1, 0.2, -0.1, 0.1, 0.2, 1, 0.8, -0.5, -0.1, 0.8, 1]);

function dense(rows: SparseRows): number[][] {
  return rows.columns.map((cols, i) => {
    const out = new Array<number>(rows.n).fill(0);
    cols.forEach((c, p) => (out[c] = rows.weights[i]![p]!));
    return out;
  });
}

describe("normaliseNeighbourhood", () => {
  it("topk keeps the k MOST similar users, self included, each at 1/k", () => {
    expect(dense(normaliseNeighbourhood(S, 4, { kind: "topk", k: 2 }))).toEqual([
      [0.5, 0.5, 0, 0],
      [0.5, 0.5, 0, 0],
      [0, 0, 0.5, 0.5],
      [0, 0, 0.5, 0.5],
    ]);
    const three = dense(normaliseNeighbourhood(S, 4, { kind: "topk", k: 3 }));
    expect(three[0]).toEqual([1 / 3, 1 / 3, 1 / 3, 0]); // drops the opposed user 3
  });

  it("topk prefers the user itself on ties and clips k to the participants", () => {
    const ties = Float64Array.from([1, 1, 1, 1]);
    expect(dense(normaliseNeighbourhood(ties, 2, { kind: "topk", k: 1 }))).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(dense(normaliseNeighbourhood(ties, 2, { kind: "topk", k: 5 }))).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
  });

  it("threshold keeps S_ij > mean(S)·factor, falling back to self", () => {
    // mean(S) = 6.6 / 16 = 0.4125
    expect(dense(normaliseNeighbourhood(S, 4, { kind: "threshold", factor: 1 }))[1]).toEqual([0.5, 0.5, 0, 0]);
    const strict = dense(normaliseNeighbourhood(S, 4, { kind: "threshold", factor: 10 }));
    expect(strict).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });

  it("dense row-normalises the positive similarities and ignores negative ones", () => {
    const rows = dense(normaliseNeighbourhood(S, 4, { kind: "dense" }));
    expect(rows[0]![0]).toBeCloseTo(1 / 2, 6);
    expect(rows[0]![1]).toBeCloseTo(0.9 / 2, 6);
    expect(rows[0]![2]).toBeCloseTo(0.1 / 2, 6);
    expect(rows[0]![3]).toBe(0);
    for (const row of rows) expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });

  it("none is the identity", () => {
    expect(dense(normaliseNeighbourhood(S, 4, { kind: "none" }))).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });

  it("rejects a matrix of the wrong size and a bad k", () => {
    expect(() => normaliseNeighbourhood(S, 3, { kind: "dense" })).toThrow(/expected 3×3/);
    expect(() => normaliseNeighbourhood(S, 4, { kind: "topk", k: 0 })).toThrow(/k ≥ 1/);
  });
});
