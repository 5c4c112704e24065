/**
 * The attacker's dictionary for ML-100K: every profile text the dataset's template
 * (ml100kProfileText) produces for the given ages, genders, occupations and ZIP codes, with the
 * attributes behind it. The occupation list and the template are public; the ZIP code is not an
 * attribute the attack scores, so a few stand-ins suffice. Ages are scored in MovieLens-1M's brackets.
 */
import { ml100kProfileText, type Ml100kUser } from "../../data/movielens-100k.ts";
import type { Attributes } from "./score-attack.ts";

/** MovieLens-1M's age groups (lower bounds): under 18, 18–24, 25–34, 35–44, 45–49, 50–55, 56+. */
const BRACKETS = [
  [56, "56+"],
  [50, "50-55"],
  [45, "45-49"],
  [35, "35-44"],
  [25, "25-34"],
  [18, "18-24"],
] as const;

export function ageBracket(age: number): string {
  return BRACKETS.find(([lower]) => age >= lower)?.[1] ?? "under 18";
}

export function ml100kAttributes(user: Ml100kUser): Attributes {
  return { gender: user.gender, ageBracket: ageBracket(user.age), occupation: user.occupation };
}

export interface CandidateProfiles {
  readonly texts: readonly string[];
  readonly attributes: readonly Attributes[];
}

export function ml100kCandidates(
  ages: readonly number[],
  occupations: readonly string[],
  zips: readonly string[],
): CandidateProfiles {
  const texts: string[] = [];
  const attributes: Attributes[] = [];
  for (const age of ages)
    for (const gender of ["M", "F"] as const)
      for (const occupation of occupations)
        for (const zip of zips) {
          const user = { age, gender, occupation, zip };
          texts.push(ml100kProfileText(user));
          attributes.push(ml100kAttributes(user));
        }
  return { texts, attributes };
}
