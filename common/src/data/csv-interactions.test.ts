import { describe, it, expect } from "vitest";
import { NEUTRAL_PROFILE_TEXT, loadCsvDataset, parseCsvDataset, sortSourceIds } from "./csv-interactions.ts";
import { createMemoryFileSource } from "./memory-file-source.ts";
import { DatasetParseError } from "./parse-error.ts";
import { encodeUtf8 } from "./text-decoding.ts";

const INTERACTIONS = "user,item,rating,timestamp\nbob,m2,4,100\nalice,m1,5,200\r\nbob,m1,3,50\n";

function csv(interactions: string, profiles?: string, items?: string) {
  return parseCsvDataset({
    interactions: { file: "i.csv", text: interactions },
    ...(profiles !== undefined && { profiles: { file: "p.csv", text: profiles } }),
    ...(items !== undefined && { items: { file: "t.csv", text: items } }),
  });
}

function errorOf(run: () => unknown): DatasetParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof DatasetParseError) return error;
    throw error;
  }
  throw new Error("expected a DatasetParseError");
}

describe("parseCsvDataset", () => {
  it("maps ids to dense indices in sorted order and keeps row order per user", () => {
    const ds = csv(INTERACTIONS);
    expect(ds.name).toBe("csv:i.csv");
    expect(ds.users.map((u) => u.sourceId)).toEqual(["alice", "bob"]);
    expect(ds.itemSourceIds).toEqual(["m1", "m2"]);
    expect(ds.itemTitles).toEqual(["m1", "m2"]);
    expect(ds.users[1]!.interactions).toEqual([
      { item: 1, rating: 4, timestamp: 100 },
      { item: 0, rating: 3, timestamp: 50 },
    ]);
    expect(ds.users.every((u) => u.profileText === NEUTRAL_PROFILE_TEXT)).toBe(true);
  });

  it("accepts header names in any case, padded, or after a BOM", () => {
    const ds = csv("\uFEFFUser , ITEM\n1,2\n");
    expect(ds.users.map((u) => u.sourceId)).toEqual(["1"]);
  });

  it("defaults rating to 1 and timestamp to the data row number; columns may come in any order", () => {
    const ds = csv("item,user\n20,3\n10,3\n10,12\n");
    expect(ds.users.map((u) => u.sourceId)).toEqual(["3", "12"]);
    expect(ds.itemSourceIds).toEqual(["10", "20"]);
    expect(ds.users[0]!.interactions).toEqual([
      { item: 1, rating: 1, timestamp: 0 },
      { item: 0, rating: 1, timestamp: 1 },
    ]);
    expect(ds.users[1]!.interactions).toEqual([{ item: 0, rating: 1, timestamp: 2 }]);
  });

  it("reads quoted profiles with commas, quotes and line breaks; profile-only users have no interactions", () => {
    const profiles =
      'user,profile\r\nalice,"Loves film noir, jazz and ""quiet"" dramas.\nAlso reads."\ncarol,A 40-year-old teacher.\n';
    const ds = csv(INTERACTIONS, profiles);
    expect(ds.users.map((u) => u.sourceId)).toEqual(["alice", "bob", "carol"]);
    expect(ds.users[0]!.profileText).toBe('Loves film noir, jazz and "quiet" dramas.\nAlso reads.');
    expect(ds.users[1]!.profileText).toBe(NEUTRAL_PROFILE_TEXT);
    expect(ds.users[2]!.profileText).toBe("A 40-year-old teacher.");
    expect(ds.users[2]!.interactions).toEqual([]);
  });

  it("uses item titles from the items CSV and keeps listed items without interactions", () => {
    const ds = csv(INTERACTIONS, undefined, 'item,title\nm3,"Solaris, 1972"\nm1,Alien\nm2,Heat\n');
    expect(ds.itemSourceIds).toEqual(["m1", "m2", "m3"]);
    expect(ds.itemTitles).toEqual(["Alien", "Heat", "Solaris, 1972"]);
    expect(ds.numItems).toBe(3);
    expect(ds.users[0]!.interactions).toEqual([{ item: 0, rating: 5, timestamp: 200 }]);
  });

  it.each([
    ["a missing column", () => csv("user,rating\n1,5\n"), 'i.csv line 1: missing column "item"'],
    [
      "an unknown column",
      () => csv("user,item,score\n1,2,5\n"),
      'i.csv line 1: unknown column "score" (expected user, item, rating, timestamp)',
    ],
    ["a repeated column", () => csv("user,item,user\n1,2,3\n"), 'i.csv line 1: column "user" appears twice'],
    ["an empty file", () => csv(""), "i.csv line 1: file is empty (no header)"],
    ["a header without rows", () => csv("user,item\r\n"), "i.csv line 2: no data rows after the header"],
    ["a wrong field count", () => csv("user,item\n1,2\n1,2,3\n"), "i.csv line 3: expected 2 fields, found 3"],
    ["a non-numeric rating", () => csv("user,item,rating\n1,2,5\n1,3,x\n"), 'i.csv line 3: rating "x" is not a number'],
    ["an empty rating", () => csv("user,item,rating\n1,2,\n"), 'i.csv line 2: rating "" is not a number'],
    ["a bad timestamp", () => csv("user,item,timestamp\n1,2,-4\n"), 'i.csv line 2: timestamp "-4" is not a non-negative integer'],
    ["an empty user id", () => csv("user,item\n ,2\n"), "i.csv line 2: user is empty"],
    [
      "an unlisted item",
      () => csv("user,item\n1,2\n1,9\n", undefined, "item,title\n2,Two\n"),
      'i.csv line 3: item "9" is not listed in t.csv',
    ],
    [
      "a duplicate profile",
      () => csv(INTERACTIONS, 'user,profile\nbob,a\n"bob",b\n'),
      'p.csv line 3: duplicate user "bob" (first on line 2)',
    ],
    [
      "a duplicate item",
      () => csv(INTERACTIONS, undefined, "item,title\nm1,A\nm2,B\nm1,C\n"),
      't.csv line 4: duplicate item "m1" (first on line 2)',
    ],
    [
      "an unclosed quote",
      () => csv(INTERACTIONS, 'user,profile\nbob,"never closed\n'),
      "p.csv line 2: quoted field is not closed",
    ],
    ["an empty profile file", () => csv(INTERACTIONS, ""), "p.csv line 1: file is empty (no header)"],
  ])("rejects %s", (_label, run, message) => {
    expect(errorOf(run).message).toBe(message);
  });
});

