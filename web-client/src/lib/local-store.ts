/**
 * What the device keeps, per federation, in IndexedDB (never in cookies or localStorage, never
 * sent anywhere): identity, profile text and its embedding, interactions, the local model.
 */
import type { BestLayers, ClientIdentity, EncoderIdentity, Interaction, RuntimeSnapshot } from "@fedrec/common";

export interface StoredClient {
  identity: ClientIdentity;
  /** Selects this device's random streams. */
  readonly streamKey: number;
  profileText: string;
  embedding: Float32Array | null;
  /** The encoder that computed `embedding` (absent in data saved by older versions: embed again). */
  encoder?: EncoderIdentity | null;
  interactions: Interaction[];
  /** Label of a demo persona when the data came from one. */
  persona: string | null;
  /** The name the person chose for the class's dashboard (absent in data saved by older versions). */
  nickname?: string;
  snapshot: RuntimeSnapshot | null;
  /** The local model of the best-validation round so far (absent in data saved by older versions). */
  best?: BestLayers | null;
  /** The person asked to take part: reconnect by themselves after a reload. */
  joined: boolean;
}

const DB = "fedrec-live";
const STORE = "clients";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is not available"));
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
    });
  } finally {
    db.close();
  }
}

export const loadClient = (code: string) => run<StoredClient | undefined>("readonly", (s) => s.get(code));
export const saveClient = (code: string, client: StoredClient) => run("readwrite", (s) => s.put(client, code));
export const deleteClient = (code: string) => run("readwrite", (s) => s.delete(code));

function randomId(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function newClient(): StoredClient {
  return {
    identity: { clientId: `web-${randomId(12)}`, secret: null },
    streamKey: crypto.getRandomValues(new Uint32Array(1))[0]! & 0x7fffffff,
    profileText: "",
    embedding: null,
    encoder: null,
    interactions: [],
    persona: null,
    snapshot: null,
    best: null,
    joined: false,
  };
}
