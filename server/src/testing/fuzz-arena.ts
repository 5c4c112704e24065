/**
 * The fuzz test's arena: a coordinator on a SQLite file with one federation in round 2 — round 1
 * completed by three clients, two of which ("honest", "dup") have had their round-2 uploads
 * accepted, while the third ("fuzzer") has not uploaded yet — plus a client that joined after the
 * round opened ("late", not sampled), a connection that never joined ("stranger") and an admin.
 * Everything is seeded: two arenas of one precision receive the same valid uploads, so a fuzzed
 * arena and an untouched one must end round 2 with the same checkpoint.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { io, type Socket } from "socket.io-client";
import { createRng, uploadedUserWeightsLength, type UploadMessage, type AcceptedUpload } from "@fedrec/common";
import { checksumOf, decodeUpload, encodeCheckpoint } from "../coordinator/checkpoint-codec.ts";
import type { Coordinator } from "../coordinator/coordinator.ts";
import type { JoinContext } from "./hostile-requests.ts";
import { validUpload, type UploadContext } from "./hostile-uploads.ts";
import {
  ADMIN_TOKEN,
  CODE,
  JOIN_TOKEN,
  TEST_PROFILE_DIM,
  startTestCoordinator,
  testWorld,
  waitUntil,
} from "./live-federation.ts";
import { RawClient } from "./raw-client.ts";

export type Precision = "float32" | "float16";

/** A connection: its socket and the protocol:error events it has received. */
export interface Peer {
  readonly socket: Socket;
  readonly errors: readonly unknown[];
}

export interface Arena {
  readonly coordinator: Coordinator;
  readonly database: string;
  readonly uploads: UploadContext;
  readonly joins: JoinContext;
  readonly honest: RawClient;
  readonly dup: RawClient;
  readonly fuzzer: RawClient;
  readonly late: RawClient;
  readonly stranger: RawClient;
  /** The dashboard's namespace, with the admin token. */
  readonly admin: Peer;
  /** The valid round-2 uploads: accepted (honest, dup) and still to come (fuzzer). */
  readonly accepted: ReadonlyMap<string, UploadMessage>;
  readonly fuzzerUpload: UploadMessage;
  close(): Promise<void>;
}

const NUM_ITEMS = 40;

