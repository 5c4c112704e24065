/**
 * MovieLens 100K (GroupLens) loader: u.data (user \t item \t rating \t timestamp), u.user
 * (id|age|gender|occupation|zip) and u.item (id|title|release date|video release date|IMDb URL|
 * 19 genre flags), all ISO-8859-1. Profile text, e.g. "A 24-year-old male technician living in ZIP
 * code 85711."
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
import { capitalizeFirst, indefiniteArticle } from "./profile-wording.ts";
import { decodeLatin1 } from "./text-decoding.ts";

export const ML100K_FILES: MovieLensFileNames = { ratings: "u.data", users: "u.user", items: "u.item" };

const GENRE_FLAG_COUNT = 19;
const MAX_AGE = 120;

export interface Ml100kUser {
  readonly age: number;
  readonly gender: "M" | "F";
  readonly occupation: string;
  readonly zip: string;
}

/**
 * Occupations in u.user that name a field rather than a person ("a 30-year-old female marketing"
 * reads badly); "retired" is an adjective and goes before the gender.
 */
const FIELD_OCCUPATIONS = new Set(["entertainment", "healthcare", "marketing"]);

function genderAndOccupation(gender: string, occupation: string): string {
  const key = occupation.toLowerCase();
  if (key === "none") return `${gender} with no listed occupation,`;
  if (key === "retired") return `retired ${gender}`;
  if (key === "other") return `${gender} whose occupation is listed as other,`;
  if (FIELD_OCCUPATIONS.has(key)) return `${gender} working in ${occupation},`;
  return `${gender} ${occupation}`;
}

/** "A 24-year-old male technician living in ZIP code 85711." (and sensible variants for none/other). */
export function ml100kProfileText(user: Ml100kUser): string {
  const gender = user.gender === "M" ? "male" : "female";
  const article = capitalizeFirst(indefiniteArticle(String(user.age)));
  return `${article} ${user.age}-year-old ${genderAndOccupation(gender, user.occupation)} living in ZIP code ${user.zip}.`;
}

function parseGender(at: SourceLine, value: string): "M" | "F" {
  if (value !== "M" && value !== "F") fail(at, `gender "${value}" is not M or F`);
  return value;
}

function parseAge(at: SourceLine, value: string): number {
  const age = parseNonNegativeInteger(at, value, "age");
  if (age < 1 || age > MAX_AGE) fail(at, `age ${age} is outside 1–${MAX_AGE}`);
  return age;
}

function parseUserFields(at: SourceLine): { id: number; user: Ml100kUser } {
  const [id, age, gender, occupation, zip] = splitFields(at, "|", 5, "|") as [string, string, string, string, string];
  const user: Ml100kUser = {
    age: parseAge(at, age),
    gender: parseGender(at, gender),
    occupation: requireText(at, occupation, "occupation"),
    zip: requireText(at, zip, "zip code"),
  };
  return { id: parseId(at, id, "user id"), user };
}

function parseUserLine(at: SourceLine): ParsedUser {
  const { id, user } = parseUserFields(at);
  return { id, line: at.line, profileText: ml100kProfileText(user) };
}

/** The users of u.user by source id (the dataset's `sourceId`), with their attributes (the attack harness's ground truth). */
export function parseMl100kUsers(usersText: string): Map<string, Ml100kUser> {
  return new Map(
    dataLines(usersText, ML100K_FILES.users).map((at) => {
      const { id, user } = parseUserFields(at);
      return [String(id), user];
    }),
  );
}

function parseItemLine(at: SourceLine): ParsedItem {
  const fields = splitFields(at, "|", 5 + GENRE_FLAG_COUNT, "|");
  fields.slice(5).forEach((flag, k) => {
    if (flag !== "0" && flag !== "1") fail(at, `genre flag ${k + 1} "${flag}" is not 0 or 1`);
  });
  return { id: parseId(at, fields[0]!, "item id"), line: at.line, title: requireText(at, fields[1]!, "title") };
}

/** Builds the dataset from the three decoded files. */
export function parseMovieLens100k(texts: { readonly ratings: string; readonly users: string; readonly items: string }): Dataset {
  const files = ML100K_FILES;
  const users = dataLines(texts.users, files.users).map(parseUserLine);
  const items = dataLines(texts.items, files.items).map(parseItemLine);
  const ratings = dataLines(texts.ratings, files.ratings).map((at) => parseRatingLine(at, "\t", "tab"));
  return assembleMovieLens("ml-100k", files, users, items, ratings);
}

/** Reads u.data, u.user and u.item from the root of `source`. */
export async function loadMovieLens100k(source: FileSource): Promise<Dataset> {
  const [ratings, users, items] = await Promise.all([
    source.readFile(ML100K_FILES.ratings),
    source.readFile(ML100K_FILES.users),
    source.readFile(ML100K_FILES.items),
  ]);
  return parseMovieLens100k({ ratings: decodeLatin1(ratings), users: decodeLatin1(users), items: decodeLatin1(items) });
}
