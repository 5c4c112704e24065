/**
 * The honest-but-curious coordinator: it runs the protocol faithfully and keeps what it sees —
 * its own initial θ_user, the table it sent each client, and each upload — to attack it later
 * (recover-profile.ts, item-inference.ts). It sits around a ClientPool, so the federation it
 * watches is the simulator's, unchanged. It never reads anything a real coordinator would not
 * receive: with secure aggregation on, the item rows never reach it — its item attack then runs on
 * each client's masked input (observeMaskedInput), the one message about the table it receives.
 */
import type { MaskedInput } from "../../secure-aggregation/messages.ts";
import type { ClientPool, ClientReport, ClientTask } from "../../simulation/client-pool.ts";
import { guessRatedItems, guessRatedItemsFromFixedPoint, type ItemGuess } from "./item-inference.ts";
import { recoverProfileDirection } from "./recover-profile.ts";

export interface ObservedShapes {
  readonly jointDim: number;
  readonly profileDim: number;
  readonly itemDim: number;
  readonly numItems: number;
}

/** What the coordinator has kept about one client. */
interface ClientRecord {
  previousUserWeights: Float32Array | null;
  latestUserWeights: Float32Array | null;
  lastGuess: ItemGuess;
  uploads: number;
  /** Per item: in how many uploads it was changed / on the positive side. */
  readonly changedVotes: Uint16Array;
  readonly directionVotes: Uint16Array;
}

export class CuriousCoordinator implements ClientPool {
  private readonly records = new Map<number, ClientRecord>();

  constructor(
    private readonly inner: ClientPool,
    /** θ_user of the federation's initial model: the coordinator derives it from the seed. */
    private readonly initialUserWeights: Float32Array,
    private readonly shapes: ObservedShapes,
    /** What the coordinator receives of the item table: the trained rows, or masked inputs only. */
    private readonly itemView: "rows" | "masked-inputs",
  ) {}

  async runRound(tasks: readonly ClientTask[]): Promise<ClientReport[]> {
    const reports = await this.inner.runRound(tasks);
    reports.forEach((report, i) => this.observe(report.client, tasks[i]!.table, report.upload));
    return reports;
  }

  /** A client's masked input of secure aggregation (the server's copy, already checked). */
  observeMaskedInput(input: MaskedInput): void {
    if (this.itemView !== "masked-inputs") throw new Error("this coordinator receives item rows, not masked inputs");
    this.observeItems(this.record(input.client), guessRatedItemsFromFixedPoint(input.masked, this.shapes.itemDim));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Clients that have uploaded at least once. */
  get clients(): number[] {
    return [...this.records.keys()];
  }

  /**
   * The client's profile direction from its latest θ_user: `from-init` against the coordinator's
   * initialisation (all the client's training so far), `consecutive` against its previous upload
   * (what per-client initialisations would leave). null when θ_user was never uploaded (or, for
   * consecutive, uploaded once).
   */
  profileDirection(client: number, against: "from-init" | "consecutive"): Float64Array | null {
    const r = this.records.get(client);
    if (!r?.latestUserWeights) return null;
    const before = against === "from-init" ? this.initialUserWeights : r.previousUserWeights;
    if (!before) return null;
    return recoverProfileDirection(r.latestUserWeights, before, this.shapes.jointDim, this.shapes.profileDim);
  }

  /** The guesses of the client's latest upload alone. */
  latestGuess(client: number): ItemGuess | null {
    return this.records.get(client)?.lastGuess ?? null;
  }

  /** The items each rule named in at least half of the client's uploads so far. */
  repeatedGuess(client: number): ItemGuess | null {
    const r = this.records.get(client);
    if (!r) return null;
    const atLeastHalf = (votes: Uint16Array) =>
      Int32Array.from(votes.keys()).filter((item) => votes[item]! > 0 && 2 * votes[item]! >= r.uploads);
    return { changed: atLeastHalf(r.changedVotes), direction: atLeastHalf(r.directionVotes) };
  }

  private observe(client: number, sent: Float32Array, upload: ClientReport["upload"]): void {
    const r = this.record(client);
    if (upload.userWeights.length > 0) {
      r.previousUserWeights = r.latestUserWeights ?? this.initialUserWeights;
      r.latestUserWeights = upload.userWeights.slice();
    }
    if (this.itemView === "rows") this.observeItems(r, guessRatedItems(sent, upload.rows, upload.values, this.shapes.itemDim));
  }

  private observeItems(r: ClientRecord, guess: ItemGuess): void {
    r.lastGuess = guess;
    r.uploads++;
    for (const item of guess.changed) r.changedVotes[item]!++;
    for (const item of guess.direction) r.directionVotes[item]!++;
  }

  private record(client: number): ClientRecord {
    let r = this.records.get(client);
    if (!r) {
      const { numItems } = this.shapes;
      r = {
        previousUserWeights: null,
        latestUserWeights: null,
        lastGuess: { changed: new Int32Array(0), direction: new Int32Array(0) },
        uploads: 0,
        changedVotes: new Uint16Array(numItems),
        directionVotes: new Uint16Array(numItems),
      };
      this.records.set(client, r);
    }
    return r;
  }
}
