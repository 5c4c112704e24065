/**
 * The built-in synthetic dataset (the embedded default), generated deterministically from a seed.
 * Items belong to 1–2 genres and have a Zipf-like popularity; each user has 1–2 favourite genres
 * and a demographic, and a profile text that names those genres in varied natural wording. A user's
 * interactions come mostly from the favourite genres (share `tasteShare`), the rest is
 * popularity-driven noise over the whole catalogue, so a text-based user graph carries real signal
 * and a pure popularity ranking leaves room for personalisation.
 */
import type { Dataset, Interaction, UserRecord } from "./dataset.ts";
import { createRng, shuffleInPlace, type Rng } from "../random/rng.ts";
import { capitalizeFirst, joinWithAnd, withArticle } from "./profile-wording.ts";

export interface SyntheticOptions {
  readonly numUsers?: number;
  readonly numItems?: number;
  readonly seed?: number;
  /** How many of SYNTHETIC_GENRES are used (1–10, default 8). */
  readonly numGenres?: number;
  /** Probability that an interaction is drawn from the user's favourite genres (default 0.8). */
  readonly tasteShare?: number;
  /**
   * Each user interacts with a uniform share in [minShare, maxShare] of the catalogue (default 0.1–0.4),
   * at least one item (only `emptyUserFraction` makes users without interactions).
   */
  readonly minShare?: number;
  readonly maxShare?: number;
  /** Fraction of users given no interactions at all (default 0). */
  readonly emptyUserFraction?: number;
  /** Zipf exponent of item popularity: weight of the r-th most popular item ∝ 1/r^s (default 0.8). */
  readonly popularitySkew?: number;
}

export interface SyntheticGenre {
  /** Used in item titles: "Science Fiction #3". */
  readonly title: string;
  /** The genre as a noun: "Favourite genres: science fiction and horror." */
  readonly label: string;
  /** Before "films": "loves science fiction and animated films". */
  readonly adjective: string;
  /** "mostly watches documentaries and westerns". */
  readonly plural: string;
}

export const SYNTHETIC_GENRES: readonly SyntheticGenre[] = [
  { title: "Science Fiction", label: "science fiction", adjective: "science fiction", plural: "science fiction films" },
  { title: "Romance", label: "romance", adjective: "romantic", plural: "romances" },
  { title: "Horror", label: "horror", adjective: "horror", plural: "horror movies" },
  { title: "Documentary", label: "documentary", adjective: "documentary", plural: "documentaries" },
  { title: "Animation", label: "animation", adjective: "animated", plural: "animated films" },
  { title: "Western", label: "western", adjective: "western", plural: "westerns" },
  { title: "Comedy", label: "comedy", adjective: "comedy", plural: "comedies" },
  { title: "Thriller", label: "thriller", adjective: "thriller", plural: "thrillers" },
  { title: "Musical", label: "musical", adjective: "musical", plural: "musicals" },
  { title: "War", label: "war", adjective: "war", plural: "war films" },
];

/** The hidden structure behind a generated dataset (for tests and analyses, not for training). */
export interface SyntheticTruth {
  readonly genres: readonly SyntheticGenre[];
  /** Per item: its genre indices, primary first. */
  readonly itemGenres: readonly (readonly number[])[];
  /** Per item: popularity weight (they sum to 1). */
  readonly itemPopularity: readonly number[];
  /** Per user: favourite genre indices. */
  readonly userGenres: readonly (readonly number[])[];
}

export interface SyntheticWorld {
  readonly dataset: Dataset;
  readonly truth: SyntheticTruth;
}

type Settings = Required<SyntheticOptions>;

const DEFAULTS: Settings = {
  numUsers: 100,
  numItems: 50,
  seed: 42,
  numGenres: 8,
  tasteShare: 0.8,
  minShare: 0.1,
  maxShare: 0.4,
  emptyUserFraction: 0,
  popularitySkew: 0.8,
};

const SECOND_GENRE_PROBABILITY = 0.25;
const TWO_FAVOURITES_PROBABILITY = 0.6;
const FIRST_TIMESTAMP = 1_600_000_000;
const DAY = 86_400;

function requireInRange(name: string, value: number, min: number, max: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RangeError(
      `synthetic dataset: ${name} must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${value}`,
    );
  }
}

