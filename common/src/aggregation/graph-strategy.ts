/**
 * The maths of the UFGraphFR server round (the strategy object with Flower's vocabulary,
 * configureTrain / aggregateTrain / aggregateEvaluate, is federation/round-strategy.ts). `mean`
 * (paper) and `fedavg` (the seed's addition) are two values of one option, as are the neighbourhood
 * rules and the distribution mode. Pure: typed arrays in, new tables out; no sockets, rounds or clocks.
 *
 * aggregateTrain, for the round's participants (algorithm.md, "Server, each round"):
 *   1. S   = cos(θ_user_i, θ_user_j)            (or of the item tables, graphSource = "item")
 *   2. S'' = neighbourhood(S)                    (topk | threshold | dense | none); topk may be found
 *      without S, approximately (graphSearch; approximate-top-k.ts)
 *   3. P   = S''^L                               (L propagation layers; R = P·A)
 *   4. θ_global = Σ_i w_i R_i = Σ_j (Σ_i w_i P_ij) A_j   — no R_i is materialised for it;
 *      or, with a server optimiser, a step on Δ = Σ_j (Σ_i w_i P_ij)(A_j − T_j) (server-optimizer.ts)
 *   5. personalized: participant i gets R_i = Σ_j P_ij A_j; global: everyone gets θ_global.
 * Non-participants keep the table they had. With client-level DP (`dp`, privacy/client-level-dp.ts)
 * each change is clipped to C and Δ gets N(0, (σ·C)²) on every coordinate before the server step.
 */
import { approximateTopK, type ApproximateKernels } from "../graph/approximate-top-k.ts";
import { cosineSimilarityMatrix, type GramKernel } from "../graph/cosine-similarity.ts";
import { identity, normaliseNeighbourhood, type NeighbourhoodRule } from "../graph/neighbourhood.ts";
import { sparsePower, weightedColumnSums, type SparseRows } from "../graph/sparse-rows.ts";
import { combineMetrics, type RankingMetrics } from "../metrics/ranking-metrics.ts";
import { globalUpdateWeights, type GlobalUpdateRule } from "./global-weights.ts";
import { clipUpdate } from "./clip-update.ts";
import { materialise, weightedChangeSum, weightedTableSum, type ItemTableUpdate } from "./item-table-update.ts";
import { serverStep } from "./server-optimizer.ts";
import type { Moments } from "../model/optimizer.ts";
import { withGaussianNoise } from "../privacy/gaussian-noise.ts";
import type { RandomSource } from "../random/rng.ts";

export interface GraphStrategyOptions {
  /** What the user graph is built from: the uploaded θ_user (paper) or item tables (GPFedRec). */
  readonly graphSource: "user" | "item";
  readonly neighbourhood: NeighbourhoodRule;
  /** topk neighbours exactly, approximately (approximate-top-k.ts), or approximately above AUTO_APPROXIMATE_ABOVE participants. */
  readonly graphSearch: "exact" | "approximate" | "auto";
  /** L ≥ 1, hops of message passing. */
  readonly propagationLayers: number;
  readonly globalUpdate: GlobalUpdateRule;
  /** none: θ_global ← Σ_i w_i R_i (paper); sgd / adam: a server step on the pseudo-gradient. */
  readonly serverOptimizer: "none" | "sgd" | "adam";
  /** η_s of the server step. */
  readonly serverLearningRate: number;
  /** personalized: participant i receives R_i (paper); global: every client receives θ_global (seed). */
  readonly distribution: "personalized" | "global";
  /** Clip each upload's item-table change to this L2 norm (null = off). */
  readonly uploadClipNorm: number | null;
  /** Client-level DP: clip each change to `clipNorm`, add N(0, noiseStd²) to the summed change (null = off). */
  readonly dp: { readonly clipNorm: number; readonly noiseStd: number } | null;
}

