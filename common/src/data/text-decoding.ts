/**
 * Bytes → string for the encodings dataset files use, written by hand so `common/` needs no DOM or
 * Node types: ISO-8859-1 (MovieLens) and strict UTF-8 (CSV files; a leading BOM is stripped).
 * Invalid UTF-8 is a DatasetParseError naming the line, never silently replaced.
 */
import { DatasetParseError } from "./parse-error.ts";

/** Characters per String.fromCharCode call (keeps the argument list well below engine limits). */
const CHUNK = 8192;

function codeUnitsToString(units: Uint8Array | Uint16Array, length: number): string {
  const parts: string[] = [];
  for (let start = 0; start < length; start += CHUNK) {
    parts.push(String.fromCharCode(...units.subarray(start, Math.min(start + CHUNK, length))));
  }
  return parts.join("");
}

/** ISO-8859-1: every byte is the code point of the same value (0xE9 → "é"). */
export function decodeLatin1(bytes: Uint8Array): string {
  return codeUnitsToString(bytes, bytes.length);
}

function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Allowed range of the first continuation byte after a lead byte (excludes overlongs and surrogates). */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** Number of bytes of the sequence a lead byte starts, or 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Decodes the code point starting at `offset`, or returns -1 when the bytes there are not
 * well-formed UTF-8.
 */
function decodeCodePoint(bytes: Uint8Array, offset: number, length: number): number {
  const lead = bytes[offset]!;
  if (length === 1) return lead;
  if (offset + length > bytes.length) return -1;
  const [low, high] = secondByteRange(lead);
  const second = bytes[offset + 1]!;
  if (second < low || second > high) return -1;
  let codePoint = ((lead & (0xff >> (length + 1))) << 6) | (second & 0x3f);
  for (let k = 2; k < length; k++) {
    const next = bytes[offset + k]!;
    if ((next & 0xc0) !== 0x80) return -1;
    codePoint = (codePoint << 6) | (next & 0x3f);
  }
  return codePoint;
}

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Strict UTF-8; strips a leading BOM. `file` names the input in the error for invalid bytes. */
export function decodeUtf8(bytes: Uint8Array, file = "(text)"): string {
  const units = new Uint16Array(bytes.length);
  let count = 0;
  let offset = hasUtf8Bom(bytes) ? 3 : 0;
  while (offset < bytes.length) {
    const length = sequenceLength(bytes[offset]!);
    const codePoint = length === 0 ? -1 : decodeCodePoint(bytes, offset, length);
    if (codePoint < 0) {
      const hex = bytes[offset]!.toString(16).toUpperCase().padStart(2, "0");
      throw new DatasetParseError(file, lineOfByte(bytes, offset), `invalid UTF-8 byte 0x${hex} (save the file as UTF-8)`);
    }
    if (codePoint >= 0x10000) {
      units[count++] = 0xd800 + ((codePoint - 0x10000) >> 10);
      units[count++] = 0xdc00 + ((codePoint - 0x10000) & 0x3ff);
    } else {
      units[count++] = codePoint;
    }
    offset += length;
  }
  return codeUnitsToString(units, count);
}

function pushUtf8(out: number[], codePoint: number): void {
  if (codePoint < 0x80) out.push(codePoint);
  else if (codePoint < 0x800) out.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f));
  else if (codePoint < 0x10000) {
    out.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
  } else {
    out.push(
      0xf0 | (codePoint >> 18),
      0x80 | ((codePoint >> 12) & 0x3f),
      0x80 | ((codePoint >> 6) & 0x3f),
      0x80 | (codePoint & 0x3f),
    );
  }
}

/** UTF-8 encoding (lone surrogates become U+FFFD), the inverse of decodeUtf8; used by fixtures and exports. */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    pushUtf8(out, codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint);
  }
  return Uint8Array.from(out);
}
