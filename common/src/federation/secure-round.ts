/**
 * One attempt of a round's secure aggregation (docs/secure-aggregation.md, "How it plugs into the
 * round machine"): a session per group of participants (secureAggregationGroups), each the core's
 * SecureAggregationServer driven phase by phase. A phase closes when every client expected in it
 * has answered, or at its deadline (`phaseMs` after it began) — the core then needs at least t
 * answers, else the session fails and yields nothing.
 *
 *   advertise → roster → share-keys → delivery → (the upload phase closes: c_j from the graph)
 *   → weight → masked-input → survivors → unmasking → the group's sum, dequantised.
 *
 * The key phases run while the clients train. `weigh` hands over the coefficients once the round's
 * uploads (θ_user, n_j) are in; a session still sharing keys gets its weights when that closes.
 * A group's outcome is Σ_{U3} c_j·clip(A_j − T) and Σ_{U3} c_j; the round machine rescales and steps.
 * Pure: no sockets, no clock of its own (`now` is the machine's).
 */
import { globalStepOnChange, type GraphStrategyOptions, type ServerTables } from "../aggregation/graph-strategy.ts";
import { dequantiseSum, fixedPointScale } from "../secure-aggregation/fixed-point.ts";
import { secureAggregationGroups, thresholdFor } from "../secure-aggregation/group-plan.ts";
import type { Roster, ShareDelivery, SurvivorList } from "../secure-aggregation/messages.ts";
import { SecureAggregationServer } from "../secure-aggregation/secure-aggregation-server.ts";
import { errorReply, type ErrorReply } from "../protocol/protocol-error.ts";
import {
  SECAGG_CLIENT_EVENTS,
  maskedBodyFromWire,
  refusalOf,
  type SecaggClientEvent,
  type Weight,
} from "../protocol/secure-aggregation-wire.ts";

/** What the coordinator sends a client during a session (the shell adds the round and the wire codec). */
export type SecureServerMessage =
  | { readonly kind: "roster"; readonly session: string; readonly body: Roster }
  | { readonly kind: "delivery"; readonly session: string; readonly body: ShareDelivery }
  | { readonly kind: "weight"; readonly session: string; readonly body: Weight }
  | { readonly kind: "survivors"; readonly session: string; readonly body: SurvivorList };

export interface SecureRoundPorts {
  readonly now: () => number;
  /** To the client in `slot`. */
  readonly send: (slot: number, message: SecureServerMessage) => void;
  /** A session's unmasking finished (or failed) after its close returned: the machine should look again. */
  readonly settled: () => void;
}

export interface SecureRoundPlan {
  /** Prefix of every session id: the federation's code, the round and the attempt. */
  readonly prefix: string;
  /** The participants' slots, in slot order. */
  readonly slots: readonly number[];
  readonly groupSize: number;
  /** Entries of the item table (numItems × itemDim). */
  readonly vectorLength: number;
  /** B of fixed-point.ts. */
  readonly range: number;
  /** Each phase's time, ms. */
  readonly phaseMs: number;
}

/** The sum of the sessions that succeeded. */
export interface SecureRoundOutcome {
  /** Σ over the successful sessions' survivors of c_j·clip(A_j − T) (float64). */
  readonly delta: Float64Array;
  /** Σ of those survivors' c_j. */
  readonly summedCoefficients: number;
  /** Slots whose change is in `delta`. */
  readonly summed: readonly number[];
  readonly sessions: number;
  readonly failed: number;
}

type Stage = "advertise" | "share-keys" | "await-weights" | "masked-input" | "unmasking" | "reconstructing" | "done" | "failed";

const STAGE_OF_EVENT: Record<SecaggClientEvent, Stage> = {
  [SECAGG_CLIENT_EVENTS.keys]: "advertise",
  [SECAGG_CLIENT_EVENTS.shareKeys]: "share-keys",
  [SECAGG_CLIENT_EVENTS.masked]: "masked-input",
  [SECAGG_CLIENT_EVENTS.unmasking]: "unmasking",
};

class GroupSession {
  stage: Stage = "advertise";
  deadline: number;
  /** Who is expected to answer in the current phase, and who has. */
  expected: ReadonlySet<number>;
  readonly answered = new Set<number>();
  /** U2, once sharing closed. */
  sharers: readonly number[] = [];
  weights: ReadonlyMap<number, number> | null = null;
  scale = 1;
  result: { readonly sum: Float64Array; readonly survivors: readonly number[] } | null = null;
  failure: string | null = null;
  /** The unmasking's reconstruction while it runs. */
  reconstruction: Promise<void> | null = null;

