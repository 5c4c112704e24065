/**
 * Scores what a CuriousCoordinator can infer against the truth it never sees: (a) |cos| between
 * the recovered direction and the true profile embedding, (b) attribute accuracy from the nearest
 * dictionary candidate against the majority-class guess, (c) precision / recall of the rated items,
 * from the latest upload alone and from all uploads so far. Means over the observed clients.
 */
import { inferAttributes, majorityShare, type ProfileDictionary } from "./attribute-inference.ts";
import type { CuriousCoordinator } from "./curious-coordinator.ts";
import { gaussianDpTprBound } from "./gaussian-dp-bound.ts";
import { membershipTest, type ReleasedTableObserver } from "./released-table-observer.ts";
import { precisionRecall, type ItemGuess, type PrecisionRecall } from "./item-inference.ts";
import { absoluteCosine } from "./top-singular-vector.ts";

export type Attributes = Readonly<Record<string, string>>;

export interface AttackTruth {
  /** The true profile embeddings, by client. */
  readonly profiles: readonly Float32Array[];
  /** The true attributes, by client (null: the dataset has none). */
  readonly attributes: readonly Attributes[] | null;
  /** 1 for every item the client rated (training and held-out alike), by client. */
  readonly rated: readonly Uint8Array[];
}

export interface ItemInference {
  readonly changed: PrecisionRecall;
  readonly direction: PrecisionRecall;
}

export interface AttributeScore {
  /** Share of clients whose attribute the attack got right (the majority guess when θ_user is not sent). */
  readonly accuracy: number;
  /** Accuracy of always guessing the most common value. */
  readonly majority: number;
}

export interface AttackRoundReport {
  readonly round: number;
  readonly clients: number;
  /** Mean |cos(recovered, true profile)|; null when no θ_user was uploaded. */
  readonly profileCosine: { readonly fromInit: number | null; readonly consecutive: number | null };
  readonly attributes: Readonly<Record<string, AttributeScore>>;
  readonly items: { readonly latestUpload: ItemInference; readonly allUploads: ItemInference };
  /**
   * Chance for (c): the mean share of the catalogue a client rated, which is the expected precision
   * of any guess drawn without regard to what the client rated (its recall: the share guessed).
   */
  readonly itemBaseRate: number;
  /** What an observer of the released tables learns (released-table-observer.ts); null: not measured. */
  readonly releasedTable: ReleasedTableScore | null;
}

export interface ReleasedTableScore {
  /** True- and false-positive rates of the "took part" test set for 5 % false positives, statistics summed over the rounds so far. */
  readonly membership: { readonly truePositiveRate: number; readonly falsePositiveRate: number };
  /** The most any test at a 5 % false-positive rate reaches under the DP noise, mean over clients (null: no DP). */
  readonly membershipTprBound: number | null;
  /** Attack (c) on the latest round's residual: `changed` its k largest rows, `direction` the rule on them. */
  readonly items: ItemInference;
}

/** The released-table observer of a run and its DP noise, σ and C (null: no DP). */
export interface ReleasedTableView {
  readonly observer: ReleasedTableObserver;
  readonly noise: { readonly multiplier: number; readonly clipNorm: number } | null;
}

export function scoreAttack(
  coordinator: CuriousCoordinator,
  round: number,
  truth: AttackTruth,
  dictionary: ProfileDictionary<Attributes> | null,
  released: ReleasedTableView | null = null,
): AttackRoundReport {
  const clients = coordinator.clients;
  const fromInit = clients.map((c) => coordinator.profileDirection(c, "from-init"));
  const consecutive = clients.map((c) => coordinator.profileDirection(c, "consecutive"));
  const meanCosine = (directions: readonly (Float64Array | null)[]) => {
    const scores = directions.flatMap((d, i) => (d ? [absoluteCosine(d, truth.profiles[clients[i]!]!)] : []));
    return scores.length > 0 ? mean(scores) : null;
  };
  const items = (guess: (c: number) => ItemGuess | null): ItemInference => {
    const scores = clients.map((c) => {
      const g = guess(c)!;
      return { changed: precisionRecall(g.changed, truth.rated[c]!), direction: precisionRecall(g.direction, truth.rated[c]!) };
    });
    return { changed: meanScores(scores.map((s) => s.changed)), direction: meanScores(scores.map((s) => s.direction)) };
  };
  return {
    round,
    clients: clients.length,
    profileCosine: { fromInit: meanCosine(fromInit), consecutive: meanCosine(consecutive) },
    attributes: truth.attributes && dictionary ? scoreAttributes(clients, fromInit, truth.attributes, dictionary) : {},
    items: {
      latestUpload: items((c) => coordinator.latestGuess(c)),
      allUploads: items((c) => coordinator.repeatedGuess(c)),
    },
    itemBaseRate: mean(clients.map((c) => truth.rated[c]!.reduce((a, r) => a + r, 0) / truth.rated[c]!.length)),
    releasedTable: released ? scoreReleasedTable(released, truth) : null,
  };
}

function scoreReleasedTable({ observer, noise }: ReleasedTableView, truth: AttackTruth): ReleasedTableScore {
  const stats = [...observer.membership.values()];
  const guesses = [...observer.latestGuess.entries()].map(([c, g]) => ({
    changed: precisionRecall(g.changed, truth.rated[c]!),
    direction: precisionRecall(g.direction, truth.rated[c]!),
  }));
  return {
    membership: membershipTest(stats, noise && noise.multiplier * noise.clipNorm),
    membershipTprBound: noise && mean(stats.map((s) => gaussianDpTprBound(noise.multiplier, s.rounds))),
    items: { changed: meanScores(guesses.map((g) => g.changed)), direction: meanScores(guesses.map((g) => g.direction)) },
  };
}

/** Without a recovered direction the attacker's best guess is the most common value. */
function scoreAttributes(
  clients: readonly number[],
  directions: readonly (Float64Array | null)[],
  attributes: readonly Attributes[],
  dictionary: ProfileDictionary<Attributes>,
): Record<string, AttributeScore> {
  const truths = clients.map((c) => attributes[c]!);
  const guesses = directions.map((d) => (d ? inferAttributes(d, dictionary) : null));
  const out: Record<string, AttributeScore> = {};
  for (const key of Object.keys(truths[0] ?? {})) {
    const values = truths.map((t) => t[key]!);
    const majorityValue = mostCommon(values);
    const right = truths.filter((t, i) => (guesses[i]?.[key] ?? majorityValue) === t[key]).length;
    out[key] = { accuracy: right / truths.length, majority: majorityShare(values) };
  }
  return out;
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function meanScores(scores: readonly PrecisionRecall[]): PrecisionRecall {
  return { precision: mean(scores.map((s) => s.precision)), recall: mean(scores.map((s) => s.recall)) };
}
