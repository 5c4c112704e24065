/**
 * One secure-aggregation session with every client in this process: the same client and server
 * state objects a live federation would run, messages passed as `unknown` through the server's
 * checks. Clients can be made to vanish before any phase, as on a real network. Used by the
 * simulator, the tests and the benchmarks; it counts the clients' bytes up and down and, with a
 * clock, the seconds spent in the clients' rounds and in the server's.
 */
import type { Clock } from "../client/client-runtime.ts";
import type { RandomBytes } from "./key-material.ts";
import { messageBytes } from "./message-bytes.ts";
import { SecureAggregationClient } from "./secure-aggregation-client.ts";
import { SecureAggregationServer, type SessionOutcome, type SessionPlan } from "./secure-aggregation-server.ts";

export const SECURE_AGGREGATION_PHASES = ["advertise", "share-keys", "masked-input", "unmasking"] as const;
export type SecureAggregationPhase = (typeof SECURE_AGGREGATION_PHASES)[number];

export interface InProcessSession {
  readonly plan: SessionPlan;
  /** Each client's fixed-point input (fixed-point.ts), plan.vectorLength entries. */
  readonly inputs: ReadonlyMap<number, Uint32Array>;
  readonly randomBytes: RandomBytes;
  /** Clients that vanish before sending their message of the given phase. */
  readonly dropsBefore?: ReadonlyMap<number, SecureAggregationPhase>;
  readonly clock?: Clock;
  /** Sees every message the server receives, as it arrives (the attack harness's coordinator). */
  readonly serverInbox?: (phase: SecureAggregationPhase, message: unknown) => void;
}

export interface SessionTraffic {
  /** Bytes all clients sent, and all clients received (messageBytes). */
  readonly up: number;
  readonly down: number;
}

/** Seconds in all clients' rounds together, and in the server's receive and close steps. */
export interface SessionSeconds {
  readonly clients: number;
  readonly server: number;
}

export interface InProcessOutcome extends SessionOutcome {
  readonly traffic: SessionTraffic;
  readonly seconds: SessionSeconds;
}

export async function runSessionInProcess(session: InProcessSession): Promise<InProcessOutcome> {
  const { plan, inputs, randomBytes } = session;
  const clock = session.clock ?? (() => 0);
  const seconds = { clients: 0, server: 0 };
  const traffic = { up: 0, down: 0 };
  const timed = async <T>(side: keyof SessionSeconds, step: () => T | Promise<T>): Promise<T> => {
    const t0 = clock();
    const out = await step();
    seconds[side] += clock() - t0;
    return out;
  };
  const server = new SecureAggregationServer(plan);
  const clients = new Map(plan.clients.map((id) => [id, new SecureAggregationClient(id, plan.session, randomBytes)]));
  const present = (phase: SecureAggregationPhase) =>
    [...clients.keys()].filter((id) => {
      const drop = session.dropsBefore?.get(id);
      return drop === undefined || SECURE_AGGREGATION_PHASES.indexOf(drop) > SECURE_AGGREGATION_PHASES.indexOf(phase);
    });
  /** One client's round: it receives `incoming` (if any), answers, and the server checks the answer. */
  const exchange = async (
    phase: SecureAggregationPhase,
    incoming: unknown,
    answer: () => unknown,
    receive: (m: unknown) => void,
  ) => {
    if (incoming !== undefined) traffic.down += messageBytes(incoming);
    const message = await timed("clients", answer);
    traffic.up += messageBytes(message);
    session.serverInbox?.(phase, message);
    await timed("server", () => receive(message));
  };

  for (const id of present("advertise")) {
    await exchange(
      "advertise",
      undefined,
      () => clients.get(id)!.advertiseKeys(),
      (m) => server.receiveKeys(m),
    );
  }
  const roster = await timed("server", () => server.closeAdvertising());
  const u1 = new Set(roster.keys.map((k) => k.client));
  for (const id of present("share-keys").filter((id) => u1.has(id))) {
    await exchange(
      "share-keys",
      roster,
      () => clients.get(id)!.shareKeys(roster),
      (m) => server.receiveShares(m),
    );
  }
  const deliveries = await timed("server", () => server.closeSharing());
  for (const id of present("masked-input").filter((id) => deliveries.has(id))) {
    const delivery = deliveries.get(id)!;
    await exchange(
      "masked-input",
      delivery,
      () => clients.get(id)!.maskInput(delivery, inputOf(inputs, id)),
      (m) => server.receiveMaskedInput(m),
    );
  }
  const survivors = await timed("server", () => server.closeMaskedInputs());
  for (const id of present("unmasking").filter((id) => survivors.survivors.includes(id))) {
    await exchange(
      "unmasking",
      survivors,
      () => clients.get(id)!.unmask(survivors),
      (m) => server.receiveUnmasking(m),
    );
  }
  const outcome = await timed("server", () => server.closeUnmasking());
  return { ...outcome, traffic, seconds };
}

function inputOf(inputs: ReadonlyMap<number, Uint32Array>, id: number): Uint32Array {
  const input = inputs.get(id);
  if (!input) throw new Error(`no input for client ${id}`);
  return input;
}