describe("sortSourceIds", () => {
  it("sorts plain integers numerically and anything else as strings", () => {
    expect(sortSourceIds(["10", "9", "100", "0"])).toEqual(["0", "9", "10", "100"]);
    expect(sortSourceIds(["10", "9", "a"])).toEqual(["10", "9", "a"]);
    expect(sortSourceIds(["007", "10"])).toEqual(["007", "10"]);
  });
});

describe("loadCsvDataset", () => {
  it("decodes UTF-8 (with BOM) and reads the optional files", async () => {
    const source = createMemoryFileSource({
      "ratings.csv": Uint8Array.of(0xef, 0xbb, 0xbf, ...encodeUtf8("user,item\nzoë,1\n")),
      "profiles.csv": "user,profile\nzoë,Aime le cinéma.\n",
      "items.csv": "item,title\n1,Amélie\n",
    });
    const ds = await loadCsvDataset(source, {
      interactions: "ratings.csv",
      profiles: "profiles.csv",
      items: "items.csv",
    });
    expect(ds.users.map((u) => [u.sourceId, u.profileText])).toEqual([["zoë", "Aime le cinéma."]]);
    expect(ds.itemTitles).toEqual(["Amélie"]);
  });

  it("rejects invalid UTF-8 with file and line", async () => {
    const bytes = Uint8Array.from("user,item\n1,Am\u00e9lie\n", (c) => c.charCodeAt(0));
    const source = createMemoryFileSource({ "ratings.csv": bytes });
    await expect(loadCsvDataset(source, { interactions: "ratings.csv" })).rejects.toThrow(
      "ratings.csv line 2: invalid UTF-8 byte 0xE9",
    );
  });
});
