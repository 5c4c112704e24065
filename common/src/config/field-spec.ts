/**
 * Schemas of configuration fields (valibot), each with its doc string (`v.description`, read by
 * docs/configuration.md's generator) and one message saying what is allowed: the setting's name is
 * put in front of it ("rounds must be an integer in [1, 100000], got 0").
 */
import * as v from "valibot";

const shown = (value: unknown) => JSON.stringify(value) ?? String(value);

/** The message of every issue a field can raise: the allowed values, then the value received. */
const allowed =
  (what: string) =>
  (issue: { readonly input: unknown }): string =>
    `must be ${what}, got ${shown(issue.input)}`;

export function integer(doc: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const message = allowed(`an integer in [${min}, ${max}]`);
  return v.pipe(
    v.number(message),
    v.check((x) => Number.isInteger(x) && x >= min && x <= max, message),
    v.description(doc),
  );
}

/** The schema of a finite number in [min, max] (or (min, max] when `exclusiveMin`), without a doc. */
function realValue(min: number, max: number, exclusiveMin: boolean) {
  const message = allowed(`a number in ${exclusiveMin ? "(" : "["}${min}, ${max}]`);
  return v.pipe(
    v.number(message),
    v.check((x) => Number.isFinite(x) && (exclusiveMin ? x > min : x >= min) && x <= max, message),
  );
}

/** A finite number in [min, max] (or (min, max] when `exclusiveMin`). */
export function real(doc: string, min: number, max: number, exclusiveMin = false) {
  return v.pipe(realValue(min, max, exclusiveMin), v.description(doc));
}

/** A number in (min, max], or null for "not used". */
export function optionalReal(doc: string, min: number, max: number) {
  return v.pipe(v.nullable(realValue(min, max, true)), v.description(doc));
}

export function flag(doc: string) {
  return v.pipe(v.boolean(allowed("true or false")), v.description(doc));
}

export function oneOf<const T extends string>(doc: string, values: readonly T[]) {
  return v.pipe(v.picklist(values, allowed(`one of ${values.map((x) => JSON.stringify(x)).join(" | ")}`)), v.description(doc));
}

/** A list of integers ≥ min, copied (the caller's array is never kept). */
export function integerList(doc: string, min: number) {
  return v.pipe(
    v.custom<readonly number[]>(
      (x) => Array.isArray(x) && x.every((n) => typeof n === "number" && Number.isInteger(n) && n >= min),
      allowed(`a list of integers ≥ ${min}`),
    ),
    v.transform((list): readonly number[] => [...list]),
    v.description(doc),
  );
}
