/**
 * Who belongs to a federation: every registered client with its dense slot (the strategy's index:
 * graph rows, personalised tables), whether it is connected now, and the label it gave at its
 * latest join. Slots are handed out in order of first registration and never reused.
 */
import type { ClientRecord } from "./federation-types.ts";

export interface RegisteredClient extends ClientRecord {
  connected: boolean;
  /** As the client gave it at its latest join (kept in memory only). */
  label: string | null;
}

export class ClientRegistry {
  private readonly byId = new Map<string, RegisteredClient>();
  private readonly bySlot: RegisteredClient[] = [];

  /** `records`: the clients registered before (a restart), in slot order. */
  constructor(records: readonly ClientRecord[] = []) {
    for (const record of records) this.add(record);
  }

  get size(): number {
    return this.bySlot.length;
  }

  /** The slot the next registered client gets. */
  get nextSlot(): number {
    return this.bySlot.length;
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.byId.get(clientId);
  }

  /** The client in `slot` (slots are dense, so every slot below `size` has one). */
  atSlot(slot: number): RegisteredClient {
    const client = this.bySlot[slot];
    if (!client) throw new Error(`no client in slot ${slot} (${this.size} registered)`);
    return client;
  }

  /** Every client, in slot order. */
  all(): readonly RegisteredClient[] {
    return this.bySlot;
  }

  /** The connected clients, in slot order. */
  connected(): RegisteredClient[] {
    return this.bySlot.filter((c) => c.connected);
  }

  add(record: ClientRecord, label: string | null = null): RegisteredClient {
    if (record.slot !== this.bySlot.length)
      throw new Error(`client slots must be dense: got ${record.slot}, expected ${this.bySlot.length}`);
    if (this.byId.has(record.clientId)) throw new Error(`client ${record.clientId} is registered already`);
    const client: RegisteredClient = { ...record, connected: false, label };
    this.byId.set(record.clientId, client);
    this.bySlot.push(client);
    return client;
  }
}
