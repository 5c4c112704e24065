/**
 * MovieLens 1M (GroupLens) loader: ratings.dat (UserID::MovieID::Rating::Timestamp), users.dat
 * (UserID::Gender::Age::Occupation::Zip-code, with ML-1M's age and occupation codes) and
 * movies.dat (MovieID::Title::Genres), all ISO-8859-1. Profile text, e.g. "A male user aged 25-34
 * who works as a programmer, living in ZIP code 55117."
 */
import type { Dataset } from "./dataset.ts";
import type { FileSource } from "./file-source.ts";
import {
  dataLines,
  fail,
  parseId,
  parseNonNegativeInteger,
  requireText,
  splitFields,
  type SourceLine,
} from "./delimited-lines.ts";
import {
  assembleMovieLens,
  parseRatingLine,
  type MovieLensFileNames,
  type ParsedItem,
  type ParsedUser,
} from "./movielens-shared.ts";
import { decodeLatin1 } from "./text-decoding.ts";

export const ML1M_FILES: MovieLensFileNames = { ratings: "ratings.dat", users: "users.dat", items: "movies.dat" };

const SEPARATOR = "::";

/** ML-1M age codes → the age range they stand for, as used in the profile text. */
export const ML1M_AGE_RANGES: ReadonlyMap<number, string> = new Map([
  [1, "under 18"],
  [18, "18-24"],
  [25, "25-34"],
  [35, "35-44"],
  [45, "45-49"],
  [50, "50-55"],
  [56, "56 or older"],
]);

/** ML-1M occupation codes 0–20 → the phrase that follows "A male user aged 25-34 …". */
export const ML1M_OCCUPATION_PHRASES: readonly string[] = [
  "whose occupation is other or not specified",
  "who works as an academic or educator",
  "who works as an artist",
  "who does clerical or administrative work",
  "who is a college or graduate student",
  "who works in customer service",
  "who works as a doctor or in health care",
  "who works as an executive or manager",
  "who works as a farmer",
  "who is a homemaker",
  "who is a K-12 student",
  "who works as a lawyer",
  "who works as a programmer",
  "who is retired",
  "who works in sales or marketing",
  "who works as a scientist",
  "who is self-employed",
  "who works as a technician or engineer",
  "who works as a tradesman or craftsman",
  "who is unemployed",
  "who works as a writer",
];

export interface Ml1mUser {
  readonly gender: "M" | "F";
  /** One of the keys of ML1M_AGE_RANGES. */
  readonly ageCode: number;
  /** 0–20, an index into ML1M_OCCUPATION_PHRASES. */
  readonly occupationCode: number;
  readonly zip: string;
}

/** "A male user aged 25-34 who works as a programmer, living in ZIP code 55117." */
export function ml1mProfileText(user: Ml1mUser): string {
  const gender = user.gender === "M" ? "male" : "female";
  const age = ML1M_AGE_RANGES.get(user.ageCode);
  const occupation = ML1M_OCCUPATION_PHRASES[user.occupationCode];
  if (age === undefined) throw new RangeError(`unknown ML-1M age code ${user.ageCode}`);
  if (occupation === undefined) throw new RangeError(`unknown ML-1M occupation code ${user.occupationCode}`);
  return `A ${gender} user aged ${age} ${occupation}, living in ZIP code ${user.zip}.`;
}

function parseUserLine(at: SourceLine): ParsedUser {
  const [id, gender, age, occupation, zip] = splitFields(at, SEPARATOR, 5, SEPARATOR) as [string, string, string, string, string];
  if (gender !== "M" && gender !== "F") fail(at, `gender "${gender}" is not M or F`);
  const ageCode = parseNonNegativeInteger(at, age, "age code");
  if (!ML1M_AGE_RANGES.has(ageCode)) fail(at, `age code ${ageCode} is not one of ${[...ML1M_AGE_RANGES.keys()].join(", ")}`);
  const occupationCode = parseNonNegativeInteger(at, occupation, "occupation code");
  if (occupationCode >= ML1M_OCCUPATION_PHRASES.length) fail(at, `occupation code ${occupationCode} is outside 0–20`);
  const user: Ml1mUser = { gender, ageCode, occupationCode, zip: requireText(at, zip, "zip code") };
  return { id: parseId(at, id, "user id"), line: at.line, profileText: ml1mProfileText(user) };
}

function parseMovieLine(at: SourceLine): ParsedItem {
  const [id, title, genres] = splitFields(at, SEPARATOR, 3, SEPARATOR) as [string, string, string];
  requireText(at, genres, "genre list");
  return { id: parseId(at, id, "item id"), line: at.line, title: requireText(at, title, "title") };
}

/** Builds the dataset from the three decoded files. */
export function parseMovieLens1m(texts: { readonly ratings: string; readonly users: string; readonly items: string }): Dataset {
  const files = ML1M_FILES;
  const users = dataLines(texts.users, files.users).map(parseUserLine);
  const items = dataLines(texts.items, files.items).map(parseMovieLine);
  const ratings = dataLines(texts.ratings, files.ratings).map((at) => parseRatingLine(at, SEPARATOR, SEPARATOR));
  return assembleMovieLens("ml-1m", files, users, items, ratings);
}

/** Reads ratings.dat, users.dat and movies.dat from the root of `source`. */
export async function loadMovieLens1m(source: FileSource): Promise<Dataset> {
  const [ratings, users, items] = await Promise.all([
    source.readFile(ML1M_FILES.ratings),
    source.readFile(ML1M_FILES.users),
    source.readFile(ML1M_FILES.items),
  ]);
  return parseMovieLens1m({ ratings: decodeLatin1(ratings), users: decodeLatin1(users), items: decodeLatin1(items) });
}
