import { describe, it, expect } from "vitest";
import { assembleMovieLens, parseRatingLine } from "./movielens-shared.ts";

const files = { ratings: "r", users: "u", items: "i" };

describe("parseRatingLine", () => {
  it("reads user, item, rating and timestamp", () => {
    expect(parseRatingLine({ file: "r", line: 3, text: "1\t2\t4\t99" }, "\t", "tab")).toEqual({
      userId: 1,
      itemId: 2,
      rating: 4,
      timestamp: 99,
      line: 3,
    });
  });
});

describe("assembleMovieLens", () => {
  it("sorts by id, maps to dense indices and groups ratings per user in row order", () => {
    const ds = assembleMovieLens(
      "x",
      files,
      [
        { id: 9, line: 1, profileText: "nine" },
        { id: 2, line: 2, profileText: "two" },
      ],
      [
        { id: 5, line: 1, title: "five" },
        { id: 3, line: 2, title: "three" },
      ],
      [
        { userId: 9, itemId: 5, rating: 1, timestamp: 7, line: 1 },
        { userId: 9, itemId: 3, rating: 2, timestamp: 6, line: 2 },
      ],
    );
    expect(ds).toEqual({
      name: "x",
      users: [
        { sourceId: "2", profileText: "two", interactions: [] },
        {
          sourceId: "9",
          profileText: "nine",
          interactions: [
            { item: 1, rating: 1, timestamp: 7 },
            { item: 0, rating: 2, timestamp: 6 },
          ],
        },
      ],
      numItems: 2,
      itemTitles: ["three", "five"],
      itemSourceIds: ["3", "5"],
    });
  });

  it("rejects duplicate and unknown ids with file and line", () => {
    const user = { id: 1, line: 1, profileText: "p" };
    const item = { id: 1, line: 1, title: "t" };
    expect(() => assembleMovieLens("x", files, [user, { ...user, line: 2 }], [item], [])).toThrow(
      "u line 2: duplicate user id 1 (first defined on line 1)",
    );
    expect(() =>
      assembleMovieLens("x", files, [user], [item], [{ userId: 1, itemId: 2, rating: 1, timestamp: 0, line: 8 }]),
    ).toThrow("r line 8: item id 2 is not defined in i");
  });
});
