/**
 * The client's half of best-validation retention. A round's combined validation metric was
 * produced by each client's private layers as they were after its latest training; the server
 * keeps the tables of the best round, the client keeps those layers: when a round summary says its
 * round became the best, the current layers are snapshotted (no later round can have been trained
 * yet). After the run the client recommends with the best round's table and these layers.
 */
import type { ClientModel } from "../model/client-model.ts";
import type { ClientRuntime, RuntimeSnapshot } from "./client-runtime.ts";

/** The private layers a client kept for a best-validation round. */
export interface BestLayers {
  readonly round: number;
  readonly snapshot: RuntimeSnapshot;
}

export class BestRoundLayers {
  private keptLayers: BestLayers | null;
  /** The round the runtime's current layers were trained in (0: never trained; null: restored, unknown). */
  private layersRound: number | null;

  /** `saved`: layers kept before a reload; `restored`: the runtime continues from a saved snapshot. */
  constructor(
    saved: BestLayers | null,
    restored: boolean,
    private readonly onKept: (best: BestLayers) => void,
  ) {
    this.keptLayers = saved;
    this.layersRound = restored ? null : 0;
  }

  get kept(): BestLayers | null {
    return this.keptLayers;
  }

  /** The runtime's layers were just trained in `round`. */
  trained(round: number): void {
    this.layersRound = round;
  }

  /** The saved snapshot was not usable: the runtime starts from the initial layers. */
  restoreFailed(): void {
    this.layersRound = 0;
  }

  /**
   * `round` is the best round so far. At the end of that round (`atRoundEnd`) the current layers
   * are the right ones. Elsewhere (a welcome, the finish) only when they are known not to be newer
   * than `round`; otherwise nothing is kept and the client later falls back to its current layers.
   * Layers never trained are never kept: such a client had no metrics in the round, and any layers
   * it trains later serve it better. Call only when the runtime is not in the middle of training.
   */
  offer(round: number | null, atRoundEnd: boolean, runtime: ClientRuntime): void {
    if (round === null || this.layersRound === 0) return;
    if (this.keptLayers !== null && this.keptLayers.round >= round) return;
    if (!atRoundEnd && (this.layersRound === null || this.layersRound > round)) return;
    this.keptLayers = { round, snapshot: runtime.snapshot() };
    this.onKept(this.keptLayers);
  }

  /** Drops saved layers that do not fit the runtime's model; returns why, or null when they fit. */
  dropIfUnfit(runtime: ClientRuntime): string | null {
    const kept = this.keptLayers;
    if (!kept) return null;
    try {
      runtime.modelWithLayers(kept.snapshot, new Float32Array(0));
      return null;
    } catch (error) {
      this.keptLayers = null;
      return (error as Error).message;
    }
  }

  /** The model for recommendations after the run: `table` (of `bestRound`) with the layers kept for that round, else the current ones. */
  modelFor(runtime: ClientRuntime, bestRound: number | null, table: Float32Array): ClientModel {
    const kept = this.keptLayers;
    return kept !== null && kept.round === bestRound ? runtime.modelWithLayers(kept.snapshot, table) : runtime.modelWith(table);
  }
}
