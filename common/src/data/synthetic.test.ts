import { describe, it, expect } from "vitest";
import type { Dataset } from "./dataset.ts";
import {
  generateSyntheticDataset,
  generateSyntheticWorld,
  weightedSampleWithoutReplacement,
  type SyntheticTruth,
} from "./synthetic.ts";
import { createRng } from "../random/rng.ts";

/** Training items (all but the latest) and the held-out latest item of each user with ≥ 3 interactions. */
function leaveLastOut(ds: Dataset): { user: number; train: Set<number>; test: number }[] {
  return ds.users.flatMap((u, user) => {
    if (u.interactions.length < 3) return [];
    const byTime = [...u.interactions].sort((a, b) => a.timestamp - b.timestamp).map((x) => x.item);
    return [{ user, train: new Set(byTime.slice(0, -1)), test: byTime[byTime.length - 1]! }];
  });
}

/** HR@10 ranking the held-out item among all items the user has not interacted with; ties count against it. */
function hitRateAt10(ds: Dataset, score: (user: number, item: number) => number): number {
  const cases = leaveLastOut(ds);
  let hits = 0;
  for (const { user, train, test } of cases) {
    const positive = score(user, test);
    let rank = 1;
    for (let item = 0; item < ds.numItems; item++) {
      if (item !== test && !train.has(item) && score(user, item) >= positive) rank++;
    }
    if (rank <= 10) hits++;
  }
  return hits / cases.length;
}

function baselines(ds: Dataset, truth: SyntheticTruth): { popularity: number; taste: number } {
  const counts = new Array<number>(ds.numItems).fill(0);
  for (const { train } of leaveLastOut(ds)) for (const item of train) counts[item]!++;
  const likes = (user: number, item: number) => truth.itemGenres[item]!.some((g) => truth.userGenres[user]!.includes(g));
  return {
    popularity: hitRateAt10(ds, (_user, item) => counts[item]!),
    taste: hitRateAt10(ds, (user, item) => (likes(user, item) ? 1e6 : 0) + counts[item]!),
  };
}

function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

