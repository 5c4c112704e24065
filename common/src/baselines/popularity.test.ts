import { describe, expect, it } from "vitest";
import type { Dataset } from "../data/dataset.ts";
import { createRng } from "../random/rng.ts";
import { leaveOneOutSplit } from "../split/leave-one-out.ts";
import { trainingMatrix } from "./interaction-matrix.ts";
import { fitPopularity } from "./popularity.ts";

const user = (items: number[]) => ({
  sourceId: "u",
  profileText: "",
  interactions: items.map((item, t) => ({ item, rating: 1, timestamp: t })),
});

describe("popularity", () => {
  it("scores every item by its training positives over all users, ignoring held-out items", () => {
    // Time order; the last item is test and the second last validation (for ≥ 3 interactions).
    // u0: train {0, 1}, val 2, test 3;  u1: train {0}, val 1, test 2;  u2: train {0, 4}, val 3, test 2;
    // u3: train {4}, test 3 (only two interactions).
    const dataset: Dataset = {
      name: "tiny",
      numItems: 6,
      users: [user([0, 1, 2, 3]), user([0, 1, 2]), user([4, 0, 3, 2]), user([4, 3])],
      itemTitles: [],
      itemSourceIds: [],
    };
    const splits = leaveOneOutSplit(dataset, 1, createRng(1));
    const scorer = fitPopularity(trainingMatrix(splits));
    // Items 2 and 3 are held out everywhere: 0 despite 3 interactions each.
    expect(Array.from(scorer(0))).toEqual([3, 1, 0, 0, 2, 0]);
    expect(scorer(3)).toEqual(scorer(0)); // the same ranking for everyone
  });
});
