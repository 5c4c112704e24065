/**
 * The schema of one row of a ratings file (the generic CSV's interactions): its cells as read,
 * checked and converted by valibot like every other input (docs/design.md, "One schema at every
 * boundary"), so the row's type is inferred from the same place that validates it. A missing
 * rating column means rating 1; a missing timestamp column means the row's position.
 */
import * as v from "valibot";

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DIGITS = /^[0-9]+$/;

/** An id cell: trimmed, not empty. */
function idCell(what: string) {
  return v.pipe(v.string(), v.trim(), v.nonEmpty(`${what} is empty`));
}

/** A finite decimal number such as "4" or "3.5". */
const ratingCell = v.pipe(
  v.string(),
  v.check(
    (x) => DECIMAL.test(x.trim()) && Number.isFinite(Number(x.trim())),
    (issue) => `rating "${String(issue.input)}" is not a number`,
  ),
  v.transform((x) => Number(x.trim())),
);

/** A non-negative integer (Unix seconds). */
const timestampCell = v.pipe(
  v.string(),
  v.check(
    (x) => DIGITS.test(x.trim()) && Number.isSafeInteger(Number(x.trim())),
    (issue) => `timestamp "${String(issue.input).trim()}" is not a non-negative integer`,
  ),
  v.transform((x) => Number(x.trim())),
);

export const RatingRowSchema = v.object({
  user: idCell("user"),
  item: idCell("item"),
  rating: v.optional(ratingCell),
  timestamp: v.optional(timestampCell),
});

export type RatingRow = v.InferOutput<typeof RatingRowSchema>;

/** The row's typed fields, or the first problem in column order ("rating \"x\" is not a number"). */
export function parseRatingRow(cells: v.InferInput<typeof RatingRowSchema>): RatingRow | { readonly problem: string } {
  const result = v.safeParse(RatingRowSchema, cells, { abortEarly: true });
  return result.success ? result.output : { problem: result.issues[0].message };
}
