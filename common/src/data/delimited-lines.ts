/**
 * Line-oriented parsing shared by the MovieLens loaders: split a decoded file into numbered lines
 * (LF or CRLF, trailing newlines tolerated), split a line into an exact number of fields, and read
 * numeric fields — every failure is a DatasetParseError naming the file and line.
 */
import { DatasetParseError } from "./parse-error.ts";

/** A position in a file: its name and a 1-based line number. */
export interface LineRef {
  readonly file: string;
  readonly line: number;
}

/** One non-empty line of a file, with its 1-based number. */
export interface SourceLine extends LineRef {
  readonly text: string;
}

export function fail(at: LineRef, problem: string): never {
  throw new DatasetParseError(at.file, at.line, problem);
}

/**
 * The lines of a file. Empty lines at the end are ignored (a trailing newline is normal); an empty
 * line before the last data line and a file without any data line are errors.
 */
export function dataLines(text: string, file: string): SourceLine[] {
  const raw = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  let end = raw.length;
  while (end > 0 && raw[end - 1] === "") end--;
  if (end === 0) fail({ file, line: 1 }, "file is empty (no data lines)");
  const lines: SourceLine[] = [];
  for (let i = 0; i < end; i++) {
    const at = { file, line: i + 1, text: raw[i]! };
    if (at.text.trim() === "") fail(at, "empty line");
    lines.push(at);
  }
  return lines;
}

/** Splits a line on `separator` and requires exactly `count` fields. */
export function splitFields(at: SourceLine, separator: string, count: number, separatorName: string): string[] {
  const fields = at.text.split(separator);
  if (fields.length !== count) {
    fail(at, `expected ${count} ${separatorName}-separated fields, found ${fields.length}`);
  }
  return fields;
}

const DIGITS = /^[0-9]+$/;

/** A positive integer id such as a MovieLens user or item id. */
export function parseId(at: LineRef, value: string, what: string): number {
  const id = DIGITS.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) fail(at, `${what} "${value}" is not a positive integer`);
  return id;
}

/** A non-negative integer (e.g. a Unix timestamp or a code). */
export function parseNonNegativeInteger(at: LineRef, value: string, what: string): number {
  const n = DIGITS.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) fail(at, `${what} "${value}" is not a non-negative integer`);
  return n;
}

/** A finite decimal number such as "4" or "3.5". */
export function parseNumber(at: LineRef, value: string, what: string): number {
  const trimmed = value.trim();
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(n)) fail(at, `${what} "${value}" is not a number`);
  return n;
}

/** A MovieLens star rating: an integer from 1 to 5. */
export function parseStarRating(at: LineRef, value: string): number {
  const rating = parseNumber(at, value, "rating");
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) fail(at, `rating ${value} is not an integer from 1 to 5`);
  return rating;
}

/** A required free-text field (surrounding whitespace removed). */
export function requireText(at: LineRef, value: string, what: string): string {
  const text = value.trim();
  if (text === "") fail(at, `${what} is empty`);
  return text;
}