/** What one participant sent after local training. */
export interface TrainResult {
  readonly client: number;
  /** vec(θ_user), possibly with local-DP noise. */
  readonly userWeights: Float32Array;
  readonly items: ItemTableUpdate;
  /** n_i, the client's number of interactions (its FedAvg weight, capped at the catalogue size). */
  readonly numExamples: number;
}

/** The tables the server holds between rounds. */
export interface ServerTables {
  readonly global: Float32Array;
  /** R_i of clients that received a personalised table; others use `global`. */
  readonly personal: ReadonlyMap<number, Float32Array>;
  /** FedAdam's moments of the global table (serverOptimizer adam), carried from round to round. */
  readonly serverMoments?: Moments | null;
}

export interface AggregateTrainOutput {
  readonly tables: ServerTables;
  /** Participants in the order of the graph's rows. */
  readonly participants: readonly number[];
  /** S'' over the participants (for dashboards and tests). */
  readonly neighbourhood: SparseRows;
}

export function tableFor(tables: ServerTables, client: number): Float32Array {
  return tables.personal.get(client) ?? tables.global;
}

export function aggregateTrain(
  options: GraphStrategyOptions,
  tables: ServerTables,
  results: readonly TrainResult[],
  itemDim: number,
  gram?: GramKernel,
  /** The DP noise's source; required when `options.dp` is set. */
  noise?: RandomSource,
  /** The approximate graph's candidate search (an index) and re-ranking; exact scan, this thread without. */
  approximate?: ApproximateKernels,
): AggregateTrainOutput {
  if (options.dp && !noise) throw new Error("client-level DP needs a noise source");
  // Under DP a round with no participant still releases noise: whether anyone took part is private too.
  if (results.length === 0 && !options.dp) return { tables, participants: [], neighbourhood: identity(0) };
  const n = results.length;
  const numItems = tables.global.length / itemDim;
  const {
    neighbourhood,
    propagation,
    coefficients: graphCoefficients,
  } = roundGraph(options, results, itemDim, numItems, gram, approximate);
  const updates = results.map((r) => clippedItems(options, r, itemDim));
  const members = Int32Array.from({ length: n }, (_, j) => j);
  // Under DP an empty round still takes a (noise-only) server step.
  const coefficients = graphCoefficients ?? (options.dp ? new Float64Array(0) : null);
  const server = coefficients ? globalStep(options, tables, updates, members, coefficients, itemDim, noise) : null;
  const global = server?.table ?? tables.global;
  const serverMoments = server ? server.moments : (tables.serverMoments ?? null);
  const personal = new Map(options.distribution === "personalized" ? tables.personal : []);
  if (options.distribution === "personalized") {
    results.forEach((r, i) => {
      personal.set(r.client, weightedTableSum(updates, propagation.columns[i]!, propagation.weights[i]!, itemDim));
    });
  }
  return { tables: { global, personal, serverMoments }, participants: results.map((r) => r.client), neighbourhood };
}

/** The round's graph: S'', P = S''^L, and each participant's coefficient c_j = Σ_i w_i P_ij (null: nothing to weigh). */
export interface RoundGraph {
  readonly neighbourhood: SparseRows;
  readonly propagation: SparseRows;
  readonly coefficients: Float64Array | null;
}

export function roundGraph(
  options: GraphStrategyOptions,
  results: readonly TrainResult[],
  itemDim: number,
  numItems: number,
  gram: GramKernel | undefined,
  approximate?: ApproximateKernels,
): RoundGraph {
  const neighbourhood = buildNeighbourhood(options, results, itemDim, gram, approximate);
  const propagation = sparsePower(neighbourhood, options.propagationLayers);
  // n_i counts at most one interaction per catalogue item (global-weights.ts).
  const weights = globalUpdateWeights(
    options.globalUpdate,
    results.map((r) => r.numExamples),
    numItems,
  );
  return { neighbourhood, propagation, coefficients: weights ? weightedColumnSums(propagation, weights) : null };
}

