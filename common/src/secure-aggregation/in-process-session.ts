/**
 * One secure-aggregation session with every client in this process: the same client and server
 * state objects a live federation would run, messages passed as `unknown` through the server's
 * checks. Clients can be made to vanish before any phase, as on a real network. Used by the
 * simulator, the tests and the benchmarks; it counts each client's bytes up and down.
 */
import type { RandomBytes } from "./key-material.ts";
import { messageBytes } from "./message-bytes.ts";
import { SecureAggregationClient } from "./secure-aggregation-client.ts";
import { SecureAggregationServer, type SessionOutcome, type SessionPlan } from "./secure-aggregation-server.ts";

export const SESSION_PHASES = ["advertise", "share-keys", "masked-input", "unmasking"] as const;
export type SessionPhase = (typeof SESSION_PHASES)[number];

export interface InProcessSession {
  readonly plan: SessionPlan;
  /** Each client's fixed-point input (fixed-point.ts), plan.vectorLength entries. */
  readonly inputs: ReadonlyMap<number, Uint32Array>;
  readonly randomBytes: RandomBytes;
  /** Clients that vanish before sending their message of the given phase. */
  readonly dropsBefore?: ReadonlyMap<number, SessionPhase>;
}

export interface SessionTraffic {
  /** Bytes all clients sent, and all clients received (messageBytes). */
  readonly up: number;
  readonly down: number;
}

export interface InProcessOutcome extends SessionOutcome {
  readonly traffic: SessionTraffic;
}

export async function runSessionInProcess(session: InProcessSession): Promise<InProcessOutcome> {
  const { plan, inputs, randomBytes } = session;
  const server = new SecureAggregationServer(plan);
  const clients = new Map(plan.clients.map((id) => [id, new SecureAggregationClient(id, plan.session, randomBytes)]));
  const traffic = { up: 0, down: 0 };
  const present = (phase: SessionPhase) =>
    [...clients.keys()].filter((id) => {
      const drop = session.dropsBefore?.get(id);
      return drop === undefined || SESSION_PHASES.indexOf(drop) > SESSION_PHASES.indexOf(phase);
    });
  const send = (message: unknown, receive: (m: unknown) => void) => {
    traffic.up += messageBytes(message);
    receive(message);
  };

  for (const id of present("advertise")) send(clients.get(id)!.advertiseKeys(), (m) => server.receiveKeys(m));
  const roster = server.closeAdvertising();
  const u1 = new Set(roster.keys.map((k) => k.client));
  for (const id of present("share-keys").filter((id) => u1.has(id))) {
    traffic.down += messageBytes(roster);
    send(await clients.get(id)!.shareKeys(roster), (m) => server.receiveShares(m));
  }
  const deliveries = server.closeSharing();
  for (const id of present("masked-input").filter((id) => deliveries.has(id))) {
    const delivery = deliveries.get(id)!;
    traffic.down += messageBytes(delivery);
    send(clients.get(id)!.maskInput(delivery, inputOf(inputs, id)), (m) => server.receiveMaskedInput(m));
  }
  const survivors = server.closeMaskedInputs();
  for (const id of present("unmasking").filter((id) => survivors.survivors.includes(id))) {
    traffic.down += messageBytes(survivors);
    send(clients.get(id)!.unmask(survivors), (m) => server.receiveUnmasking(m));
  }
  return { ...(await server.closeUnmasking()), traffic };
}

function inputOf(inputs: ReadonlyMap<number, Uint32Array>, id: number): Uint32Array {
  const input = inputs.get(id);
  if (!input) throw new Error(`no input for client ${id}`);
  return input;
}
