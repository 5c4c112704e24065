/**
 * The classic centralised baselines on one leave-one-out split (all users' training positives on
 * one machine): popularity, ItemKNN (cosine, top k) and EASE (λ on validation). Each is fitted on
 * the training matrix and evaluated with evaluateScorer, exactly like the federation's clients —
 * the validation item is never seen when scoring test. `testRefit` is the other common choice:
 * the same method (the same k or chosen λ) refitted on train + each user's validation item, then
 * scored on test.
 */
import type { Clock } from "../client/client-runtime.ts";
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { ClientSplit } from "../split/leave-one-out.ts";
import { fitEase } from "./ease.ts";
import { EASE_LAMBDA_GRID, selectEaseLambda, type LambdaTrial } from "./ease-selection.ts";
import { evaluateScorer, evaluateScorerOn, type ItemScorer } from "./evaluate-scorer.ts";
import { trainingMatrix, type BinaryMatrix } from "./interaction-matrix.ts";
import { fitItemKnn, ITEM_KNN_DEFAULT_K } from "./item-knn.ts";
import { fitPopularity } from "./popularity.ts";

export type ClassicMethod = "popularity" | "item-knn" | "ease";
export const CLASSIC_METHODS: readonly ClassicMethod[] = ["popularity", "item-knn", "ease"];

export interface ClassicBaselineOptions {
  readonly methods?: readonly ClassicMethod[];
  /** ItemKNN's neighbours per item (default 50). */
  readonly k?: number;
  /** EASE's λ grid (default EASE_LAMBDA_GRID). */
  readonly lambdas?: readonly number[];
}

export interface BaselineOutcome {
  readonly method: string;
  readonly val: RankingMetrics;
  /** Fitted on train only, like the federation. */
  readonly test: RankingMetrics;
  /** Refitted on train + validation, then scored on test (null when not computed). */
  readonly testRefit: RankingMetrics | null;
  /** Hyper-parameters used or chosen, e.g. { k: 50 } or { lambda: 500 }. */
  readonly parameters: Readonly<Record<string, number>>;
  /** EASE: validation metrics of every λ tried. */
  readonly trials?: readonly LambdaTrial[];
  /** Wall time of fitting and evaluating, in seconds of `clock`. */
  readonly seconds: number;
}

export function runClassicBaselines(
  splits: readonly ClientSplit[],
  clock: Clock,
  options: ClassicBaselineOptions = {},
): BaselineOutcome[] {
  const train = trainingMatrix(splits);
  const refit = trainingMatrix(splits, true);
  const k = options.k ?? ITEM_KNN_DEFAULT_K;
  const timed = (run: () => Omit<BaselineOutcome, "seconds">): BaselineOutcome => {
    const t0 = clock();
    const outcome = run();
    return { ...outcome, seconds: clock() - t0 };
  };
  const plain = (method: string, fit: (m: BinaryMatrix) => ItemScorer, parameters: Record<string, number>) =>
    timed(() => ({
      method,
      ...evaluateScorer(splits, fit(train)),
      testRefit: evaluateScorerOn(splits, fit(refit), "test"),
      parameters,
    }));
  return (options.methods ?? CLASSIC_METHODS).map((method) => {
    switch (method) {
      case "popularity":
        return plain(method, fitPopularity, {});
      case "item-knn":
        return plain(method, (m) => fitItemKnn(m, k), { k });
      case "ease":
        return timed(() => {
          const chosen = selectEaseLambda(train, splits, options.lambdas ?? EASE_LAMBDA_GRID);
          return {
            method,
            ...evaluateScorer(splits, chosen.scorer),
            testRefit: evaluateScorerOn(splits, fitEase(refit, chosen.lambda), "test"),
            parameters: { lambda: chosen.lambda },
            trials: chosen.trials,
          };
        });
    }
  });
}