/** A participant's upload as aggregated: its item-table change clipped to dp.clipNorm or uploadClipNorm when set. */
export function clippedItems(options: GraphStrategyOptions, result: TrainResult, itemDim: number): ItemTableUpdate {
  const bound = options.dp?.clipNorm ?? options.uploadClipNorm;
  return bound === null ? result.items : clipUpdate(result.items, bound, itemDim);
}

/** The new global table from the participants' coefficients c_j = Σ_i w_i P_ij. */
function globalStep(
  options: GraphStrategyOptions,
  tables: ServerTables,
  updates: readonly ItemTableUpdate[],
  members: Int32Array,
  coefficients: Float64Array,
  itemDim: number,
  noise: RandomSource | undefined,
): { table: Float32Array; moments: Moments | null } {
  if (options.serverOptimizer === "none") {
    return { table: weightedTableSum(updates, members, coefficients, itemDim), moments: null };
  }
  const exact =
    updates.length > 0 ? weightedChangeSum(updates, members, coefficients, itemDim) : new Float32Array(tables.global.length);
  const delta = options.dp ? withGaussianNoise(exact, options.dp.noiseStd, noise!) : exact;
  return serverStep(options.serverOptimizer, options.serverLearningRate, tables.global, delta, tables.serverMoments ?? null);
}

/**
 * The new global table from the weighted change alone, Δ = Σ_j c_j (A_j − T), when every
 * participant was sent the global table T (distribution "global"): Σ_j c_j A_j = (Σ_j c_j)·T + Δ
 * without a server optimiser, a server step on Δ with one. What secure aggregation hands over.
 */
export function globalStepOnChange(
  options: GraphStrategyOptions,
  tables: ServerTables,
  delta: Float32Array,
  coefficientTotal: number,
): { table: Float32Array; moments: Moments | null } {
  if (options.distribution !== "global") throw new Error(`a step on the summed change needs distribution "global"`);
  if (options.serverOptimizer !== "none") {
    return serverStep(options.serverOptimizer, options.serverLearningRate, tables.global, delta, tables.serverMoments ?? null);
  }
  const table = new Float32Array(tables.global.length);
  for (let k = 0; k < table.length; k++) table[k] = coefficientTotal * tables.global[k]! + delta[k]!;
  return { table, moments: null };
}

function buildNeighbourhood(
  options: GraphStrategyOptions,
  results: readonly TrainResult[],
  itemDim: number,
  gram: GramKernel | undefined,
  approximate: ApproximateKernels | undefined,
): SparseRows {
  const n = results.length;
  const rule = options.neighbourhood;
  if (rule.kind === "none") return identity(n);
  const vectors =
    options.graphSource === "user" ? results.map((r) => r.userWeights) : results.map((r) => materialise(r.items, itemDim));
  if (rule.kind === "topk" && usesApproximateSearch(options.graphSearch, n)) return approximateTopK(vectors, rule.k, approximate);
  return normaliseNeighbourhood(cosineSimilarityMatrix(vectors, gram), n, options.neighbourhood);
}

/** graphSearch "auto" finds topk neighbours approximately above this many participants. */
export const AUTO_APPROXIMATE_ABOVE = 2000;

export function usesApproximateSearch(graphSearch: GraphStrategyOptions["graphSearch"], participants: number): boolean {
  return graphSearch === "approximate" || (graphSearch === "auto" && participants > AUTO_APPROXIMATE_ABOVE);
}

/** Clients' locally computed metrics, weighted by how many held-out items each evaluated. */
export function aggregateEvaluate(results: readonly { readonly val: RankingMetrics; readonly test: RankingMetrics }[]): {
  val: RankingMetrics;
  test: RankingMetrics;
} {
  return { val: combineMetrics(results.map((r) => r.val)), test: combineMetrics(results.map((r) => r.test)) };
}
