/**
 * Local data a person brings to the web client: a demo "persona" file (one dataset user's profile
 * and ratings, handed out by the teacher) or a CSV of their own ratings. Parsed on the device with
 * errors that name the line and the problem; nothing here is ever uploaded.
 */
import type { Interaction } from "../data/dataset.ts";

export interface Persona {
  /** Which dataset user this is (shown in the page as "demo persona"). */
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

/** A persona file: `{"label", "profileText", "interactions": [{"item", "rating", "timestamp"}]}` with items in [0, numItems). */
export function parsePersona(text: string, numItems: number): Persona {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LocalDataError(`persona file is not JSON: ${(error as Error).message}`);
  }
  const v = value as { label?: unknown; profileText?: unknown; interactions?: unknown };
  if (typeof v !== "object" || v === null) throw new LocalDataError("persona file: expected an object");
  if (typeof v.profileText !== "string") throw new LocalDataError('persona file: "profileText" must be a string');
  if (!Array.isArray(v.interactions)) throw new LocalDataError('persona file: "interactions" must be a list');
  const interactions = v.interactions.map((x: unknown, i: number): Interaction => {
    const r = x as { item?: unknown; rating?: unknown; timestamp?: unknown };
    const item = r?.item;
    if (typeof item !== "number" || !Number.isInteger(item) || item < 0 || item >= numItems) {
      throw new LocalDataError(`persona file: interactions[${i}].item must be an item index in [0, ${numItems})`);
    }
    const rating = typeof r.rating === "number" && Number.isFinite(r.rating) ? r.rating : 1;
    const timestamp = typeof r.timestamp === "number" && Number.isFinite(r.timestamp) ? r.timestamp : i;
    return { item, rating, timestamp };
  });
  return { label: typeof v.label === "string" ? v.label : "persona", profileText: v.profileText, interactions };
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
