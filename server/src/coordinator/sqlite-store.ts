/**
 * The coordinator's durable state in one SQLite file (better-sqlite3: synchronous, so a write has
 * finished before the acknowledgement it guards is sent). WAL mode: a killed process loses nothing
 * that was committed. Only the latest checkpoint is kept; round summaries are kept for all rounds.
 */
import Database from "better-sqlite3";
import type { Catalogue, CatalogueItems, FederationConfig, FederationPhase, RoundSummary } from "@fedrec/common";
import { checksumOf, decodeCheckpoint, decodeUpload, encodeCheckpoint, encodeUpload } from "./checkpoint-codec.ts";
import type {
  AcceptedUpload,
  Checkpoint,
  ClientRecord,
  FederationJournal,
  FederationSetup,
  StoredFederation,
} from "./federation-types.ts";

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS federations (
  code TEXT PRIMARY KEY, join_token TEXT NOT NULL, admin_token TEXT NOT NULL,
  catalogue TEXT NOT NULL, items TEXT, config TEXT NOT NULL, phase TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
  code TEXT NOT NULL, client_id TEXT NOT NULL, slot INTEGER NOT NULL, secret_digest TEXT NOT NULL,
  PRIMARY KEY (code, client_id), UNIQUE (code, slot));
CREATE TABLE IF NOT EXISTS rounds (code TEXT NOT NULL, round INTEGER NOT NULL, summary TEXT NOT NULL, PRIMARY KEY (code, round));
CREATE TABLE IF NOT EXISTS checkpoints (code TEXT PRIMARY KEY, round INTEGER NOT NULL, state BLOB NOT NULL, checksum TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS open_rounds (code TEXT PRIMARY KEY, round INTEGER NOT NULL, participants TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accepted_uploads (
  code TEXT NOT NULL, round INTEGER NOT NULL, client_id TEXT NOT NULL, upload BLOB NOT NULL,
  PRIMARY KEY (code, round, client_id));
`;

interface FederationRow {
  code: string;
  join_token: string;
  admin_token: string;
  catalogue: string;
  items: string | null;
  config: string;
  phase: FederationPhase;
}

export class SqliteStore implements FederationJournal {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(SCHEMA);
    const version = this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    if (version === undefined) this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
    else if (Number(version.value) !== SCHEMA_VERSION) {
      throw new Error(`${path}: database schema ${version.value}, this coordinator reads schema ${SCHEMA_VERSION}`);
    }
  }

  close(): void {
    this.db.close();
  }

  createFederation(setup: FederationSetup, config: FederationConfig, phase: FederationPhase, createdAt: number): void {
    this.db
      .prepare(
        "INSERT INTO federations (code, join_token, admin_token, catalogue, items, config, phase, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        setup.code,
        setup.joinToken,
        setup.adminToken,
        JSON.stringify(setup.catalogue),
        setup.items === null ? null : JSON.stringify(setup.items),
        JSON.stringify(config),
        phase,
        createdAt,
      );
  }

  loadFederations(): StoredFederation[] {
    const rows = this.db.prepare("SELECT * FROM federations ORDER BY created_at, code").all() as FederationRow[];
    return rows.map((row) => this.loadFederation(row));
  }

  /** Checksum of the latest checkpoint's bytes (null before the first completed round). */
  checkpointChecksum(code: string): string | null {
    const row = this.db.prepare("SELECT checksum FROM checkpoints WHERE code = ?").get(code) as { checksum: string } | undefined;
    return row?.checksum ?? null;
  }

  // ---------------------------------------------------------------- journal

  clientRegistered(code: string, client: ClientRecord): void {
    this.db
      .prepare("INSERT INTO clients (code, client_id, slot, secret_digest) VALUES (?, ?, ?, ?)")
      .run(code, client.clientId, client.slot, client.secretDigest);
  }

  roundOpened(code: string, round: number, participants: readonly string[]): void {
    this.db
      .prepare("INSERT OR REPLACE INTO open_rounds (code, round, participants) VALUES (?, ?, ?)")
      .run(code, round, JSON.stringify(participants));
  }

  uploadAccepted(code: string, round: number, clientId: string, upload: AcceptedUpload): void {
    this.db
      .prepare("INSERT INTO accepted_uploads (code, round, client_id, upload) VALUES (?, ?, ?, ?)")
      .run(code, round, clientId, encodeUpload(upload));
  }

  roundCompleted(code: string, summary: RoundSummary, checkpoint: Checkpoint): void {
    const state = encodeCheckpoint(checkpoint);
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO rounds (code, round, summary) VALUES (?, ?, ?)")
        .run(code, summary.round, JSON.stringify(summary));
      this.db
        .prepare("INSERT OR REPLACE INTO checkpoints (code, round, state, checksum) VALUES (?, ?, ?, ?)")
        .run(code, checkpoint.completedRounds, state, checksumOf(state));
      this.db.prepare("DELETE FROM open_rounds WHERE code = ?").run(code);
      this.db.prepare("DELETE FROM accepted_uploads WHERE code = ?").run(code);
    })();
  }

  settingsChanged(code: string, phase: FederationPhase, config: FederationConfig): void {
    this.db.prepare("UPDATE federations SET phase = ?, config = ? WHERE code = ?").run(phase, JSON.stringify(config), code);
  }

  // ---------------------------------------------------------------- loading

  private loadFederation(row: FederationRow): StoredFederation {
    const code = row.code;
    const clients = (
      this.db.prepare("SELECT client_id, slot, secret_digest FROM clients WHERE code = ? ORDER BY slot").all(code) as {
        client_id: string;
        slot: number;
        secret_digest: string;
      }[]
    ).map((c) => ({ clientId: c.client_id, slot: c.slot, secretDigest: c.secret_digest }));
    const stored = this.db.prepare("SELECT state, checksum FROM checkpoints WHERE code = ?").get(code) as
      { state: Buffer; checksum: string } | undefined;
    if (stored && checksumOf(stored.state) !== stored.checksum) {
      throw new Error(`federation ${code}: the stored checkpoint does not match its checksum (corrupted database?)`);
    }
    const history = (
      this.db.prepare("SELECT summary FROM rounds WHERE code = ? ORDER BY round").all(code) as { summary: string }[]
    ).map((r) => JSON.parse(r.summary) as RoundSummary);
    const open = this.db.prepare("SELECT round, participants FROM open_rounds WHERE code = ?").get(code) as
      { round: number; participants: string } | undefined;
    const accepted = open
      ? new Map(
          (
            this.db
              .prepare("SELECT client_id, upload FROM accepted_uploads WHERE code = ? AND round = ?")
              .all(code, open.round) as {
              client_id: string;
              upload: Buffer;
            }[]
          ).map((u) => [u.client_id, decodeUpload(u.upload)]),
        )
      : new Map<string, AcceptedUpload>();
    return {
      setup: {
        code,
        joinToken: row.join_token,
        adminToken: row.admin_token,
        catalogue: JSON.parse(row.catalogue) as Catalogue,
        items: row.items === null ? null : (JSON.parse(row.items) as CatalogueItems),
      },
      config: JSON.parse(row.config) as FederationConfig,
      phase: row.phase,
      clients,
      checkpoint: stored ? restoredCheckpoint(code, stored.state, stored.checksum) : null,
      history,
      openRound: open ? { round: open.round, participants: JSON.parse(open.participants) as string[], accepted } : null,
    };
  }
}

/** Decodes a checkpoint and proves the decoding exact: encoding it again gives the stored bytes. */
function restoredCheckpoint(code: string, state: Uint8Array, checksum: string): Checkpoint {
  const checkpoint = decodeCheckpoint(state);
  if (checksumOf(encodeCheckpoint(checkpoint)) !== checksum) {
    throw new Error(`federation ${code}: the checkpoint does not survive decoding (checksum differs); refusing to resume`);
  }
  return checkpoint;
}
