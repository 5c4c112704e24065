/**
 * Schemas (valibot) for the fields of messages and files that cross a boundary: protocol messages,
 * admin requests, saved state, persona files. Each states its expectation once, and its message
 * says it with the value received ("expected an integer in [1, 100000], got 2.5"); issue-lines.ts
 * puts the field's path in front.
 */
import * as v from "valibot";
import { describeValue } from "./issue-lines.ts";

/** Binary payload as it crosses the wire (Buffer in Node, ArrayBuffer in browsers). */
export type WireBytes = Uint8Array | ArrayBuffer;

const expected =
  (what: string) =>
  (issue: { readonly input: unknown }): string =>
    `expected ${what}, got ${describeValue(issue.input)}`;

export function integerIn(min: number, max: number) {
  const message = expected(`an integer in [${min}, ${max}]`);
  return v.pipe(
    v.number(message),
    v.check((x) => Number.isInteger(x) && x >= min && x <= max, message),
  );
}

/** A number, in [min, max] when given (NaN and ±Inf fail the finite check, so they are refused as not finite). */
function finiteIn(range: readonly [number, number] | null, nullable: boolean) {
  const what = `a finite number${range ? ` in [${range[0]}, ${range[1]}]` : ""}${nullable ? " or null" : ""}`;
  return v.pipe(
    v.custom<number | null>((x) => typeof x === "number" || x === null, expected(what)),
    v.check(nullable ? isFiniteOrNull : isFiniteNumber, expected(what)),
    v.check((x) => x === null || range === null || (x >= range[0] && x <= range[1]), expected(what)),
  );
}

// JSON carries NaN and ±Inf as null: where null is not a value of its own, it is a non-finite number.
const isFiniteNumber = (x: number | null): boolean => x !== null && Number.isFinite(x);
const isFiniteOrNull = (x: number | null): boolean => x === null || Number.isFinite(x);

/** Whether an issue is a non-finite number (answered as `not-finite`, not `malformed`). */
export function isNotFiniteIssue(issue: v.BaseIssue<unknown>): boolean {
  return issue.requirement === isFiniteNumber || issue.requirement === isFiniteOrNull;
}

/** A finite number (in [min, max] when given); null (NaN or ±Inf sent as JSON) and non-finite numbers are not-finite issues. */
export function finiteNumber(range: readonly [number, number] | null = null) {
  return v.pipe(
    finiteIn(range, false),
    v.transform((x) => x as number),
  );
}

/** A finite number, or null (nothing to report, e.g. the loss when nothing trained). */
export function finiteOrNull() {
  return finiteIn(null, true);
}

/** A string matching `pattern`. */
export function text(pattern: RegExp) {
  const message = expected(`a string matching /${pattern.source}/${pattern.flags}`);
  return v.pipe(v.string(message), v.regex(pattern, message));
}

/** Any string of at most `maxLength` characters. */
export function anyText(maxLength: number) {
  const message = expected(`a string of at most ${maxLength} characters`);
  return v.pipe(v.string(message), v.maxLength(maxLength, message));
}

export function oneOf<const T extends string>(values: readonly T[]) {
  return v.picklist(values, expected(values.map((x) => JSON.stringify(x)).join(" | ")));
}

export function list<T extends v.GenericSchema>(item: T, maxLength: number) {
  const message = expected(`a list of at most ${maxLength} items`);
  return v.pipe(v.array(item, message), v.maxLength(maxLength, message), v.readonly());
}

export const binary = v.custom<WireBytes>((x) => x instanceof Uint8Array || x instanceof ArrayBuffer, expected("binary data"));

/**
 * A plain object (of any fields). valibot's object schemas take arrays and binary data for objects;
 * a message never has them where an object belongs.
 */
export function plainObject(what: string) {
  return v.custom<Record<string, unknown>>(isPlainObject, expected(what));
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array) && !(x instanceof ArrayBuffer);
}

/** A strict object's issue for a field that is not there (its path ends at the missing key). */
export function isMissingField(issue: v.BaseIssue<unknown>): boolean {
  return issue.type === "strict_object" && issue.expected !== "never" && issue.path?.at(-1)?.origin === "key";
}

/**
 * An object with exactly these fields: "expected an object", "missing" (at the missing field's
 * path) and "unexpected field(s) a, b" (all of them, at the object's path).
 */
export function fields<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    plainObject("an object"),
    v.strictObject(entries, (issue: v.StrictObjectIssue) => {
      if (isMissingField(issue)) return "missing";
      const object = issue.path?.at(-1)?.input as object;
      return `unexpected field(s) ${Object.keys(object)
        .filter((key) => !Object.hasOwn(entries, key))
        .join(", ")}`;
    }),
    v.readonly(),
  );
}