  constructor(
    readonly server: SecureAggregationServer,
    now: number,
    phaseMs: number,
  ) {
    this.expected = new Set(server.plan.clients);
    this.deadline = now + phaseMs;
  }

  get session(): string {
    return this.server.plan.session;
  }
}

export class SecureRound {
  private readonly groups: GroupSession[];
  private readonly groupOf = new Map<number, GroupSession>();
  private readonly bySession = new Map<string, GroupSession>();
  private coefficients: ReadonlyMap<number, number> | null = null;

  constructor(
    readonly plan: SecureRoundPlan,
    private readonly ports: SecureRoundPorts,
  ) {
    const now = ports.now();
    this.groups = secureAggregationGroups(plan.slots, plan.groupSize).map((clients, g) => {
      const server = new SecureAggregationServer({
        session: `${plan.prefix} group ${g}`,
        clients,
        threshold: thresholdFor(clients.length),
        vectorLength: plan.vectorLength,
      });
      return new GroupSession(server, now, plan.phaseMs);
    });
    for (const group of this.groups) {
      this.bySession.set(group.session, group);
      for (const slot of group.server.plan.clients) this.groupOf.set(slot, group);
    }
  }

  /** The session the client in `slot` takes part in (null: not a participant of this attempt). */
  sessionOf(slot: number): string | null {
    return this.groupOf.get(slot)?.session ?? null;
  }

  /** A client's message of `event` for `session`, checked by the session's server; null when taken. */
  receive(slot: number, event: SecaggClientEvent, session: string, body: unknown): ErrorReply | null {
    const group = this.bySession.get(session);
    if (!group) return errorReply("wrong-round", `${event}: no session "${session}" is running now`);
    if (this.groupOf.get(slot) !== group)
      return errorReply("not-sampled", `${event}: client ${slot} is not in session "${session}"`);
    if (STAGE_OF_EVENT[event] !== group.stage) {
      return errorReply(
        "wrong-round",
        `${event}: session "${session}" is at ${group.stage}${group.failure ? ` (${group.failure})` : ""}`,
      );
    }
    if (!group.expected.has(slot)) return errorReply("not-sampled", `${event}: client ${slot} is not expected in this phase`);
    const claimed = typeof body === "object" && body !== null ? (body as { client?: unknown }).client : undefined;
    if (claimed !== slot) {
      return errorReply(
        "unknown-client",
        `${event}: the message speaks for client ${String(claimed)}, this connection is client ${slot}`,
      );
    }
    const refusal = refusalOf(event, () => {
      const server = group.server;
      if (event === SECAGG_CLIENT_EVENTS.keys) server.receiveKeys(body);
      else if (event === SECAGG_CLIENT_EVENTS.shareKeys) server.receiveShares(body);
      else if (event === SECAGG_CLIENT_EVENTS.masked) server.receiveMaskedInput(maskedBodyFromWire(body, event));
      else server.receiveUnmasking(body);
      return null;
    });
    if (refusal) return refusal;
    group.answered.add(slot);
    this.advanceGroup(group);
    return null;
  }

  /**
   * The upload phase closed: c_j of every participant that uploaded (others have none and take no
   * further part). Sessions past key sharing get their weights now, the others when sharing closes.
   */
  weigh(coefficients: ReadonlyMap<number, number>): void {
    this.coefficients = coefficients;
    for (const group of this.groups) if (group.stage === "await-weights") this.sendWeights(group);
  }

  /** Closes the phases that are complete or past their deadline. */
  tick(): void {
    for (const group of this.groups) this.advanceGroup(group);
  }

  /** Resolves when no session is reconstructing (null: none is). */
  reconstructing(): Promise<void> | null {
    const running = this.groups.map((g) => g.reconstruction).filter((p): p is Promise<void> => p !== null);
    return running.length > 0 ? Promise.all(running).then(() => undefined) : null;
  }

  /** Every session done or failed. */
  get settled(): boolean {
    return this.groups.every((g) => g.stage === "done" || g.stage === "failed");
  }

  /** The successful sessions' sum (call once settled). */
  outcome(): SecureRoundOutcome {
    const delta = new Float64Array(this.plan.vectorLength);
    let summedCoefficients = 0;
    const summed: number[] = [];
    for (const group of this.groups) {
      if (!group.result) continue;
      for (let k = 0; k < delta.length; k++) delta[k] += group.result.sum[k]!;
      for (const slot of group.result.survivors) {
        summedCoefficients += group.weights!.get(slot)!;
        summed.push(slot);
      }
    }
    const failed = this.groups.filter((g) => g.stage === "failed").length;
    return { delta, summedCoefficients, summed, sessions: this.groups.length, failed };
  }

