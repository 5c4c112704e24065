/**
 * Small English helpers for profile-text templates: "a" vs "an" (for words and for numbers such
 * as ages: "an 18-year-old"), capitalising a sentence, and joining a list with "and".
 */

/** Words starting with a vowel letter but a consonant sound, and the reverse. */
const CONSONANT_SOUND_PREFIXES = ["uni", "use", "usu", "uti", "eu", "one", "once"];
const VOWEL_SOUND_PREFIXES = ["hour", "honest", "honor", "honour", "heir"];

function numberTakesAn(digits: string): boolean {
  // Spoken "eight…", "eighty…", "eight hundred…", "eleven", "eighteen", "eleven/eighteen thousand".
  if (digits.startsWith("8")) return true;
  return (digits.length === 2 || digits.length === 5) && (digits.startsWith("11") || digits.startsWith("18"));
}

/** The indefinite article for the word (or number) that follows it. */
export function indefiniteArticle(next: string): "a" | "an" {
  const word = next.trim().toLowerCase();
  const digits = /^\d+/.exec(word);
  if (digits) return numberTakesAn(digits[0]) ? "an" : "a";
  if (VOWEL_SOUND_PREFIXES.some((prefix) => word.startsWith(prefix))) return "an";
  if (CONSONANT_SOUND_PREFIXES.some((prefix) => word.startsWith(prefix))) return "a";
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** "engineer" → "an engineer". */
export function withArticle(phrase: string): string {
  return `${indefiniteArticle(phrase)} ${phrase}`;
}

export function capitalizeFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** ["a"] → "a"; ["a", "b"] → "a and b"; ["a", "b", "c"] → "a, b and c". */
export function joinWithAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? "";
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]!}`;
}
