/**
 * Small typed validators for configuration fields. Each field has a default and a doc string, and
 * a parse that either returns the value or a message saying what is allowed.
 */
export interface FieldSpec<T> {
  readonly doc: string;
  parse(value: unknown): T | { readonly error: string };
}

export function isFieldError(v: unknown): v is { readonly error: string } {
  return typeof v === "object" && v !== null && "error" in v && Object.keys(v).length === 1;
}

export function integer(doc: string, min: number, max = Number.MAX_SAFE_INTEGER): FieldSpec<number> {
  return {
    doc,
    parse: (v) =>
      typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
        ? v
        : { error: `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}` },
  };
}

/** A finite number in [min, max] (or (min, max] when `exclusiveMin`). */
export function real(doc: string, min: number, max: number, exclusiveMin = false): FieldSpec<number> {
  const range = `${exclusiveMin ? "(" : "["}${min}, ${max}]`;
  return {
    doc,
    parse: (v) =>
      typeof v === "number" && Number.isFinite(v) && (exclusiveMin ? v > min : v >= min) && v <= max
        ? v
        : { error: `must be a number in ${range}, got ${JSON.stringify(v)}` },
  };
}

export function flag(doc: string): FieldSpec<boolean> {
  return { doc, parse: (v) => (typeof v === "boolean" ? v : { error: `must be true or false, got ${JSON.stringify(v)}` }) };
}

export function oneOf<const T extends string>(doc: string, values: readonly T[]): FieldSpec<T> {
  return {
    doc,
    parse: (v) =>
      typeof v === "string" && (values as readonly string[]).includes(v)
        ? (v as T)
        : { error: `must be one of ${values.map((x) => JSON.stringify(x)).join(" | ")}, got ${JSON.stringify(v)}` },
  };
}

export function integerList(doc: string, min: number): FieldSpec<readonly number[]> {
  return {
    doc,
    parse: (v) =>
      Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min)
        ? [...(v as number[])]
        : { error: `must be a list of integers ≥ ${min}, got ${JSON.stringify(v)}` },
  };
}

/** A number in [min, max], or null for "not used". */
export function optionalReal(doc: string, min: number, max: number): FieldSpec<number | null> {
  const inner = real(doc, min, max, true);
  return { doc, parse: (v) => (v === null ? null : inner.parse(v)) };
}
