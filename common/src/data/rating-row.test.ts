import { describe, expect, it } from "vitest";
import { parseRatingRow } from "./rating-row.ts";

describe("RatingRowSchema", () => {
  it("trims ids and converts rating and timestamp, leaving absent columns absent", () => {
    expect(parseRatingRow({ user: " u1 ", item: "i9", rating: " 3.5", timestamp: "1700000000 " })).toEqual({
      user: "u1",
      item: "i9",
      rating: 3.5,
      timestamp: 1_700_000_000,
    });
    expect(parseRatingRow({ user: "u1", item: "i9", rating: undefined, timestamp: undefined })).toEqual({
      user: "u1",
      item: "i9",
    });
    expect(parseRatingRow({ user: "u1", item: "i9", rating: "-2e1" })).toMatchObject({ rating: -20 });
  });

  it("names the first bad cell in column order", () => {
    expect(parseRatingRow({ user: " ", item: "", rating: "x" })).toEqual({ problem: "user is empty" });
    expect(parseRatingRow({ user: "u", item: "i", rating: "Infinity", timestamp: "-1" })).toEqual({
      problem: 'rating "Infinity" is not a number',
    });
    expect(parseRatingRow({ user: "u", item: "i", timestamp: "1.5" })).toEqual({
      problem: 'timestamp "1.5" is not a non-negative integer',
    });
    expect(parseRatingRow({ user: "u", item: "i", timestamp: "99999999999999999999" })).toEqual({
      problem: 'timestamp "99999999999999999999" is not a non-negative integer',
    });
  });
});
