/**
 * Local data a person brings to the web client: a demo "persona" file (one dataset user's profile
 * and ratings, handed out by the teacher) or a CSV of their own ratings. Parsed on the device with
 * errors that name the line and the problem; nothing here is ever uploaded.
 */
import * as v from "valibot";
import type { Interaction } from "../data/dataset.ts";
import { describeValue, issueLines } from "../schema/issue-lines.ts";
import { anyText, fields, finiteNumber, list } from "../schema/message-fields.ts";

const MAX_INTERACTIONS = 1_000_000;

/** A persona file over a catalogue of `numItems` items (rating and timestamp are optional). */
function personaSchema(numItems: number) {
  const itemMessage = (issue: { readonly input: unknown }) =>
    `expected an item index in [0, ${numItems}), got ${describeValue(issue.input)}`;
  const interaction = fields({
    item: v.pipe(
      v.number(itemMessage),
      v.check((x) => Number.isInteger(x) && x >= 0 && x < numItems, itemMessage),
    ),
    rating: v.optional(finiteNumber()),
    timestamp: v.optional(finiteNumber()),
  });
  return fields({
    /** Which dataset user this is (shown in the page as "demo persona"). */
    label: v.optional(anyText(200), "persona"),
    profileText: anyText(100_000),
    interactions: list(interaction, MAX_INTERACTIONS),
  });
}

export interface Persona {
  readonly label: string;
  readonly profileText: string;
  readonly interactions: readonly Interaction[];
}

/**
 * How a dataset user is named to people (persona files, the dashboard's client list): the dataset's
 * short name and the user's source id, e.g. "ml-100k user 57" or "synthetic user 4".
 */
export function datasetUserLabel(datasetName: string, sourceId: string): string {
  return `${datasetName.replace(/\(.*\)$/, "")} user ${sourceId}`;
}

export class LocalDataError extends Error {
  override name = "LocalDataError";
}

/**
 * A persona file: `{"label"?, "profileText", "interactions": [{"item", "rating"?, "timestamp"?}]}`
 * with items in [0, numItems); a missing rating is 1 (an interaction), a missing timestamp the
 * interaction's position (file order = time order).
 */
export function parsePersona(text: string, numItems: number): Persona {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LocalDataError(`persona file is not JSON: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(personaSchema(numItems), value, { abortEarly: true });
  if (!parsed.success) throw new LocalDataError(`persona file: ${issueLines(parsed.issues, "", ": ")[0]!}`);
  const { label, profileText, interactions } = parsed.output;
  return {
    label,
    profileText,
    interactions: interactions.map((x, i) => ({ item: x.item, rating: x.rating ?? 1, timestamp: x.timestamp ?? i })),
  };
}

/**
 * A CSV of ratings: `item,rating[,timestamp]` per line (a header line is skipped), where `item`
 * is the catalogue's item id (e.g. the MovieLens movie id). Row order is the time order when no
 * timestamp is given.
 */
export function parseRatingsCsv(text: string, itemIds: readonly string[]): Interaction[] {
  const index = new Map(itemIds.map((id, i) => [id, i]));
  const out: Interaction[] = [];
  text.split(/\r?\n/).forEach((line, n) => {
    const trimmed = line.trim();
    if (trimmed === "" || (n === 0 && /[a-z]/i.test(trimmed.split(",")[1] ?? ""))) return;
    const [id, ratingText, timeText] = trimmed.split(",").map((f) => f.trim());
    const item = index.get(id ?? "");
    if (item === undefined) throw new LocalDataError(`line ${n + 1}: unknown item id "${id}"`);
    const rating = Number(ratingText);
    if (!Number.isFinite(rating)) throw new LocalDataError(`line ${n + 1}: rating "${ratingText}" is not a number`);
    const timestamp = timeText === undefined || timeText === "" ? n : Number(timeText);
    if (!Number.isFinite(timestamp)) throw new LocalDataError(`line ${n + 1}: timestamp "${timeText}" is not a number`);
    out.push({ item, rating, timestamp });
  });
  return out;
}
