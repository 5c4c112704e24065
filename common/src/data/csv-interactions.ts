/**
 * Generic CSV datasets (UTF-8, RFC 4180 quoting):
 * - interactions (required): header with `user,item` and optionally `rating` (any number) and
 *   `timestamp` (non-negative integer, Unix seconds), in any order; header names are case-insensitive,
 *   other columns are rejected. A missing rating column means rating 1; a missing timestamp column
 *   means the 0-based data row number is the timestamp (row order = time order). Present columns must
 *   be filled in every row, and the file needs at least one data row.
 * - profiles (optional): `user,profile`, free text; users without a row (or with an empty profile) get
 *   NEUTRAL_PROFILE_TEXT; users listed only here exist with no interactions.
 * - items (optional): `item,title`; without it titles are the item ids. With it, every item in the
 *   interactions must be listed, and listed items without interactions are still in the catalogue.
 * Ids are trimmed strings; dense indices follow ascending numeric order when every id is a plain
 * non-negative integer, otherwise ascending string (code unit) order.
 */
import type { Dataset, Interaction } from "./dataset.ts";
import type { FileSource } from "./file-source.ts";
import { parseCsv, type CsvRecord } from "./csv.ts";
import { fail, requireText, type LineRef } from "./delimited-lines.ts";
import { parseRatingRow } from "./rating-row.ts";
import { decodeUtf8 } from "./text-decoding.ts";

/** The profile text of a user without a profile row. */
export const NEUTRAL_PROFILE_TEXT = "A user who has not shared a profile.";

export interface CsvDatasetFiles {
  readonly interactions: string;
  readonly profiles?: string;
  readonly items?: string;
}

/** One decoded CSV file: its name (for messages) and text. */
export interface CsvText {
  readonly file: string;
  readonly text: string;
}

interface Table {
  readonly file: string;
  readonly columns: ReadonlyMap<string, number>;
  readonly rows: readonly CsvRecord[];
}

function readHeader(
  header: CsvRecord,
  file: string,
  required: readonly string[],
  optional: readonly string[],
): Map<string, number> {
  const allowed = [...required, ...optional];
  const columns = new Map<string, number>();
  header.fields.forEach((raw, index) => {
    const name = raw
      .replace(/^\uFEFF/, "")
      .trim()
      .toLowerCase();
    if (!allowed.includes(name)) fail({ file, line: header.line }, `unknown column "${raw}" (expected ${allowed.join(", ")})`);
    if (columns.has(name)) fail({ file, line: header.line }, `column "${name}" appears twice`);
    columns.set(name, index);
  });
  for (const name of required) {
    if (!columns.has(name)) fail({ file, line: header.line }, `missing column "${name}"`);
  }
  return columns;
}

/** Parses a CSV with a header; `requireRows` makes a header-only file an error. */
function readTable(csv: CsvText, required: readonly string[], optional: readonly string[], requireRows: boolean): Table {
  const [header, ...rows] = parseCsv(csv.text, csv.file);
  if (header === undefined) fail({ file: csv.file, line: 1 }, "file is empty (no header)");
  const columns = readHeader(header, csv.file, required, optional);
  if (requireRows && rows.length === 0) fail({ file: csv.file, line: header.line + 1 }, "no data rows after the header");
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      fail({ file: csv.file, line: row.line }, `expected ${header.fields.length} fields, found ${row.fields.length}`);
    }
  }
  return { file: csv.file, columns, rows };
}

function cell(table: Table, row: CsvRecord, column: string): string | undefined {
  const index = table.columns.get(column);
  return index === undefined ? undefined : row.fields[index];
}

function requiredCell(table: Table, row: CsvRecord, column: string): string {
  return requireText({ file: table.file, line: row.line }, cell(table, row, column)!, column);
}

const PLAIN_INTEGER = /^(0|[1-9][0-9]{0,14})$/;

