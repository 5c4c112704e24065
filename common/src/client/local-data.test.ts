import { describe, expect, it } from "vitest";
import { createClientModel } from "../model/client-model.ts";
import { createRng } from "../random/rng.ts";
import { LocalDataError, parsePersona, parseRatingsCsv } from "./persona.ts";
import { recommendTopK } from "./recommend.ts";
import { itemLogits } from "../model/forward.ts";

describe("persona files and rating CSVs", () => {
  it("parse valid files and name the problem in bad ones", () => {
    const persona = parsePersona(
      '{"label":"user 3","profileText":"A 30-year-old.","interactions":[{"item":2,"rating":5,"timestamp":9}]}',
      5,
    );
    expect(persona).toEqual({
      label: "user 3",
      profileText: "A 30-year-old.",
      interactions: [{ item: 2, rating: 5, timestamp: 9 }],
    });
    expect(() => parsePersona("{", 5)).toThrow(LocalDataError);
    expect(() => parsePersona('{"profileText":"x","interactions":[{"item":5}]}', 5)).toThrow(
      /^persona file: interactions\[0\]\.item: expected an item index in \[0, 5\), got 5$/,
    );
    expect(() => parsePersona('{"profileText":"x","interactions":[{"item":1,"rating":"5"}]}', 5)).toThrow(
      /^persona file: interactions\[0\]\.rating: expected a finite number, got "5"$/,
    );
    expect(() => parsePersona('{"interactions":[]}', 5)).toThrow(/^persona file: profileText: missing$/);
    expect(() => parsePersona('{"profileText":"x","interactions":[],"ratings":[]}', 5)).toThrow(
      /^persona file: unexpected field\(s\) ratings$/,
    );
    expect(parsePersona('{"profileText":"x","interactions":[{"item":4}]}', 5)).toEqual({
      label: "persona",
      profileText: "x",
      interactions: [{ item: 4, rating: 1, timestamp: 0 }],
    });
    expect(parseRatingsCsv("item,rating\n50,4\n7,3,100\n", ["7", "50"])).toEqual([
      { item: 1, rating: 4, timestamp: 1 },
      { item: 0, rating: 3, timestamp: 100 },
    ]);
    expect(() => parseRatingsCsv("99,4", ["7"])).toThrow(/line 1: unknown item id "99"/);
    expect(() => parseRatingsCsv("7,4\n7,good", ["7"])).toThrow(/line 2: rating "good" is not a number/);
  });
});

describe("recommendTopK", () => {
  it("returns the highest-scoring items the user has not rated, best first", () => {
    const dims = {
      profileDim: 3,
      jointDim: 2,
      userHiddenDim: 2,
      userOutDim: 2,
      itemDim: 2,
      scoreHidden: [3],
      scorer: "mlp" as const,
      numItems: 8,
    };
    const model = createClientModel(dims, createRng(4), 1);
    const profile = Float32Array.of(0.2, -0.4, 1);
    const scores = Array.from(
      itemLogits(
        model,
        profile,
        Int32Array.from({ length: 8 }, (_, i) => i),
      ),
    );
    const exclude = new Set([scores.indexOf(Math.max(...scores))]); // the best item is already rated
    const expected = scores
      .map((score, item) => ({ item, score }))
      .filter((x) => !exclude.has(x.item))
      .sort((a, b) => b.score - a.score)
      .slice(0, 3)
      .map((x) => x.item);
    expect(recommendTopK(model, profile, exclude, 3).map((r) => r.item)).toEqual(expected);
  });
});