function resolveSettings(options: SyntheticOptions): Settings {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const s: Settings = { ...DEFAULTS, ...given };
  requireInRange("numUsers", s.numUsers, 1, 1e7, true);
  requireInRange("numItems", s.numItems, 1, 1e7, true);
  requireInRange("seed", s.seed, -(2 ** 31), 2 ** 32 - 1, true);
  requireInRange("numGenres", s.numGenres, 1, SYNTHETIC_GENRES.length, true);
  requireInRange("tasteShare", s.tasteShare, 0, 1, false);
  requireInRange("minShare", s.minShare, 0, 1, false);
  requireInRange("maxShare", s.maxShare, s.minShare, 1, false);
  requireInRange("emptyUserFraction", s.emptyUserFraction, 0, 1, false);
  requireInRange("popularitySkew", s.popularitySkew, 0, 10, false);
  return s;
}

/** Distinct genre index different from `other`, uniform among the remaining ones. */
function otherGenre(rng: Rng, numGenres: number, other: number): number {
  return (other + 1 + rng.int(numGenres - 1)) % numGenres;
}

/** Primary genres round-robin (every genre gets items), then shuffled; some items get a second genre. */
function makeItemGenres(rng: Rng, numItems: number, numGenres: number): number[][] {
  const primaries = Array.from({ length: numItems }, (_, i) => i % numGenres);
  shuffleInPlace(primaries, rng);
  return primaries.map((primary) =>
    numGenres > 1 && rng.next() < SECOND_GENRE_PROBABILITY ? [primary, otherGenre(rng, numGenres, primary)] : [primary],
  );
}

