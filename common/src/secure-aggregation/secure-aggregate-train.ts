/**
 * aggregateTrain for distribution "global" with secure aggregation, every client in this process
 * (the simulator's driver). The graph and the coefficients c_j = Σ_i w_i P_ij come from the
 * uploaded θ_user exactly as in the plain strategy; then, per group of participants, each client
 * encodes c_j·clip(A_j − T, ±B) in fixed point (as it would on its device), the group runs a
 * secure-aggregation session, and the server decodes only the group sums. Their total Δ goes
 * through the same global step as a plain round (graph-strategy.ts, globalStepOnChange).
 *
 * Equals the plain aggregateTrain up to the fixed-point error (fixed-point.ts) and float rounding,
 * as long as no change exceeds ±B. The sum does not depend on the random bytes, so a seeded
 * simulation stays reproducible.
 */
import {
  clippedItems,
  globalStepOnChange,
  roundGraph,
  type AggregateTrainOutput,
  type GraphStrategyOptions,
  type ServerTables,
  type TrainResult,
} from "../aggregation/graph-strategy.ts";
import type { GramKernel } from "../graph/cosine-similarity.ts";
import { identity } from "../graph/neighbourhood.ts";
import { dequantiseSum, fixedPointScale, quantiseChange } from "./fixed-point.ts";
import { secureAggregationGroups, thresholdFor } from "./group-plan.ts";
import { runSessionInProcess, type InProcessSession, type SessionSeconds, type SessionTraffic } from "./in-process-session.ts";
import type { Clock } from "../client/client-runtime.ts";
import type { TableAggregator } from "../federation/round-strategy.ts";
import type { RandomBytes } from "./key-material.ts";

export interface SecureAggregationSettings {
  /** B of fixed-point.ts. */
  readonly range: number;
  readonly groupSize: number;
  /** Names the round's sessions (bound into their keys). */
  readonly round: number;
  readonly randomBytes: RandomBytes;
  /** Splits the sessions' time between the clients' rounds and the server's (none: zeros). */
  readonly clock?: Clock;
  /** Sees every message the server receives (in-process-session.ts). */
  readonly serverInbox?: InProcessSession["serverInbox"];
}

export interface SecureAggregateTrainOutput extends AggregateTrainOutput {
  /** All sessions' bytes, summed over clients. */
  readonly traffic: SessionTraffic;
  /** All sessions' seconds: every client's rounds together, and the server's. */
  readonly seconds: SessionSeconds;
}

export async function secureAggregateTrain(
  options: GraphStrategyOptions,
  settings: SecureAggregationSettings,
  tables: ServerTables,
  results: readonly TrainResult[],
  itemDim: number,
  gram?: GramKernel,
): Promise<SecureAggregateTrainOutput> {
  const traffic = { up: 0, down: 0 };
  const seconds = { clients: 0, server: 0 };
  if (results.length === 0) return { tables, participants: [], neighbourhood: identity(0), traffic, seconds };
  const { neighbourhood, coefficients } = roundGraph(options, results, itemDim, tables.global.length / itemDim, gram);
  const participants = results.map((r) => r.client);
  if (!coefficients) return { tables, participants, neighbourhood, traffic, seconds };
  const index = new Map(participants.map((client, j) => [client, j]));
  const delta = new Float64Array(tables.global.length); // the groups' sums added without float32 rounding
  for (const [g, group] of secureAggregationGroups(participants, settings.groupSize).entries()) {
    const members = group.map((client) => index.get(client)!);
    const scale = fixedPointScale(
      settings.range,
      members.map((j) => coefficients[j]!),
    );
    const inputs = new Map(
      members.map((j) => [
        participants[j]!,
        quantiseChange(clippedItems(options, results[j]!, itemDim), itemDim, coefficients[j]!, settings.range, scale),
      ]),
    );
    const plan = {
      session: `round ${settings.round} group ${g}`,
      clients: group,
      threshold: thresholdFor(group.length),
      vectorLength: delta.length,
    };
    const outcome = await runSessionInProcess({
      plan,
      inputs,
      randomBytes: settings.randomBytes,
      clock: settings.clock,
      serverInbox: settings.serverInbox,
    });
    const groupSum = dequantiseSum(outcome.sum, scale);
    for (let k = 0; k < delta.length; k++) delta[k] += groupSum[k]!;
    traffic.up += outcome.traffic.up;
    traffic.down += outcome.traffic.down;
    seconds.clients += outcome.seconds.clients;
    seconds.server += outcome.seconds.server;
  }
  const total = coefficients.reduce((a, c) => a + c, 0);
  const { table, moments } = globalStepOnChange(options, tables, Float32Array.from(delta), total);
  const next = { global: table, personal: new Map<number, Float32Array>(), serverMoments: moments };
  return { tables: next, participants, neighbourhood, traffic, seconds };
}

/**
 * The round machine's aggregation step through secure aggregation, everything in this process
 * (the simulator's; a live federation runs the phases in its round machine instead,
 * federation/live-secure-rounds.ts). Sessions are numbered by the aggregations this aggregator
 * has run: one per round.
 */
export function inProcessSecureAggregator(
  settings: Omit<SecureAggregationSettings, "round">,
  gram?: GramKernel,
): TableAggregator {
  let round = 0;
  return (options, tables, results, itemDim) =>
    secureAggregateTrain(options, { ...settings, round: ++round }, tables, results, itemDim, gram);
}