describe("generateSyntheticDataset", () => {
  it("is deterministic: same seed → identical dataset, other seed → different", () => {
    expect(generateSyntheticDataset({ seed: 7 })).toEqual(generateSyntheticDataset({ seed: 7 }));
    expect(generateSyntheticDataset({ seed: 8 }).users).not.toEqual(generateSyntheticDataset({ seed: 7 }).users);
  });

  it('has the requested size, titles like "Romance #7" and 10–40 % of the catalogue per user', () => {
    const ds = generateSyntheticDataset({ numUsers: 30, numItems: 80, seed: 3 });
    expect(ds.users).toHaveLength(30);
    expect(ds.numItems).toBe(80);
    expect(ds.itemTitles).toHaveLength(80);
    expect(ds.itemSourceIds).toEqual(Array.from({ length: 80 }, (_, i) => String(i + 1)));
    for (const title of ds.itemTitles) expect(title).toMatch(/^[A-Z][A-Za-z ]+ #\d+$/);
    expect(new Set(ds.itemTitles).size).toBe(80);
    for (const user of ds.users) {
      const items = user.interactions.map((x) => x.item);
      expect(new Set(items).size).toBe(items.length);
      expect(items.length).toBeGreaterThanOrEqual(8);
      expect(items.length).toBeLessThanOrEqual(32);
      for (const item of items) expect(item >= 0 && item < 80).toBe(true);
      for (let k = 1; k < user.interactions.length; k++) {
        expect(user.interactions[k]!.timestamp).toBeGreaterThan(user.interactions[k - 1]!.timestamp);
      }
    }
  });

  it("keeps existing users when more users are generated, and treats undefined options as defaults", () => {
    const small = generateSyntheticDataset({ numUsers: 10, seed: 3 });
    const large = generateSyntheticDataset({ numUsers: 25, seed: 3, numItems: undefined });
    expect(large.users.slice(0, 10)).toEqual(small.users);
    expect(large.itemTitles).toEqual(small.itemTitles);
  });

  it("uses the documented defaults (100 users, 50 items, nobody without interactions)", () => {
    const ds = generateSyntheticDataset();
    expect(ds.users).toHaveLength(100);
    expect(ds.numItems).toBe(50);
    expect(ds.users.every((u) => u.interactions.length > 0)).toBe(true);
  });

  it("gives the requested fraction of users no interactions", () => {
    const ds = generateSyntheticDataset({ numUsers: 50, emptyUserFraction: 0.2, seed: 5 });
    expect(ds.users.filter((u) => u.interactions.length === 0)).toHaveLength(10);
    expect(ds.users.every((u) => u.profileText.length > 0)).toBe(true);
  });

  it("works with fewer items than genres", () => {
    const { dataset, truth } = generateSyntheticWorld({ numItems: 3, numUsers: 4, seed: 1 });
    expect(truth.genres).toHaveLength(3);
    expect(dataset.users.every((u) => u.interactions.length >= 1)).toBe(true);
  });

  it("rejects invalid options", () => {
    expect(() => generateSyntheticDataset({ numUsers: 0 })).toThrow(RangeError);
    expect(() => generateSyntheticDataset({ numItems: 2.5 })).toThrow(RangeError);
    expect(() => generateSyntheticDataset({ minShare: 0.5, maxShare: 0.2 })).toThrow(RangeError);
    expect(() => generateSyntheticDataset({ numGenres: 11 })).toThrow(RangeError);
  });
});

describe("synthetic profile texts", () => {
  it("name exactly the user's favourite genres, in varied wording", () => {
    const { dataset, truth } = generateSyntheticWorld({ numUsers: 200, seed: 11 });
    const mentioned = (text: string) =>
      truth.genres.flatMap((genre, g) => {
        const words = [genre.label, genre.adjective, genre.plural].map((w) => w.replace(/ /g, "\\s"));
        return new RegExp(`\\b(${words.join("|")})\\b`, "i").test(text) ? [g] : [];
      });
    dataset.users.forEach((user, u) => {
      expect(mentioned(user.profileText).sort()).toEqual([...truth.userGenres[u]!].sort());
    });
    const wordings = [
      / who loves /,
      / who mostly watches /,
      /^I'm /,
      /; big fan of /,
      /Favourite genres: /,
      / can never get enough of /,
    ];
    const used = wordings.filter((pattern) => dataset.users.some((u) => pattern.test(u.profileText)));
    expect(used).toHaveLength(wordings.length);
  });

  it("reads naturally", () => {
    const texts = generateSyntheticDataset({ numUsers: 300, seed: 2 }).users.map((u) => u.profileText);
    for (const text of texts) {
      expect(text).toMatch(/^[A-Z].*\.$/);
      expect(text).not.toMatch(/\ba (?:[aeiou]|8|1[18]-)|\ban [^aeiou8\d]|undefined|\s\s/i);
    }
    expect(texts.some((t) => /\ban 18-year-old\b/i.test(t))).toBe(true);
  });
});

describe("synthetic taste signal", () => {
  it("users sharing a favourite genre overlap in items much more than users that don't", () => {
    const { dataset, truth } = generateSyntheticWorld({ numUsers: 150, seed: 4 });
    const sets = dataset.users.map((u) => new Set(u.interactions.map((x) => x.item)));
    const sharing: number[] = [];
    const disjoint: number[] = [];
    for (let a = 0; a < sets.length; a++) {
      for (let b = a + 1; b < sets.length; b++) {
        const shares = truth.userGenres[a]!.some((g) => truth.userGenres[b]!.includes(g));
        (shares ? sharing : disjoint).push(jaccard(sets[a]!, sets[b]!));
      }
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(sharing)).toBeGreaterThan(1.8 * mean(disjoint));
  });

  it("leaves room for personalisation: popularity is far from perfect, taste clearly beats it", () => {
    for (const options of [{ seed: 42 }, { seed: 9, numUsers: 400, numItems: 200 }]) {
      const { dataset, truth } = generateSyntheticWorld(options);
      const { popularity, taste } = baselines(dataset, truth);
      expect(popularity).toBeLessThan(0.6);
      expect(taste).toBeGreaterThan(popularity + 0.25);
    }
  });
});

describe("weightedSampleWithoutReplacement", () => {
  it("returns distinct candidates, at most the number available, favouring heavy weights", () => {
    const rng = createRng(1);
    const weights = [100, 1, 1, 1, 1];
    expect(weightedSampleWithoutReplacement(rng, [1, 2], weights, 5).sort()).toEqual([1, 2]);
    let heavyFirst = 0;
    for (let t = 0; t < 200; t++) {
      const pick = weightedSampleWithoutReplacement(rng, [0, 1, 2, 3, 4], weights, 3);
      expect(new Set(pick).size).toBe(3);
      if (pick[0] === 0) heavyFirst++;
    }
    expect(heavyFirst).toBeGreaterThan(180);
  });
});
