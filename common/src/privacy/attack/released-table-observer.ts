/**
 * Attacks on what the coordinator releases — the global table after each round — by the observer
 * client-level DP is stated against: one who knows every other participant's data (here: every
 * participant's clipped change c_j) and asks about one client u. From two consecutive released
 * tables it isolates the round's residual e_t = (T_t − T_{t−1})/η_s − Σ_j c_j: the DP noise, or
 * float rounding alone without DP. u's contribution then reads c_u + e_t. Two attacks on it:
 * - membership, did u take part: the likelihood-ratio statistic for a known c_u, ⟨x, c_u⟩/‖c_u‖,
 *   on x = c_u + e_t (u took part) and on x = e_t (the same release without u), summed over the
 *   rounds so far. Under "u did not take part" the sum is N(0, T·(σC)²) whatever the other clients
 *   did, so the test "sum > Φ⁻¹(0.95)·σC·√T" has a 5 % false-positive rate by construction (its
 *   measured rate is reported as a check); without noise the threshold is the 95th percentile of
 *   the clients' "without u" sums. Scored against the bound DP puts on any test
 *   (gaussian-dp-bound.ts). One noise draw per round is shared by all clients, so means over
 *   clients vary more from run to run than their number suggests.
 * - rated items: attack (c)'s direction rule on the k rows of c_u + e_t of largest norm, k = the
 *   rows u trained (generous: this observer is not told which rows they are).
 * Measured only where the release is that sum: distribution global, no graph, `globalUpdate: sum`,
 * server SGD, no secure aggregation (releasedTableAttackApplies).
 */
import { clipUpdate } from "../../aggregation/clip-update.ts";
import type { ItemTableUpdate } from "../../aggregation/item-table-update.ts";
import type { FederationConfig } from "../../config/federation-config.ts";
import type { ClientPool, ClientReport, ClientTask } from "../../simulation/client-pool.ts";
import { FALSE_POSITIVE_RATE, Z_95 } from "./gaussian-dp-bound.ts";
import { splitChanges, type ItemGuess } from "./item-inference.ts";

type ReleaseConfig = Pick<
  FederationConfig,
  "distribution" | "neighbourhood" | "globalUpdate" | "serverOptimizer" | "secureAggregation"
>;

export function releasedTableAttackApplies(c: ReleaseConfig): boolean {
  return (
    c.distribution === "global" &&
    c.neighbourhood.kind === "none" &&
    c.globalUpdate === "sum" &&
    c.serverOptimizer === "sgd" &&
    !c.secureAggregation
  );
}

export class ReleasedTableObserver implements ClientPool {
  private round: { sent: Float32Array; changes: Map<number, ItemTableUpdate> } | null = null;
  /** Per client: Σ_t of the membership statistic with u in and without u, over the rounds it took part in. */
  readonly membership = new Map<number, MembershipStatistic>();
  /** Per client: the guess from the latest round's residual. */
  readonly latestGuess = new Map<number, ItemGuess>();

  constructor(
    private readonly inner: ClientPool,
    private readonly itemDim: number,
    /** η_s: T_t = T_{t−1} + η_s·Δ. */
    private readonly serverLearningRate: number,
    /** C the coordinator clips each change to (null: not clipped). */
    private readonly clipNorm: number | null,
  ) {}

  async runRound(tasks: readonly ClientTask[]): Promise<ClientReport[]> {
    const reports = await this.inner.runRound(tasks);
    const changes = new Map<number, ItemTableUpdate>();
    reports.forEach((report, i) => {
      const update = { base: tasks[i]!.table, rows: report.upload.rows, values: report.upload.values };
      changes.set(report.client, this.clipNorm === null ? update : clipUpdate(update, this.clipNorm, this.itemDim));
    });
    this.round = { sent: tasks[0]?.table ?? new Float32Array(0), changes };
    return reports;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The table released after the round: attack every participant's contribution to it. */
  observeRelease(released: Float32Array): void {
    if (!this.round || this.round.changes.size === 0) return;
    const { sent, changes } = this.round;
    const residual = new Float64Array(released.length);
    for (let k = 0; k < residual.length; k++) residual[k] = (released[k]! - sent[k]!) / this.serverLearningRate;
    for (const change of changes.values()) forEachChange(change, this.itemDim, (k, d) => (residual[k] -= d));
    for (const [client, change] of changes) this.attack(client, change, residual);
    this.round = null;
  }

  private attack(client: number, change: ItemTableUpdate, residual: Float64Array): void {
    const contribution = residual.slice();
    let overlap = 0;
    let squaredNorm = 0;
    forEachChange(change, this.itemDim, (k, d) => {
      overlap += residual[k]! * d;
      squaredNorm += d * d;
      contribution[k] += d;
    });
    const norm = Math.sqrt(squaredNorm);
    const stats = this.membership.get(client) ?? { in: 0, out: 0, rounds: 0 };
    if (norm > 0) {
      this.membership.set(client, {
        in: stats.in + overlap / norm + norm,
        out: stats.out + overlap / norm,
        rounds: stats.rounds + 1,
      });
    }
    this.latestGuess.set(client, directionOfLargestRows(contribution, change.rows.length, this.itemDim));
  }
}

/** The direction rule of item-inference.ts on the k rows of `table` with the largest norm. */
export function directionOfLargestRows(table: Float64Array, k: number, itemDim: number): ItemGuess {
  const numRows = table.length / itemDim;
  const norms = Float64Array.from({ length: numRows }, (_, row) => {
    let s = 0;
    for (let d = 0; d < itemDim; d++) s += table[row * itemDim + d]! ** 2;
    return s;
  });
  const largest = Int32Array.from(norms.keys())
    .sort((a, b) => norms[b]! - norms[a]!)
    .subarray(0, k)
    .sort();
  const deltas = new Float32Array(largest.length * itemDim);
  largest.forEach((row, r) => deltas.set(table.subarray(row * itemDim, (row + 1) * itemDim), r * itemDim));
  return splitChanges(largest, deltas, itemDim);
}

export interface MembershipStatistic {
  readonly in: number;
  readonly out: number;
  readonly rounds: number;
}

/**
 * The membership test at a 5 % false-positive rate: its true- and false-positive rates over the
 * clients. `noiseStd` σ·C per round sets the threshold Φ⁻¹(0.95)·σC·√rounds; null (no noise): the
 * 95th percentile of the `out` sums.
 */
export function membershipTest(
  stats: readonly MembershipStatistic[],
  noiseStd: number | null,
): { truePositiveRate: number; falsePositiveRate: number } {
  if (stats.length === 0) return { truePositiveRate: 0, falsePositiveRate: 0 };
  const outs = stats.map((s) => s.out).sort((a, b) => b - a);
  const percentile = outs[Math.floor(FALSE_POSITIVE_RATE * outs.length)]!;
  const threshold = (s: MembershipStatistic) => (noiseStd === null ? percentile : Z_95 * noiseStd * Math.sqrt(s.rounds));
  const share = (above: (s: MembershipStatistic) => boolean) => stats.filter(above).length / stats.length;
  return { truePositiveRate: share((s) => s.in > threshold(s)), falsePositiveRate: share((s) => s.out > threshold(s)) };
}

function forEachChange(change: ItemTableUpdate, itemDim: number, visit: (entry: number, delta: number) => void): void {
  change.rows.forEach((row, r) => {
    for (let d = 0; d < itemDim; d++) {
      const entry = row * itemDim + d;
      visit(entry, change.values[r * itemDim + d]! - change.base[entry]!);
    }
  });
}
