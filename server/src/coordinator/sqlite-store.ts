/**
 * The coordinator's durable state in one SQLite file (better-sqlite3: synchronous, so a write has
 * finished before the acknowledgement it guards is sent). WAL mode: a killed process loses nothing
 * that was committed. Only the latest checkpoint is kept, and the tables of the best-validation
 * round (rewritten only when a round becomes the best); round summaries are kept for all rounds.
 */
import Database from "better-sqlite3";
import type {
  AcceptedUpload,
  BestRound,
  Checkpoint,
  ClientRecord,
  FederationConfig,
  FederationJournal,
  FederationPhase,
  FederationSetup,
  RoundSummary,
  ServerTables,
  StoredFederation,
} from "@fedrec/common";
import {
  checksumOf,
  decodeBestRound,
  decodeCheckpoint,
  decodeUpload,
  encodeBestRound,
  encodeCheckpoint,
  encodeUpload,
} from "./checkpoint-codec.ts";
import {
  OLDEST_SCHEMA,
  SCHEMA_VERSION,
  restoreCatalogue,
  restoreConfig,
  restoreItems,
  restoreParticipants,
  restorePhase,
  restoreRoundSummary,
  restoreStoredCatalogue,
  upgradeStoredCatalogue,
  upgradeStoredConfig,
  type StoredCatalogue,
} from "./stored-state.ts";

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
CREATE TABLE IF NOT EXISTS best_tables (code TEXT PRIMARY KEY, round INTEGER NOT NULL, state BLOB NOT NULL, checksum TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS starting_tables (code TEXT PRIMARY KEY, state BLOB NOT NULL, checksum TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS open_rounds (code TEXT PRIMARY KEY, round INTEGER NOT NULL, participants TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accepted_uploads (
  code TEXT NOT NULL, round INTEGER NOT NULL, client_id TEXT NOT NULL, upload BLOB NOT NULL,
  PRIMARY KEY (code, round, client_id));
`;

export type { StoredCatalogue } from "./stored-state.ts";

export interface FederationSummary {
  readonly code: string;
  readonly phase: FederationPhase;
  readonly catalogue: StoredCatalogue;
  readonly config: FederationConfig;
  readonly completedRounds: number;
}

interface FederationRow {
  code: string;
  join_token: string;
  admin_token: string;
  catalogue: string;
  items: string | null;
  config: string;
  phase: string;
}

export class SqliteStore implements FederationJournal {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(SCHEMA);
    const version = this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    const stored = version === undefined ? SCHEMA_VERSION : Number(version.value);
    if (version === undefined) this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
    else if (Number.isInteger(stored) && stored >= OLDEST_SCHEMA && stored < SCHEMA_VERSION) this.upgrade(stored);
    else if (stored !== SCHEMA_VERSION) {
      throw new Error(
        `${path}: database schema ${version.value}, this coordinator reads schemas ${OLDEST_SCHEMA} to ${SCHEMA_VERSION}`,
      );
    }
  }

  /** Brings every saved configuration from schema `from` to the current one, in one transaction. */
  private upgrade(from: number): void {
    const rows = this.db.prepare("SELECT code, config, catalogue FROM federations").all() as Pick<
      FederationRow,
      "code" | "config" | "catalogue"
    >[];
    const update = this.db.prepare("UPDATE federations SET config = ? WHERE code = ?");
    const updateCatalogue = this.db.prepare("UPDATE federations SET catalogue = ? WHERE code = ?");
    this.db.transaction(() => {
      for (const row of rows) {
        const config = upgradeStoredConfig(JSON.parse(row.config) as Record<string, unknown>, from);
        update.run(JSON.stringify(restoreConfig(row.code, JSON.stringify(config))), row.code);
        const catalogue = upgradeStoredCatalogue(JSON.parse(row.catalogue) as Record<string, unknown>, from);
        updateCatalogue.run(JSON.stringify(restoreStoredCatalogue(row.code, JSON.stringify(catalogue))), row.code);
      }
      this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION));
    })();
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

  /**
   * What each saved federation is, without decoding its tables: enough for `npm start` to decide
   * whether to resume it. The catalogue is as stored (saved by an older version, it has no encoder).
   */
  summaries(): FederationSummary[] {
    const rows = this.db
      .prepare("SELECT code, catalogue, config, phase FROM federations ORDER BY created_at, code")
      .all() as Pick<FederationRow, "code" | "catalogue" | "config" | "phase">[];
    const completed = this.db.prepare("SELECT MAX(round) AS round FROM rounds WHERE code = ?");
    return rows.map((row) => ({
      code: row.code,
      phase: restorePhase(row.code, row.phase),
      catalogue: restoreStoredCatalogue(row.code, row.catalogue),
      config: restoreConfig(row.code, row.config),
      completedRounds: (completed.get(row.code) as { round: number | null }).round ?? 0,
    }));
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

  roundCompleted(code: string, summary: RoundSummary, checkpoint: Checkpoint, best: BestRound<ServerTables> | null): void {
    const state = encodeCheckpoint(checkpoint);
    const bestState = best && encodeBestRound(best);
    this.db.transaction(() => {
      if (best && bestState) {
        this.db
          .prepare("INSERT OR REPLACE INTO best_tables (code, round, state, checksum) VALUES (?, ?, ?, ?)")
          .run(code, best.round, bestState, checksumOf(bestState));
      }
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

  /**
   * A new federation's starting tables (a warm start): kept for a reset, and stored as the
   * checkpoint after round 0.
   */
  startingTables(code: string, tables: ServerTables): void {
    const state = encodeCheckpoint({ completedRounds: 0, tables, latestMetrics: new Map() });
    this.db.transaction(() => {
      this.db.prepare("INSERT INTO starting_tables (code, state, checksum) VALUES (?, ?, ?)").run(code, state, checksumOf(state));
      this.db
        .prepare("INSERT INTO checkpoints (code, round, state, checksum) VALUES (?, 0, ?, ?)")
        .run(code, state, checksumOf(state));
    })();
  }

  federationReset(code: string, tables: ServerTables): void {
    const state = encodeCheckpoint({ completedRounds: 0, tables, latestMetrics: new Map() });
    this.db.transaction(() => {
      for (const table of ["rounds", "best_tables", "open_rounds", "accepted_uploads"]) {
        this.db.prepare(`DELETE FROM ${table} WHERE code = ?`).run(code);
      }
      this.db
        .prepare("INSERT OR REPLACE INTO checkpoints (code, round, state, checksum) VALUES (?, 0, ?, ?)")
        .run(code, state, checksumOf(state));
      this.db.prepare("UPDATE federations SET phase = 'paused' WHERE code = ?").run(code);
    })();
  }

  /** The best-validation round of federation `code`, checked against its completed rounds. */
  private loadBest(code: string, completedRounds: number): BestRound<ServerTables> | null {
    const row = this.db.prepare("SELECT round, state, checksum FROM best_tables WHERE code = ?").get(code) as
      { round: number; state: Buffer; checksum: string } | undefined;
    if (!row) return null;
    const best = exactly(
      `federation ${code}: the best-validation tables`,
      row.state,
      row.checksum,
      decodeBestRound,
      encodeBestRound,
    );
    if (best.round !== row.round || best.round > completedRounds) {
      throw new Error(`federation ${code}: best-validation round ${best.round} does not fit ${completedRounds} completed rounds`);
    }
    return best;
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
    const checkpoint = stored
      ? exactly(`federation ${code}: the checkpoint`, stored.state, stored.checksum, decodeCheckpoint, encodeCheckpoint)
      : null;
    const start = this.db.prepare("SELECT state, checksum FROM starting_tables WHERE code = ?").get(code) as
      { state: Buffer; checksum: string } | undefined;
    const starting = start
      ? exactly(`federation ${code}: the starting tables`, start.state, start.checksum, decodeCheckpoint, encodeCheckpoint).tables
      : null;
    const history = (
      this.db.prepare("SELECT summary FROM rounds WHERE code = ? ORDER BY round").all(code) as { summary: string }[]
    ).map((r) => restoreRoundSummary(code, r.summary));
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
        catalogue: restoreCatalogue(code, row.catalogue),
        items: restoreItems(code, row.items),
      },
      config: restoreConfig(code, row.config),
      phase: restorePhase(code, row.phase),
      clients,
      checkpoint,
      best: this.loadBest(code, checkpoint?.completedRounds ?? 0),
      history,
      starting,
      openRound: open ? { round: open.round, participants: restoreParticipants(code, open.participants), accepted } : null,
    };
  }
}

/** Decodes stored bytes and proves the decoding exact: encoding the result again gives the stored checksum. */
function exactly<T>(
  what: string,
  state: Uint8Array,
  checksum: string,
  decode: (b: Uint8Array) => T,
  encode: (v: T) => Uint8Array,
): T {
  if (checksumOf(state) !== checksum) throw new Error(`${what} does not match its checksum (corrupted database?)`);
  const value = decode(state);
  if (checksumOf(encode(value)) !== checksum) {
    throw new Error(`${what} does not survive decoding (checksum differs); refusing to resume`);
  }
  return value;
}
