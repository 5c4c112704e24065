import { describe, it, expect } from "vitest";
import { loadMovieLens100k, ml100kProfileText, parseMovieLens100k } from "./movielens-100k.ts";
import { createMemoryFileSource } from "./memory-file-source.ts";
import { DatasetParseError } from "./parse-error.ts";

const FLAGS = "|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";
const ITEMS = [
  `30|Zeta (1995)|01-Jan-1995||http://x${FLAGS}`,
  `10|Alpha (1994)|01-Jan-1994||http://y${FLAGS}`,
  `20|Beta (1996)|01-Jan-1996||http://z${FLAGS}`,
].join("\n");
const USERS = ["7|24|M|technician|85711", "3|53|F|other|94043", "5|18|F|engineer|T8H1N"].join("\n");
const RATINGS = ["7\t20\t5\t875072688", "3\t30\t3\t875000000", "7\t10\t4\t874000000", "7\t30\t1\t876000000"].join("\n");

/** One byte per character (all fixture characters are below U+0100). */
function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function fixture(overrides: Partial<Record<"ratings" | "users" | "items", string>> = {}) {
  return { ratings: RATINGS, users: USERS, items: ITEMS, ...overrides };
}

function parseError(overrides: Partial<Record<"ratings" | "users" | "items", string>>): DatasetParseError {
  try {
    parseMovieLens100k(fixture(overrides));
  } catch (error) {
    if (error instanceof DatasetParseError) return error;
    throw error;
  }
  throw new Error("expected a DatasetParseError");
}

describe("parseMovieLens100k", () => {
  it("maps users and items to dense indices in ascending id order", () => {
    const ds = parseMovieLens100k(fixture());
    expect(ds.name).toBe("ml-100k");
    expect(ds.users.map((u) => u.sourceId)).toEqual(["3", "5", "7"]);
    expect(ds.itemSourceIds).toEqual(["10", "20", "30"]);
    expect(ds.itemTitles).toEqual(["Alpha (1994)", "Beta (1996)", "Zeta (1995)"]);
    expect(ds.numItems).toBe(3);
  });

  it("keeps each user's interactions in source row order; users may have none", () => {
    const ds = parseMovieLens100k(fixture());
    expect(ds.users[2]!.interactions).toEqual([
      { item: 1, rating: 5, timestamp: 875072688 },
      { item: 0, rating: 4, timestamp: 874000000 },
      { item: 2, rating: 1, timestamp: 876000000 },
    ]);
    expect(ds.users[0]!.interactions).toEqual([{ item: 2, rating: 3, timestamp: 875000000 }]);
    expect(ds.users[1]!.interactions).toEqual([]);
  });

  it("builds profile texts from the template", () => {
    const ds = parseMovieLens100k(fixture());
    expect(ds.users.map((u) => u.profileText)).toEqual([
      "A 53-year-old female whose occupation is listed as other, living in ZIP code 94043.",
      "An 18-year-old female engineer living in ZIP code T8H1N.",
      "A 24-year-old male technician living in ZIP code 85711.",
    ]);
  });

  it("tolerates CRLF line ends and trailing newlines", () => {
    const crlf = (text: string) => text.split("\n").join("\r\n") + "\r\n";
    const ds = parseMovieLens100k({ ratings: crlf(RATINGS) + "\r\n", users: crlf(USERS), items: crlf(ITEMS) });
    expect(ds.users.map((u) => u.interactions.length)).toEqual([1, 0, 3]);
    expect(ds.users[2]!.profileText).toBe("A 24-year-old male technician living in ZIP code 85711.");
    expect(ds.users[1]!.profileText).toBe("An 18-year-old female engineer living in ZIP code T8H1N.");
  });
});

describe("ml100kProfileText", () => {
  it.each([
    [{ age: 24, gender: "M", occupation: "technician", zip: "85711" }, "A 24-year-old male technician living in ZIP code 85711."],
    [
      { age: 33, gender: "F", occupation: "none", zip: "15213" },
      "A 33-year-old female with no listed occupation, living in ZIP code 15213.",
    ],
    [{ age: 11, gender: "M", occupation: "student", zip: "55414" }, "An 11-year-old male student living in ZIP code 55414."],
    [
      { age: 42, gender: "F", occupation: "healthcare", zip: "98101" },
      "A 42-year-old female working in healthcare, living in ZIP code 98101.",
    ],
    [{ age: 61, gender: "M", occupation: "retired", zip: "55125" }, "A 61-year-old retired male living in ZIP code 55125."],
    [
      { age: 80, gender: "M", occupation: "administrator", zip: "05201" },
      "An 80-year-old male administrator living in ZIP code 05201.",
    ],
  ] as const)("%o", (user, expected) => {
    expect(ml100kProfileText(user)).toBe(expected);
  });
});