/** Ascending numeric order when all ids are plain integers, otherwise code-unit order. */
export function sortSourceIds(ids: Iterable<string>): string[] {
  const list = [...ids];
  if (list.every((id) => PLAIN_INTEGER.test(id))) return list.sort((a, b) => Number(a) - Number(b));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Reads an `id,value` table into a map, rejecting a repeated id at its second row. */
function readKeyedTable(table: Table, key: string, value: string): Map<string, string> {
  const values = new Map<string, string>();
  const firstLine = new Map<string, number>();
  for (const row of table.rows) {
    const id = requiredCell(table, row, key);
    const previous = firstLine.get(id);
    if (previous !== undefined)
      fail({ file: table.file, line: row.line }, `duplicate ${key} "${id}" (first on line ${previous})`);
    firstLine.set(id, row.line);
    values.set(id, cell(table, row, value)!.trim());
  }
  return values;
}

/** An interaction row before item ids are mapped to dense indices. */
interface RawInteraction {
  readonly user: string;
  readonly itemId: string;
  readonly rating: number;
  readonly timestamp: number;
  readonly at: LineRef;
}

function readInteractions(table: Table): RawInteraction[] {
  return table.rows.map((row, rowIndex) => {
    const at = { file: table.file, line: row.line };
    const parsed = parseRatingRow({
      user: cell(table, row, "user")!,
      item: cell(table, row, "item")!,
      rating: cell(table, row, "rating"),
      timestamp: cell(table, row, "timestamp"),
    });
    if ("problem" in parsed) fail(at, parsed.problem);
    return {
      user: parsed.user,
      itemId: parsed.item,
      rating: parsed.rating ?? 1,
      timestamp: parsed.timestamp ?? rowIndex,
      at,
    };
  });
}

function itemCatalogue(
  raw: readonly RawInteraction[],
  titles: Map<string, string> | undefined,
  itemsFile: string | undefined,
): string[] {
  if (titles === undefined) return sortSourceIds(new Set(raw.map((r) => r.itemId)));
  for (const r of raw) {
    if (!titles.has(r.itemId)) fail(r.at, `item "${r.itemId}" is not listed in ${itemsFile!}`);
  }
  return sortSourceIds(titles.keys());
}

/** Builds a dataset from decoded CSV texts (see the file comment for the format rules). */
export function parseCsvDataset(texts: {
  readonly interactions: CsvText;
  readonly profiles?: CsvText;
  readonly items?: CsvText;
}): Dataset {
  const raw = readInteractions(readTable(texts.interactions, ["user", "item"], ["rating", "timestamp"], true));
  const profiles = texts.profiles
    ? readKeyedTable(readTable(texts.profiles, ["user", "profile"], [], false), "user", "profile")
    : new Map<string, string>();
  const titles = texts.items ? readKeyedTable(readTable(texts.items, ["item", "title"], [], false), "item", "title") : undefined;
  const itemIds = itemCatalogue(raw, titles, texts.items?.file);
  const itemIndex = new Map(itemIds.map((id, index) => [id, index]));
  const userIds = sortSourceIds(new Set([...raw.map((r) => r.user), ...profiles.keys()]));
  const userIndex = new Map(userIds.map((id, index) => [id, index]));
  const perUser: Interaction[][] = userIds.map(() => []);
  for (const r of raw) {
    perUser[userIndex.get(r.user)!]!.push({ item: itemIndex.get(r.itemId)!, rating: r.rating, timestamp: r.timestamp });
  }
  return {
    name: `csv:${texts.interactions.file}`,
    users: userIds.map((id, index) => ({
      sourceId: id,
      profileText: profiles.get(id) || NEUTRAL_PROFILE_TEXT,
      interactions: perUser[index]!,
    })),
    numItems: itemIds.length,
    itemTitles: itemIds.map((id) => titles?.get(id) || id),
    itemSourceIds: itemIds,
  };
}

async function readCsvText(source: FileSource, file: string): Promise<CsvText> {
  return { file, text: decodeUtf8(await source.readFile(file), file) };
}

/** Reads the interactions CSV and, when named, the profile and item CSVs from `source`. */
export async function loadCsvDataset(source: FileSource, files: CsvDatasetFiles): Promise<Dataset> {
  const [interactions, profiles, items] = await Promise.all([
    readCsvText(source, files.interactions),
    files.profiles === undefined ? undefined : readCsvText(source, files.profiles),
    files.items === undefined ? undefined : readCsvText(source, files.items),
  ]);
  return parseCsvDataset({ interactions, ...(profiles && { profiles }), ...(items && { items }) });
}
