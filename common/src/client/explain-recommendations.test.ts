import { describe, expect, it } from "vitest";
import type { ModelDimensions } from "../model/client-model.ts";
import { explainRecommendations } from "./explain-recommendations.ts";

const dims = (scorer: "dot" | "mlp", itemDim: number): ModelDimensions => ({
  profileDim: 4,
  jointDim: 2,
  userHiddenDim: 2,
  userOutDim: itemDim - 1,
  itemDim,
  scoreHidden: [],
  scorer,
  numItems: 4,
});

describe("explainRecommendations", () => {
  // Rows of a 4-item table with 2 factors + a bias column (dot scorer).
  const table = Float32Array.from([
    1,
    0,
    9, // item 0
    0,
    1,
    -9, // item 1
    1,
    1,
    0, // item 2
    -1,
    0,
    5, // item 3
  ]);

  it("ranks the rated items by the cosine of their factors to the recommended item, leaving out the dot scorer's bias", () => {
    const [why] = explainRecommendations({ itemTable: table, dims: dims("dot", 3) }, [2], [0, 1, 3, 0], 3);
    // cos(item 2, item 0) = cos(item 2, item 1) = 1/√2 (a tie: the lower item first), cos(item 2, item 3) = −1/√2.
    expect(why!.item).toBe(2);
    expect(why!.because.map((b) => b.item)).toEqual([0, 1, 3]);
    expect(why!.because[0]!.similarity).toBeCloseTo(Math.SQRT1_2, 6);
    expect(why!.because[2]!.similarity).toBeCloseTo(-Math.SQRT1_2, 6);
  });

  it("uses every column for the mlp scorer, and keeps `perItem` reasons", () => {
    const [why] = explainRecommendations({ itemTable: table, dims: dims("mlp", 3) }, [0], [1, 3], 1);
    // With the third column: cos(0, 3) = (−1 + 45)/(√82·√26) ≈ 0.9533 beats cos(0, 1) = −81/(√82·√82) ≈ −0.9878.
    expect(why!.because).toHaveLength(1);
    expect(why!.because[0]!.item).toBe(3);
    expect(why!.because[0]!.similarity).toBeCloseTo(44 / Math.sqrt(82 * 26), 6);
  });
});