/** Zipf weights over a random popularity order, normalised to sum 1. */
function makePopularity(rng: Rng, numItems: number, skew: number): number[] {
  const rankOf = Array.from({ length: numItems }, (_, i) => i);
  shuffleInPlace(rankOf, rng);
  const raw = rankOf.map((rank) => 1 / (rank + 1) ** skew);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

function makeItemTitles(itemGenres: readonly (readonly number[])[]): string[] {
  const counters = new Map<number, number>();
  return itemGenres.map((genres) => {
    const primary = genres[0]!;
    const n = (counters.get(primary) ?? 0) + 1;
    counters.set(primary, n);
    return `${SYNTHETIC_GENRES[primary]!.title} #${n}`;
  });
}

/** Picks up to `count` distinct candidates, each draw proportional to weight (Efraimidis–Spirakis keys). */
export function weightedSampleWithoutReplacement(
  rng: Rng,
  candidates: readonly number[],
  weights: readonly number[],
  count: number,
): number[] {
  const keyed = candidates.map((c) => {
    let u = rng.next();
    while (u === 0) u = rng.next();
    return { c, key: -Math.log(u) / weights[c]! };
  });
  keyed.sort((a, b) => a.key - b.key || a.c - b.c);
  return keyed.slice(0, count).map((k) => k.c);
}

interface Demographic {
  readonly occupation: string;
  readonly minAge: number;
  readonly maxAge: number;
}

const WORKING_OCCUPATIONS =
  "nurse teacher engineer accountant artist farmer lawyer programmer chef librarian electrician architect journalist pharmacist mechanic designer scientist salesperson";

const DEMOGRAPHICS: readonly Demographic[] = [
  ...WORKING_OCCUPATIONS.split(" ").map((occupation) => ({ occupation, minAge: 23, maxAge: 66 })),
  { occupation: "student", minAge: 18, maxAge: 27 },
  { occupation: "retiree", minAge: 63, maxAge: 84 },
];

function pickFavourites(rng: Rng, numGenres: number): number[] {
  const first = rng.int(numGenres);
  return numGenres > 1 && rng.next() < TWO_FAVOURITES_PROBABILITY ? [first, otherGenre(rng, numGenres, first)] : [first];
}

/** The pieces a profile template combines, e.g. "A 31-year-old", "nurse", "romances and westerns". */
interface ProfileWords {
  readonly aged: string;
  readonly age: number;
  readonly occupation: string;
  readonly anOccupation: string;
  readonly adjectives: string;
  readonly plurals: string;
  readonly labels: string;
}

/** Varied natural wording; every template names all favourite genres. */
const PROFILE_TEMPLATES: readonly ((w: ProfileWords) => string)[] = [
  (w) => `${w.aged} ${w.occupation} who loves ${w.adjectives} films.`,
  (w) => `${w.anOccupation}, ${w.age}, who mostly watches ${w.plurals}.`,
  (w) => `I'm ${w.aged.toLowerCase()} ${w.occupation} and my favourite films are ${w.plurals}.`,
  (w) => `${w.anOccupation} in their ${Math.floor(w.age / 10) * 10}s; big fan of ${w.plurals}.`,
  (w) => `${w.aged} ${w.occupation}. Favourite genres: ${w.labels}.`,
  (w) => `${w.anOccupation} aged ${w.age} who can never get enough of ${w.plurals}.`,
];

function makeProfileText(rng: Rng, favourites: readonly number[]): string {
  const demographic = DEMOGRAPHICS[rng.int(DEMOGRAPHICS.length)]!;
  const age = demographic.minAge + rng.int(demographic.maxAge - demographic.minAge + 1);
  const template = PROFILE_TEMPLATES[rng.int(PROFILE_TEMPLATES.length)]!;
  const genres = favourites.map((g) => SYNTHETIC_GENRES[g]!);
  return template({
    aged: capitalizeFirst(withArticle(`${age}-year-old`)),
    age,
    occupation: demographic.occupation,
    anOccupation: capitalizeFirst(withArticle(demographic.occupation)),
    adjectives: joinWithAnd(genres.map((g) => g.adjective)),
    plurals: joinWithAnd(genres.map((g) => g.plural)),
    labels: joinWithAnd(genres.map((g) => g.label)),
  });
}

interface Catalogue {
  readonly itemGenres: readonly (readonly number[])[];
  readonly popularity: readonly number[];
}

/** Favourite-genre draws plus popularity noise, in random time order with increasing timestamps. */
function makeInteractions(rng: Rng, s: Settings, catalogue: Catalogue, favourites: readonly number[]): Interaction[] {
  const share = s.minShare + rng.next() * (s.maxShare - s.minShare);
  const count = Math.min(s.numItems, Math.max(1, Math.round(share * s.numItems)));
  const liked = catalogue.itemGenres.flatMap((genres, item) => (genres.some((g) => favourites.includes(g)) ? [item] : []));
  let tasteDraws = 0;
  for (let k = 0; k < count; k++) if (rng.next() < s.tasteShare) tasteDraws++;
  const chosen = weightedSampleWithoutReplacement(rng, liked, catalogue.popularity, Math.min(tasteDraws, liked.length));
  const taken = new Set(chosen);
  const rest = catalogue.popularity.flatMap((_, item) => (taken.has(item) ? [] : [item]));
  chosen.push(...weightedSampleWithoutReplacement(rng, rest, catalogue.popularity, count - chosen.length));
  shuffleInPlace(chosen, rng);
  let timestamp = FIRST_TIMESTAMP + rng.int(180 * DAY);
  return chosen.map((item) => {
    timestamp += 1 + rng.int(3 * DAY);
    return { item, rating: 3 + rng.int(3), timestamp };
  });
}

function pickEmptyUsers(rng: Rng, s: Settings): Set<number> {
  const order = Array.from({ length: s.numUsers }, (_, u) => u);
  shuffleInPlace(order, rng);
  return new Set(order.slice(0, Math.round(s.emptyUserFraction * s.numUsers)));
}

/** The dataset together with the hidden genres and popularity that generated it. */
export function generateSyntheticWorld(options: SyntheticOptions = {}): SyntheticWorld {
  const s = resolveSettings(options);
  const root = createRng(s.seed);
  const numGenres = Math.min(s.numGenres, s.numItems);
  const itemGenres = makeItemGenres(root.fork(1), s.numItems, numGenres);
  const catalogue: Catalogue = { itemGenres, popularity: makePopularity(root.fork(2), s.numItems, s.popularitySkew) };
  const emptyUsers = pickEmptyUsers(root.fork(3), s);
  const usersRng = root.fork(4);
  const userGenres: number[][] = [];
  const users: UserRecord[] = [];
  for (let u = 0; u < s.numUsers; u++) {
    const rng = usersRng.fork(u);
    const favourites = pickFavourites(rng, numGenres);
    const profileText = makeProfileText(rng, favourites);
    const interactions = emptyUsers.has(u) ? [] : makeInteractions(rng, s, catalogue, favourites);
    userGenres.push(favourites);
    users.push({ sourceId: String(u + 1), profileText, interactions });
  }
  const dataset: Dataset = {
    name: `synthetic(seed=${s.seed},users=${s.numUsers},items=${s.numItems})`,
    users,
    numItems: s.numItems,
    itemTitles: makeItemTitles(itemGenres),
    itemSourceIds: itemGenres.map((_, i) => String(i + 1)),
  };
  return {
    dataset,
    truth: {
      genres: SYNTHETIC_GENRES.slice(0, numGenres),
      itemGenres,
      itemPopularity: catalogue.popularity,
      userGenres,
    },
  };
}

/** The synthetic dataset; same options (including seed) → identical dataset. */
export function generateSyntheticDataset(options: SyntheticOptions = {}): Dataset {
  return generateSyntheticWorld(options).dataset;
}
