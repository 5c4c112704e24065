/**
 * Per phase of a load run ("connecting", "round 1", …): the longest event-loop stall of the
 * coordinator and of the generator, and the machine's load average — to tell whose loop stalled
 * when clients were dropped, and how busy the shared machine was meanwhile.
 */
export interface PhaseStalls {
  readonly phase: string;
  readonly coordinatorMs: number;
  readonly generatorMs: number;
  /** The highest one-minute load average sampled in the phase. */
  readonly loadAverage: number;
}

export class PhaseStallLog {
  private readonly byPhase = new Map<string, PhaseStalls>();

  record(phase: string, coordinatorMs: number, generatorMs: number, loadAverage: number): void {
    const seen = this.byPhase.get(phase);
    this.byPhase.set(phase, {
      phase,
      coordinatorMs: Math.max(seen?.coordinatorMs ?? 0, coordinatorMs),
      generatorMs: Math.max(seen?.generatorMs ?? 0, generatorMs),
      loadAverage: Math.max(seen?.loadAverage ?? 0, loadAverage),
    });
  }

  /** The phases in the order they were first seen. */
  phases(): readonly PhaseStalls[] {
    return [...this.byPhase.values()];
  }
}
