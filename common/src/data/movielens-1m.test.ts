import { describe, it, expect } from "vitest";
import { loadMovieLens1m, ml1mProfileText, parseMovieLens1m } from "./movielens-1m.ts";
import { createMemoryFileSource } from "./memory-file-source.ts";
import { DatasetParseError } from "./parse-error.ts";

const MOVIES = [
  "2::Jumanji (1995)::Adventure|Children's|Fantasy",
  "1::Toy Story (1995)::Animation|Children's|Comedy",
  "5::Unrated (1995)::Drama",
].join("\n");
const USERS = ["2::M::56::16::70072", "1::F::1::10::48067", "4::M::25::12::55117", "3::F::45::0::02460-1234"].join("\n");
const RATINGS = ["1::2::5::978300760", "2::1::3::978298413", "1::1::4::978302109", "4::2::2::978300000"].join("\n");

type Overrides = Partial<Record<"ratings" | "users" | "items", string>>;

function parseError(overrides: Overrides): DatasetParseError {
  try {
    parseMovieLens1m({ ratings: RATINGS, users: USERS, items: MOVIES, ...overrides });
  } catch (error) {
    if (error instanceof DatasetParseError) return error;
    throw error;
  }
  throw new Error("expected a DatasetParseError");
}

describe("parseMovieLens1m", () => {
  it("maps ids to dense indices in ascending order and keeps row order per user", () => {
    const ds = parseMovieLens1m({ ratings: RATINGS, users: USERS, items: MOVIES });
    expect(ds.name).toBe("ml-1m");
    expect(ds.users.map((u) => u.sourceId)).toEqual(["1", "2", "3", "4"]);
    expect(ds.itemSourceIds).toEqual(["1", "2", "5"]);
    expect(ds.itemTitles).toEqual(["Toy Story (1995)", "Jumanji (1995)", "Unrated (1995)"]);
    expect(ds.users[0]!.interactions).toEqual([
      { item: 1, rating: 5, timestamp: 978300760 },
      { item: 0, rating: 4, timestamp: 978302109 },
    ]);
    expect(ds.users[2]!.interactions).toEqual([]);
  });

  it("builds profile texts from the age and occupation codes", () => {
    const ds = parseMovieLens1m({ ratings: RATINGS, users: USERS, items: MOVIES });
    expect(ds.users.map((u) => u.profileText)).toEqual([
      "A female user aged under 18 who is a K-12 student, living in ZIP code 48067.",
      "A male user aged 56 or older who is self-employed, living in ZIP code 70072.",
      "A female user aged 45-49 whose occupation is other or not specified, living in ZIP code 02460-1234.",
      "A male user aged 25-34 who works as a programmer, living in ZIP code 55117.",
    ]);
  });

  it("phrases every occupation code", () => {
    expect(ml1mProfileText({ gender: "F", ageCode: 35, occupationCode: 1, zip: "1" })).toBe(
      "A female user aged 35-44 who works as an academic or educator, living in ZIP code 1.",
    );
    expect(ml1mProfileText({ gender: "M", ageCode: 18, occupationCode: 17, zip: "2" })).toBe(
      "A male user aged 18-24 who works as a technician or engineer, living in ZIP code 2.",
    );
    for (let code = 0; code <= 20; code++) {
      expect(ml1mProfileText({ gender: "M", ageCode: 50, occupationCode: code, zip: "9" })).toMatch(
        /^A male user aged 50-55 \w.*, living in ZIP code 9\.$/,
      );
    }
  });

  it("tolerates CRLF line ends", () => {
    const crlf = (text: string) => `${text.split("\n").join("\r\n")}\r\n`;
    const ds = parseMovieLens1m({ ratings: crlf(RATINGS), users: crlf(USERS), items: crlf(MOVIES) });
    expect(ds.users[3]!.profileText).toBe("A male user aged 25-34 who works as a programmer, living in ZIP code 55117.");
    expect(ds.users.map((u) => u.interactions.length)).toEqual([2, 1, 0, 1]);
  });
});

describe("parseMovieLens1m rejects malformed input", () => {
  it.each([
    ["a non-numeric rating", { ratings: "1::2::x::1" }, 'ratings.dat line 1: rating "x" is not a number'],
    ["a wrong field count", { ratings: "1::2::5::1\n1::2::5" }, "ratings.dat line 2: expected 4 ::-separated fields, found 3"],
    ["an unknown movie", { ratings: "1::9::5::1" }, "ratings.dat line 1: item id 9 is not defined in movies.dat"],
    ["an unknown user", { ratings: "7::1::5::1" }, "ratings.dat line 1: user id 7 is not defined in users.dat"],
    ["an empty ratings file", { ratings: "\r\n" }, "ratings.dat line 1: file is empty (no data lines)"],
    ["a bad age code", { users: "1::F::20::10::48067" }, "users.dat line 1: age code 20 is not one of 1, 18, 25, 35, 45, 50, 56"],
    ["a bad occupation code", { users: "1::F::1::21::48067" }, "users.dat line 1: occupation code 21 is outside 0–20"],
    ["a bad gender", { users: "1::f::1::10::48067" }, 'users.dat line 1: gender "f" is not M or F'],
    [
      "a duplicate user",
      { users: `${USERS}\n4::M::25::12::55117` },
      "users.dat line 5: duplicate user id 4 (first defined on line 3)",
    ],
    [
      "a duplicate movie",
      { items: `${MOVIES}\n1::Again::Drama` },
      "movies.dat line 4: duplicate item id 1 (first defined on line 2)",
    ],
    ["a non-numeric movie id", { items: "x::Title::Drama" }, 'movies.dat line 1: item id "x" is not a positive integer'],
    [
      "a movie line without genres",
      { items: "1::Toy Story (1995)" },
      "movies.dat line 1: expected 3 ::-separated fields, found 2",
    ],
  ])("%s", (_label, overrides, message) => {
    expect(parseError(overrides).message).toBe(message);
  });
});

describe("loadMovieLens1m", () => {
  it("decodes ISO-8859-1 titles", async () => {
    const movie = Uint8Array.from("1::Cit\u00e9 des enfants perdus, La (1995)::Sci-Fi\n", (char) => char.charCodeAt(0));
    const source = createMemoryFileSource({
      "ratings.dat": "1::1::5::1\n",
      "users.dat": "1::F::1::10::48067\n",
      "movies.dat": movie,
    });
    const ds = await loadMovieLens1m(source);
    expect(ds.itemTitles).toEqual(["Cité des enfants perdus, La (1995)"]);
  });
});
