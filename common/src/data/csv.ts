/**
 * A small RFC 4180 CSV reader: comma-separated fields, records ended by LF or CRLF, fields in
 * double quotes may contain commas, line breaks and doubled quotes (""). Each record remembers the
 * line it starts on; empty lines at the end are ignored, malformed quoting is a DatasetParseError.
 */
import { fail } from "./delimited-lines.ts";

export interface CsvRecord {
  /** 1-based line the record starts on. */
  readonly line: number;
  readonly fields: readonly string[];
}

interface FieldRead {
  readonly value: string;
  /** Index just past the field. */
  readonly next: number;
  /** Line number at `next` (quoted fields may span lines). */
  readonly line: number;
}

function readQuotedField(text: string, start: number, line: number, file: string): FieldRead {
  let value = "";
  let i = start + 1;
  let currentLine = line;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) fail({ file, line }, "quoted field is not closed");
    const chunk = text.slice(i, close);
    value += chunk;
    currentLine += chunk.split("\n").length - 1;
    if (text[close + 1] !== '"') {
      i = close + 1;
      break;
    }
    value += '"';
    i = close + 2;
  }
  if (i < text.length && !atSeparator(text, i)) fail({ file, line: currentLine }, "unexpected character after a closing quote");
  return { value, next: i, line: currentLine };
}

function atSeparator(text: string, i: number): boolean {
  const char = text[i];
  return char === "," || char === "\n" || (char === "\r" && text[i + 1] === "\n");
}

function readPlainField(text: string, start: number, line: number, file: string): FieldRead {
  let i = start;
  while (i < text.length && !atSeparator(text, i)) {
    if (text[i] === '"')
      fail({ file, line }, 'a quote (") inside an unquoted field; quote the whole field and double inner quotes');
    i++;
  }
  return { value: text.slice(start, i), next: i, line };
}

function readField(text: string, start: number, line: number, file: string): FieldRead {
  return text[start] === '"' ? readQuotedField(text, start, line, file) : readPlainField(text, start, line, file);
}

/** Reads one record starting at `start`; returns it and the index just past its line end. */
function readRecord(text: string, start: number, line: number, file: string): { record: CsvRecord; next: number; line: number } {
  const fields: string[] = [];
  let i = start;
  let currentLine = line;
  for (;;) {
    const field = readField(text, i, currentLine, file);
    fields.push(field.value);
    i = field.next;
    currentLine = field.line;
    if (i >= text.length) break;
    if (text[i] === ",") {
      i++;
      continue;
    }
    i += text[i] === "\r" ? 2 : 1;
    currentLine++;
    break;
  }
  return { record: { line, fields }, next: i, line: currentLine };
}

function isBlank(record: CsvRecord): boolean {
  return record.fields.length === 1 && record.fields[0]!.trim() === "";
}

/** All records of a CSV text (header included). An empty line before the last record is an error. */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const read = readRecord(text, i, line, file);
    records.push(read.record);
    i = read.next;
    line = read.line;
  }
  while (records.length > 0 && isBlank(records[records.length - 1]!)) records.pop();
  const blank = records.find(isBlank);
  if (blank) fail({ file, line: blank.line }, "empty line");
  return records;
}