  /** Why each failed session failed (for the log). */
  failures(): string[] {
    return this.groups.filter((g) => g.failure !== null).map((g) => `${g.session}: ${g.failure}`);
  }

  private advanceGroup(group: GroupSession): void {
    const complete = [...group.expected].every((slot) => group.answered.has(slot));
    if (!complete && this.ports.now() < group.deadline) return;
    try {
      if (group.stage === "advertise") this.closeAdvertising(group);
      else if (group.stage === "share-keys") this.closeSharing(group);
      else if (group.stage === "masked-input") this.closeMasked(group);
      else if (group.stage === "unmasking") this.closeUnmasking(group);
    } catch (error) {
      this.fail(group, error);
    }
  }

  private closeAdvertising(group: GroupSession): void {
    const roster = group.server.closeAdvertising();
    const members = roster.keys.map((k) => k.client);
    this.nextPhase(group, "share-keys", members);
    for (const slot of members) this.ports.send(slot, { kind: "roster", session: group.session, body: roster });
  }

  private closeSharing(group: GroupSession): void {
    const deliveries = group.server.closeSharing();
    group.sharers = [...deliveries.keys()];
    this.nextPhase(group, "await-weights", []);
    for (const [slot, body] of deliveries) this.ports.send(slot, { kind: "delivery", session: group.session, body });
    if (this.coefficients) this.sendWeights(group);
  }

  /** c_j and the group's scale to every member of U2 that uploaded; the masked-input phase begins. */
  private sendWeights(group: GroupSession): void {
    const coefficients = this.coefficients!;
    const weighted = group.sharers.filter((slot) => coefficients.has(slot));
    const members = group.server.plan.clients.filter((slot) => coefficients.has(slot));
    if (weighted.length === 0)
      return this.fail(group, new Error(`no client of session ${group.session} that shared its keys uploaded`));
    group.weights = new Map(members.map((slot) => [slot, coefficients.get(slot)!]));
    // S from every uploader of the group: the no-overflow bound then holds for any subset that answers.
    group.scale = fixedPointScale(
      this.plan.range,
      members.map((slot) => coefficients.get(slot)!),
    );
    this.nextPhase(group, "masked-input", weighted);
    for (const slot of weighted) {
      const body: Weight = { coefficient: coefficients.get(slot)!, scale: group.scale, range: this.plan.range };
      this.ports.send(slot, { kind: "weight", session: group.session, body });
    }
    this.advanceGroup(group); // nobody to wait for: close (and fail) now
  }

  private closeMasked(group: GroupSession): void {
    const survivors = group.server.closeMaskedInputs();
    this.nextPhase(group, "unmasking", survivors.survivors);
    for (const slot of survivors.survivors) this.ports.send(slot, { kind: "survivors", session: group.session, body: survivors });
  }

  private closeUnmasking(group: GroupSession): void {
    group.stage = "reconstructing";
    group.reconstruction = group.server.closeUnmasking().then(
      (outcome) => {
        group.result = { sum: dequantiseSum(outcome.sum, group.scale), survivors: outcome.survivors };
        group.stage = "done";
        group.reconstruction = null;
        this.ports.settled();
      },
      (error: unknown) => {
        this.fail(group, error);
        group.reconstruction = null;
        this.ports.settled();
      },
    );
  }

  private nextPhase(group: GroupSession, stage: Stage, expected: readonly number[]): void {
    group.stage = stage;
    group.expected = new Set(expected);
    group.answered.clear();
    group.deadline = this.ports.now() + this.plan.phaseMs;
  }

  private fail(group: GroupSession, error: unknown): void {
    group.stage = "failed";
    group.failure = error instanceof Error ? error.message : String(error);
  }
}

/**
 * The round's new tables from the summed change. For `mean` and `fedavg` the c_j of a round sum to
 * 1, so the change of the clients that dropped before their masked input (or whose session failed)
 * is made up by rescaling the others': Δ·Σ_all c_j / Σ_summed c_j. For `sum` their change is
 * simply absent. Then the same global step as any secure round (globalStepOnChange).
 */
export function secureRoundTables(
  options: GraphStrategyOptions,
  tables: ServerTables,
  coefficients: ArrayLike<number>,
  outcome: SecureRoundOutcome,
): ServerTables {
  let total = 0;
  for (let j = 0; j < coefficients.length; j++) total += coefficients[j]!;
  const summed = outcome.summedCoefficients;
  const factor = options.globalUpdate === "sum" ? 1 : summed > 0 ? total / summed : 0;
  const delta = Float32Array.from(outcome.delta, (d) => d * factor);
  const { table, moments } = globalStepOnChange(options, tables, delta, total);
  return { global: table, personal: new Map(), serverMoments: moments };
}