export async function openArena(precision: Precision): Promise<Arena> {
  const world = await testWorld(
    3,
    // θ_user uploaded (the text graph), so its validation is fuzzed too.
    {
      minClientsToStart: 3,
      fractionTrain: 1,
      rounds: 4,
      roundDeadlineSeconds: 600,
      uploadPrecision: precision,
      neighbourhood: "topk",
      userWeightsUpload: "full",
    },
    NUM_ITEMS,
  );
  const dir = mkdtempSync(join(tmpdir(), "fedrec-fuzz-"));
  const database = join(dir, "coordinator.sqlite");
  const coordinator = await startTestCoordinator(world, { database });
  const joins: JoinContext = {
    code: CODE,
    token: JOIN_TOKEN,
    numItems: NUM_ITEMS,
    profileDim: TEST_PROFILE_DIM,
    encoder: world.encoder,
    registered: ["honest-client", "dup-client", "fuzzer-client", "late-client"],
    kicked: "kicked-client",
  };
  const join1 = { code: CODE, token: JOIN_TOKEN, numItems: NUM_ITEMS, profileDim: TEST_PROFILE_DIM, encoder: world.encoder };
  const connect = async (clientId: string | null) => {
    const client = await new RawClient(coordinator.url).connected();
    if (clientId) expectWelcome(await client.join({ ...join1, clientId }), `${clientId} joins`);
    return client;
  };
  const [honest, dup, fuzzer] = [await connect("honest-client"), await connect("dup-client"), await connect("fuzzer-client")];
  const uploads: UploadContext = {
    userWeights: uploadedUserWeightsLength(world.config, TEST_PROFILE_DIM),
    numItems: NUM_ITEMS,
    itemDim: world.config.itemDim,
    precision,
    round: 2,
    clientId: "fuzzer-client",
    otherClientId: "honest-client",
  };
  const rng = createRng(precision === "float32" ? 32 : 16);
  const send = async (client: RawClient, clientId: string, message: UploadMessage) =>
    expectAccepted(await client.request("upload", message), message.round, clientId);
  await Promise.all([honest, dup, fuzzer].map((c) => c.roundStart(1)));
  for (const [client, id] of [
    [honest, "honest-client"],
    [dup, "dup-client"],
    [fuzzer, "fuzzer-client"],
  ] as const)
    await send(client, id, validUpload(rng, uploads, id, 1));
  await Promise.all([honest, dup, fuzzer].map((c) => c.roundStart(2)));
  const late = await connect("late-client"); // joins the open round 2 late: not sampled
  const accepted = new Map([
    ["honest-client", validUpload(rng, uploads, "honest-client", 2)],
    ["dup-client", validUpload(rng, uploads, "dup-client", 2)],
  ]);
  await send(honest, "honest-client", accepted.get("honest-client")!);
  await send(dup, "dup-client", accepted.get("dup-client")!);
  const kicked = await connect("kicked-client");
  coordinator.control(CODE, { kick: "kicked-client" }); // the teacher removes it: its joins are refused
  kicked.close();
  const stranger = await connect(null);
  const admin = io(`${coordinator.url}/admin`, {
    auth: { code: CODE, token: ADMIN_TOKEN },
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    admin.once("connect", resolve);
    admin.once("connect_error", reject);
  });
  const adminErrors: unknown[] = [];
  admin.on("protocol:error", (error: unknown) => adminErrors.push(error));
  return {
    coordinator,
    database,
    uploads,
    joins,
    honest,
    dup,
    fuzzer,
    late,
    stranger,
    admin: { socket: admin, errors: adminErrors },
    accepted,
    fuzzerUpload: validUpload(rng, uploads, "fuzzer-client", 2),
    close: async () => {
      for (const client of [honest, dup, fuzzer, late, stranger]) client.close();
      admin.disconnect();
      await coordinator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function expectWelcome(reply: unknown, what: string): void {
  if (typeof reply !== "object" || reply === null || (reply as { ok?: unknown }).ok === false)
    throw new Error(`${what}: ${JSON.stringify(reply)}`);
}

function expectAccepted(reply: unknown, round: number, clientId: string): void {
  if (JSON.stringify(reply) !== JSON.stringify({ ok: true, round }))
    throw new Error(`${clientId}'s upload for round ${round}: ${JSON.stringify(reply)}`);
}

/** Everything the coordinator has accepted, in memory and in its journal (the rejection counters aside). */
export function acceptedState(arena: Arena): unknown {
  const f = arena.coordinator.find(CODE)!;
  const { rejected: _rejected, ...status } = f.status();
  return {
    status,
    clients: f.clientStates(),
    checkpoint: checksumOf(encodeCheckpoint(f.checkpoint())),
    history: JSON.stringify(f.history),
    config: f.config,
    journal: journalDigest(arena.database),
  };
}

const JOURNAL_TABLES = ["federations", "clients", "rounds", "checkpoints", "best_tables", "open_rounds", "accepted_uploads"];

/** A digest of every row of the coordinator's SQLite journal, read over a second, read-only connection. */
function journalDigest(database: string): string {
  const db = new Database(database, { readonly: true });
  try {
    const hash = createHash("sha256");
    for (const table of JOURNAL_TABLES) {
      for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()) hash.update(JSON.stringify(row));
    }
    return hash.digest("hex");
  } finally {
    db.close();
  }
}

/** The open round's accepted uploads as the journal holds them. */
export function journaledUploads(database: string): Map<string, AcceptedUpload> {
  const db = new Database(database, { readonly: true });
  try {
    const rows = db.prepare("SELECT client_id, upload FROM accepted_uploads WHERE code = ?").all(CODE) as {
      client_id: string;
      upload: Buffer;
    }[];
    return new Map(rows.map((r) => [r.client_id, decodeUpload(r.upload)]));
  } finally {
    db.close();
  }
}

/** The fuzzer's valid upload completes round 2; resolves with the stored checkpoint's checksum. */
export async function finishRound(arena: Arena): Promise<string> {
  expectAccepted(await arena.fuzzer.request("upload", arena.fuzzerUpload), 2, "fuzzer-client");
  await waitUntil(() => arena.coordinator.find(CODE)!.completedRounds === 2, 5000, "round 2 to complete");
  return arena.coordinator.checkpointChecksum(CODE)!;
}
