/**
 * Attack (b), attribute inference: the coordinator embeds every profile text the dataset's template
 * can produce (a dictionary of candidates with known attributes) with the federation's own encoder
 * and takes the attributes of the candidate nearest to the recovered direction (by |cos|: the
 * direction's sign is arbitrary). Scored against the majority-class guess, which needs no upload.
 */
import { absoluteCosine } from "./top-singular-vector.ts";

export interface ProfileDictionary<A> {
  readonly embeddings: readonly Float32Array[];
  /** attributes[i] describes the text behind embeddings[i]. */
  readonly attributes: readonly A[];
}

/** The attributes of the candidate nearest to `direction`. */
export function inferAttributes<A>(direction: ArrayLike<number>, dictionary: ProfileDictionary<A>): A {
  if (dictionary.embeddings.length === 0) throw new Error("the profile dictionary is empty");
  let best = 0;
  let bestCosine = -1;
  dictionary.embeddings.forEach((candidate, i) => {
    const cosine = absoluteCosine(direction, candidate);
    if (cosine > bestCosine) [best, bestCosine] = [i, cosine];
  });
  return dictionary.attributes[best]!;
}

/** Share of the most common value: the accuracy of always guessing it. 0 for no values. */
export function majorityShare(values: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return values.length === 0 ? 0 : Math.max(...counts.values()) / values.length;
}
