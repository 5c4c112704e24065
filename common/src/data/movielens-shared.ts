/**
 * What the MovieLens 100K and 1M loaders share: the rating line (user, item, rating, timestamp)
 * and turning parsed rows with numeric source ids into a Dataset (dense indices in ascending id
 * order, duplicate and unknown ids rejected, interactions kept in source row order per user).
 */
import type { Dataset, Interaction } from "./dataset.ts";
import { fail, parseId, parseNonNegativeInteger, parseStarRating, splitFields, type SourceLine } from "./delimited-lines.ts";

export interface ParsedUser {
  readonly id: number;
  readonly line: number;
  readonly profileText: string;
}

export interface ParsedItem {
  readonly id: number;
  readonly line: number;
  readonly title: string;
}

export interface ParsedRating {
  readonly userId: number;
  readonly itemId: number;
  readonly rating: number;
  readonly timestamp: number;
  readonly line: number;
}

/** The file names of one MovieLens release, used in error messages. */
export interface MovieLensFileNames {
  readonly ratings: string;
  readonly users: string;
  readonly items: string;
}

/** Parses `user SEP item SEP rating SEP timestamp`. */
export function parseRatingLine(at: SourceLine, separator: string, separatorName: string): ParsedRating {
  const [user, item, rating, timestamp] = splitFields(at, separator, 4, separatorName) as [string, string, string, string];
  return {
    userId: parseId(at, user, "user id"),
    itemId: parseId(at, item, "item id"),
    rating: parseStarRating(at, rating),
    timestamp: parseNonNegativeInteger(at, timestamp, "timestamp"),
    line: at.line,
  };
}

interface IdRow {
  readonly id: number;
  readonly line: number;
}

/** Sorts rows by id and maps id → dense index; a repeated id is an error at its second line. */
function indexById<T extends IdRow>(
  rows: readonly T[],
  file: string,
  what: string,
): { sorted: T[]; indexOf: Map<number, number> } {
  const firstLine = new Map<number, number>();
  for (const row of rows) {
    const first = firstLine.get(row.id);
    if (first !== undefined) fail({ file, line: row.line }, `duplicate ${what} id ${row.id} (first defined on line ${first})`);
    firstLine.set(row.id, row.line);
  }
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  return { sorted, indexOf: new Map(sorted.map((row, index) => [row.id, index])) };
}

function lookUp(
  indexOf: Map<number, number>,
  id: number,
  at: { file: string; line: number },
  what: string,
  definedIn: string,
): number {
  const index = indexOf.get(id);
  if (index === undefined) fail(at, `${what} id ${id} is not defined in ${definedIn}`);
  return index;
}

export function assembleMovieLens(
  name: string,
  files: MovieLensFileNames,
  users: readonly ParsedUser[],
  items: readonly ParsedItem[],
  ratings: readonly ParsedRating[],
): Dataset {
  const userIndex = indexById(users, files.users, "user");
  const itemIndex = indexById(items, files.items, "item");
  const perUser: Interaction[][] = userIndex.sorted.map(() => []);
  for (const row of ratings) {
    const at = { file: files.ratings, line: row.line };
    const user = lookUp(userIndex.indexOf, row.userId, at, "user", files.users);
    const item = lookUp(itemIndex.indexOf, row.itemId, at, "item", files.items);
    perUser[user]!.push({ item, rating: row.rating, timestamp: row.timestamp });
  }
  return {
    name,
    users: userIndex.sorted.map((user, index) => ({
      sourceId: String(user.id),
      profileText: user.profileText,
      interactions: perUser[index]!,
    })),
    numItems: itemIndex.sorted.length,
    itemTitles: itemIndex.sorted.map((item) => item.title),
    itemSourceIds: itemIndex.sorted.map((item) => String(item.id)),
  };
}
