import { describe, expect, it } from "vitest";
import { coOccurrence, type BinaryMatrix } from "./interaction-matrix.ts";
import { cosineFromCoOccurrence, fitItemKnn, topKNeighbours } from "./item-knn.ts";

// X (4 users × 3 items): u0 = {0, 1}, u1 = {1, 2}, u2 = {0, 1, 2}, u3 = {0}.
// Item columns: U_0 = {u0, u2, u3}, U_1 = {u0, u1, u2}, U_2 = {u1, u2}.
// sim(0,1) = |{u0,u2}| / √(3·3) = 2/3;  sim(0,2) = |{u2}| / √(3·2) = 1/√6;  sim(1,2) = |{u1,u2}| / √(3·2) = 2/√6.
const X: BinaryMatrix = {
  numItems: 3,
  rows: [Int32Array.of(0, 1), Int32Array.of(1, 2), Int32Array.of(0, 1, 2), Int32Array.of(0)],
};
const s01 = 2 / 3;
const s02 = 1 / Math.sqrt(6);
const s12 = 2 / Math.sqrt(6);

function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((x, i) => expect(actual[i]).toBeCloseTo(x, 14));
}

describe("ItemKNN", () => {
  it("computes cosine similarities of item columns with a zero diagonal", () => {
    expectClose(cosineFromCoOccurrence(coOccurrence(X), 3), [0, s01, s02, s01, 0, s12, s02, s12, 0]);
  });

  it("keeps the k most similar items per item, lower index first on ties", () => {
    const sim = cosineFromCoOccurrence(coOccurrence(X), 3);
    // k = 1: item 0 keeps 1 (2/3 > 1/√6), item 1 keeps 2 (2/√6 ≈ 0.816 > 2/3), item 2 keeps 1.
    expect(topKNeighbours(sim, 3, 1).map((n) => Array.from(n.items))).toEqual([[1], [2], [1]]);
    // {0,1} and {0,2}: sim(0,1) = sim(0,2) = 1/√2, so item 0's single neighbour is item 1.
    const tied: BinaryMatrix = { numItems: 3, rows: [Int32Array.of(0, 1), Int32Array.of(0, 2)] };
    const tiedNeighbours = topKNeighbours(cosineFromCoOccurrence(coOccurrence(tied), 3), 3, 1);
    expect(Array.from(tiedNeighbours[0]!.items)).toEqual([1]);
    expect(tiedNeighbours[0]!.similarities[0]).toBeCloseTo(1 / Math.SQRT2, 14);
    expect(() => topKNeighbours(sim, 3, 0)).toThrow(/k must be a positive integer/);
  });

  it("scores score(u, i) = Σ_{j ∈ train(u)} sim_k(i, j)", () => {
    // k = 1 (sim_1(0,1) = 2/3, sim_1(1,2) = 2/√6, sim_1(2,1) = 2/√6, all else 0):
    // u0 = {0,1}: (sim_1(0,1), 0, sim_1(2,1)); u1 = {1,2}: (sim_1(0,1), sim_1(1,2), sim_1(2,1)); u3 = {0}: all 0.
    const k1 = fitItemKnn(X, 1);
    expectClose(k1(0), [s01, 0, s12]);
    expectClose(k1(1), [s01, s12, s12]);
    expectClose(k1(3), [0, 0, 0]);
    // k = 50 keeps everything: u0 = (sim(0,1), sim(1,0), sim(2,0) + sim(2,1)); u3 = (0, sim(1,0), sim(2,0)).
    const all = fitItemKnn(X);
    expectClose(all(0), [s01, s01, s02 + s12]);
    expectClose(all(3), [0, s01, s02]);
  });
});