describe("parseMovieLens100k rejects malformed input", () => {
  it.each([
    ["a non-numeric rating", { ratings: "7\t20\tx\t875072688" }, 'u.data line 1: rating "x" is not a number'],
    ["a rating outside 1–5", { ratings: "7\t20\t4\t1\n7\t20\t6\t1" }, "u.data line 2: rating 6 is not an integer from 1 to 5"],
    ["a wrong field count", { ratings: "7\t20\t5" }, "u.data line 1: expected 4 tab-separated fields, found 3"],
    ["a non-numeric user id", { ratings: "7\t20\t5\t1\nu7\t20\t5\t1" }, 'u.data line 2: user id "u7" is not a positive integer'],
    ["a non-numeric timestamp", { ratings: "7\t20\t5\t1.5" }, 'u.data line 1: timestamp "1.5" is not a non-negative integer'],
    ["an unknown user", { ratings: "7\t20\t5\t1\n8\t20\t5\t1" }, "u.data line 2: user id 8 is not defined in u.user"],
    ["an unknown item", { ratings: "7\t99\t5\t1" }, "u.data line 1: item id 99 is not defined in u.item"],
    ["an empty line inside the file", { ratings: "7\t20\t5\t1\n\n7\t10\t5\t1" }, "u.data line 2: empty line"],
    ["an empty ratings file", { ratings: "" }, "u.data line 1: file is empty (no data lines)"],
    ["an empty user file", { users: "\n" }, "u.user line 1: file is empty (no data lines)"],
    [
      "a duplicate user id",
      { users: `${USERS}\n3|20|M|writer|12345` },
      "u.user line 4: duplicate user id 3 (first defined on line 2)",
    ],
    ["a bad gender", { users: "7|24|X|technician|85711" }, 'u.user line 1: gender "X" is not M or F'],
    ["a bad age", { users: "7|0|M|technician|85711" }, "u.user line 1: age 0 is outside 1–120"],
    ["a non-numeric age", { users: "7|old|M|technician|85711" }, 'u.user line 1: age "old" is not a non-negative integer'],
    ["an empty occupation", { users: "7|24|M||85711" }, "u.user line 1: occupation is empty"],
    [
      "a user line with too many fields",
      { users: "7|24|M|technician|85711|x" },
      "u.user line 1: expected 5 |-separated fields, found 6",
    ],
    [
      "a duplicate item id",
      { items: `${ITEMS}\n10|Again|||${FLAGS}` },
      "u.item line 4: duplicate item id 10 (first defined on line 2)",
    ],
    ["a bad genre flag", { items: `10|Alpha|||${FLAGS.replace("|1|", "|2|")}` }, 'u.item line 1: genre flag 4 "2" is not 0 or 1'],
    [
      "a missing genre flag",
      { items: `10|Alpha|||${FLAGS.slice(2)}` },
      "u.item line 1: expected 24 |-separated fields, found 23",
    ],
  ])("%s", (_label, overrides, message) => {
    const error = parseError(overrides);
    expect(error.message).toBe(message);
  });

  it("reports file and line as fields", () => {
    const error = parseError({ ratings: "7\t20\t5\t1\n7\t20\t5\t1\n7\t20\tfive\t1" });
    expect(error.file).toBe("u.data");
    expect(error.line).toBe(3);
  });
});

describe("loadMovieLens100k", () => {
  it("reads the files as ISO-8859-1 (0xE9 → é)", async () => {
    const item = latin1Bytes(`1|Am\u00e9lie (2001)|||${FLAGS}\n`);
    expect(item[4]).toBe(0xe9);
    const source = createMemoryFileSource({
      "u.data": "1\t1\t5\t1\n",
      "u.user": "1|24|M|technician|85711\n",
      "u.item": item,
    });
    const ds = await loadMovieLens100k(source);
    expect(ds.itemTitles).toEqual(["Amélie (2001)"]);
    expect(ds.users[0]!.profileText).toBe("A 24-year-old male technician living in ZIP code 85711.");
  });

  it("rejects with the name of a missing file", async () => {
    const source = createMemoryFileSource({ "u.data": "1\t1\t5\t1\n", "u.user": "1|24|M|technician|85711\n" });
    await expect(loadMovieLens100k(source)).rejects.toThrow("u.item");
  });
});
