import { describe, expect, it } from "vitest";
import { inferAttributes, majorityShare } from "./attribute-inference.ts";
import { fixedPointScale, quantiseChange } from "../../secure-aggregation/fixed-point.ts";
import { guessRatedItems, guessRatedItemsFromFixedPoint, precisionRecall } from "./item-inference.ts";
import { gaussianDpTprBound, normalCdf } from "./gaussian-dp-bound.ts";
import { ageBracket, ml100kCandidates } from "./ml100k-dictionary.ts";
import { directionOfLargestRows, membershipTest } from "./released-table-observer.ts";
import { recoverProfileDirection } from "./recover-profile.ts";
import { absoluteCosine, topRightSingularVector } from "./top-singular-vector.ts";

describe("topRightSingularVector", () => {
  it("finds the top right singular vector of a hand-made matrix, and null for zero", () => {
    // M = diag(3, 1) padded with a zero column: the top right singular vector is e1.
    const v = topRightSingularVector(Float32Array.of(3, 0, 0, 0, 1, 0), 2, 3)!;
    expect(Math.abs(v[0]!)).toBeCloseTo(1, 12);
    expect(v[1]).toBeCloseTo(0, 12);
    expect(topRightSingularVector(new Float32Array(6), 2, 3)).toBeNull();
  });

  it("|cos| ignores the sign and is 0 against a zero vector", () => {
    expect(absoluteCosine([1, 0], [-2, 0])).toBe(1);
    expect(absoluteCosine([1, 1], [1, 0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(absoluteCosine([0, 0], [1, 0])).toBe(0);
  });
});

describe("recoverProfileDirection", () => {
  it("reads x out of θ_after − θ_before = δ·xᵀ exactly", () => {
    const x = [0.6, 0, -0.8];
    const delta = [2, -1];
    const before = Float32Array.of(1, 2, 3, 4, 5, 6);
    const after = before.map((w, i) => w + delta[Math.floor(i / 3)]! * x[i % 3]!);
    const recovered = recoverProfileDirection(after, before, 2, 3)!;
    expect(absoluteCosine(recovered, x)).toBeCloseTo(1, 6);
  });

  it("refuses shapes that do not match", () => {
    expect(() => recoverProfileDirection(new Float32Array(6), new Float32Array(5), 2, 3)).toThrow(/expected 2 × 3/);
  });
});

describe("attribute inference", () => {
  it("takes the attributes of the candidate nearest by |cos|", () => {
    const dictionary = {
      embeddings: [Float32Array.of(1, 0), Float32Array.of(0, 1)],
      attributes: [{ gender: "M" }, { gender: "F" }],
    };
    expect(inferAttributes([-0.1, -0.9], dictionary)).toEqual({ gender: "F" });
    expect(inferAttributes([0.9, 0.2], dictionary)).toEqual({ gender: "M" });
  });

  it("majority share: 3 of 4", () => {
    expect(majorityShare(["M", "F", "M", "M"])).toBe(0.75);
    expect(majorityShare([])).toBe(0);
  });

  it("ML-1M's age brackets and the dictionary's size (ages × 2 genders × occupations × ZIP codes)", () => {
    expect([7, 17, 18, 24, 25, 34, 35, 44, 45, 49, 50, 55, 56, 73].map(ageBracket)).toEqual([
      "under 18",
      "under 18",
      "18-24",
      "18-24",
      "25-34",
      "25-34",
      "35-44",
      "35-44",
      "45-49",
      "45-49",
      "50-55",
      "50-55",
      "56+",
      "56+",
    ]);
    const candidates = ml100kCandidates([24, 25], ["technician", "retired"], ["85711"]);
    expect(candidates.texts).toHaveLength(8);
    expect(candidates.texts[0]).toBe("A 24-year-old male technician living in ZIP code 85711.");
    expect(candidates.attributes[0]).toEqual({ gender: "M", ageBracket: "18-24", occupation: "technician" });
  });
});

describe("guessRatedItems", () => {
  // 5 items, itemDim 2 (a factor and a bias). Sent table: all zeros.
  const sent = new Float32Array(10);
  it("changed rows, and the minority side of the changes' direction for the positives", () => {
    // Row 1 moved towards u = (1, ·) with its bias up (a positive); rows 0, 3 and 4 away (negatives);
    // row 2 was uploaded unchanged.
    const rows = Int32Array.of(0, 1, 2, 3, 4);
    const values = Float32Array.of(-0.5, -0.2, 1, 0.4, 0, 0, -0.4, -0.3, -0.6, -0.1);
    const guess = guessRatedItems(sent, rows, values, 2);
    expect(Array.from(guess.changed)).toEqual([0, 1, 3, 4]);
    expect(Array.from(guess.direction)).toEqual([1]);
  });

  it("reads the same guess out of the upload's dense fixed-point encoding (what secure aggregation masks)", () => {
    const rows = Int32Array.of(0, 1, 2, 3, 4);
    const values = Float32Array.of(-0.5, -0.2, 1, 0.4, 0, 0, -0.4, -0.3, -0.6, -0.1);
    const encoded = quantiseChange({ base: sent, rows, values }, 2, 0.5, 4, fixedPointScale(4, [0.5, 0.5]));
    expect(encoded[0]! | 0).toBe(Math.round(-0.5 * 0.5 * fixedPointScale(4, [0.5, 0.5])));
    const guess = guessRatedItemsFromFixedPoint(encoded, 2);
    expect(Array.from(guess.changed)).toEqual([0, 1, 3, 4]);
    expect(Array.from(guess.direction)).toEqual([1]);
    expect(() => guessRatedItemsFromFixedPoint(new Uint32Array(9), 2)).toThrow(/9 entries are not rows of 2/);
  });

  it("precision and recall against the rated items", () => {
    const rated = Uint8Array.of(0, 1, 1, 0, 0);
    expect(precisionRecall(Int32Array.of(0, 1, 3, 4), rated)).toEqual({ precision: 0.25, recall: 0.5 });
    expect(precisionRecall(Int32Array.of(), rated)).toEqual({ precision: 0, recall: 0 });
  });
});

describe("the released-table attacks", () => {
  it("Φ and the Gaussian-DP bound Φ(√T/σ − Φ⁻¹(0.95)) at hand-checked points", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.6448536269514722)).toBeCloseTo(0.95, 6);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 6);
    expect(gaussianDpTprBound(1, 1)).toBeCloseTo(normalCdf(1 - 1.6448536269514722), 12); // 0.2595
    expect(gaussianDpTprBound(1, 1)).toBeCloseTo(0.2595, 4);
    expect(gaussianDpTprBound(2, 4)).toBeCloseTo(gaussianDpTprBound(1, 1), 12);
    expect(gaussianDpTprBound(1e6, 1)).toBeCloseTo(0.05, 5);
    expect(() => gaussianDpTprBound(0, 1)).toThrow(/σ > 0/);
  });

  it("membership test: the analytic threshold 1.645·σC·√rounds, or the 95th percentile of the outs without noise", () => {
    const stats = [
      { in: 2, out: 0.1, rounds: 1 }, // threshold 1.645 at σC 1
      { in: 1.6, out: 1.7, rounds: 1 },
      { in: 3.4, out: 0, rounds: 4 }, // threshold 3.29
      { in: 3.2, out: -1, rounds: 4 },
    ];
    expect(membershipTest(stats, 1)).toEqual({ truePositiveRate: 0.5, falsePositiveRate: 0.25 });
    // Without noise: the percentile of four outs at 5 % is the largest, 1.7; ins above it: 2, 3.4, 3.2.
    expect(membershipTest(stats, null)).toEqual({ truePositiveRate: 0.75, falsePositiveRate: 0 });
  });

  it("the direction rule on the k rows of largest norm", () => {
    // 4 rows × 2: rows 1 and 3 largest; row 1 moved against row 3 and row 3 is ... the rule keeps the smaller side.
    const table = Float64Array.of(0.01, 0, 1, 1, 0, 0.02, -2, -2);
    const guess = directionOfLargestRows(table, 2, 2);
    expect(Array.from(guess.changed)).toEqual([1, 3]);
    expect(guess.direction.length).toBe(1);
    expect([1, 3]).toContain(guess.direction[0]);
  });
});
