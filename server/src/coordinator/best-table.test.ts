/**
 * Best-validation retention and early stopping of the round machine with the coordinator's journal, over scripted
 * runs: three clients upload made-up row changes with validation HR@10 that rises, ties, then
 * falls; the clock is a variable; the journal is a real SQLite file, so a restart is a new store
 * and a new Federation on the same file.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { bagOfWordsIdentity } from "@fedrec/common/testing";
import {
  DEFAULT_CONFIG,
  PROTOCOL_VERSION,
  resolveConfig,
  toWire,
  type RoundSummary,
  uploadedUserWeightsLength,
  Federation,
  type FederationOutbox,
  type FinishedRun,
} from "@fedrec/common";
import { nodeCredentials } from "./credentials.ts";
import { SqliteStore } from "./sqlite-store.ts";

const CODE = "BEST01";
const JOIN = "best-join-token";
const NUM_ITEMS = 20;
const PROFILE_DIM = 4;
const CLIENTS = ["client-aaaa", "client-bbbb", "client-cccc"];
/** Rises to round 3, ties it in round 5, then falls. */
const VALIDATION = [0.1, 0.3, 0.5, 0.4, 0.5, 0.45, 0.2, 0.3, 0.25, 0.1];

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** What the federation sent: per round each client's table as it was when sent (a copy), summaries, finishes. */
interface Sent {
  readonly tables: Map<number, Map<string, Float32Array>>;
  readonly summaries: RoundSummary[];
  readonly finished: Map<string, FinishedRun>;
}

function recordingOutbox(): { outbox: FederationOutbox; sent: Sent } {
  const sent: Sent = { tables: new Map(), summaries: [], finished: new Map() };
  const outbox: FederationOutbox = {
    sendRound: (clientId, start) => {
      if (!sent.tables.has(start.round)) sent.tables.set(start.round, new Map());
      sent.tables.get(start.round)!.set(clientId, start.table.slice());
    },
    roundEnded: (summary) => void sent.summaries.push(summary),
    finished: (clientId, run) => void sent.finished.set(clientId, run),
    stateChanged: () => {},
    reset: () => {},
    kicked: () => {},
  };
  return { outbox, sent };
}

function tempDatabase(): string {
  const dir = mkdtempSync(join(tmpdir(), "fedrec-best-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "coordinator.sqlite");
}

interface Harness {
  readonly federation: Federation;
  readonly sent: Sent;
  readonly store: SqliteStore;
}

/** Schemas 2 and 3 stored the neighbourhood flat, both parameters always present (here the default top-10). */
const FLAT_NEIGHBOURHOOD = `UPDATE federations SET config = json_set(config, '$.neighbourhood', 'topk', '$.neighbourhoodSize', 10, '$.thresholdFactor', 1);`;

/** Opens (or reopens) the federation stored in `path`, creating it with `overrides` the first time. */
function open(path: string, overrides: object = {}): Harness {
  const store = new SqliteStore(path);
  let [stored] = store.loadFederations();
  if (!stored) {
    const config = resolveConfig(DEFAULT_CONFIG, { rounds: VALIDATION.length, minClientsToStart: 3, ...overrides });
    const catalogue = {
      dataset: "scripted",
      numItems: NUM_ITEMS,
      profileDim: PROFILE_DIM,
      encoder: bagOfWordsIdentity(PROFILE_DIM),
    };
    store.createFederation(
      { code: CODE, joinToken: JOIN, adminToken: "best-admin-token", catalogue, items: null },
      config,
      "waiting",
      0,
    );
    [stored] = store.loadFederations();
  }
  const { outbox, sent } = recordingOutbox();
  const { setup, ...state } = stored!;
  const federation = new Federation(setup, state, {
    journal: store,
    outbox,
    credentials: nodeCredentials,
    now: () => 0,
    onError: (error) => {
      throw error;
    },
  });
  cleanups.push(() => store.close()); // closing twice is harmless
  return { federation, sent, store };
}

const joinRequest = (clientId: string, secret: string | null = null) => ({
  protocol: PROTOCOL_VERSION,
  code: CODE,
  token: JOIN,
  clientId,
  secret,
  numItems: NUM_ITEMS,
  profileDim: PROFILE_DIM,
  encoder: bagOfWordsIdentity(PROFILE_DIM),
  label: null,
});

function upload(federation: Federation, round: number, client: number) {
  const { itemDim } = federation.config;
  const hr10 = VALIDATION[round - 1]!;
  return {
    round,
    clientId: CLIENTS[client]!,
    userWeights: toWire(
      Float32Array.from({ length: uploadedUserWeightsLength(federation.config, PROFILE_DIM) }, (_, k) =>
        Math.sin(client * 5 + k + round),
      ),
    ),
    rows: toWire(Int32Array.of((client + round) % NUM_ITEMS)),
    values: toWire(Float32Array.from({ length: itemDim }, (_, k) => round + client / 4 + k / 64)),
    numExamples: 2 + client,
    loss: 0.5,
    metrics: { val: { hr10, ndcg10: hr10 / 2, count: 2 }, test: { hr10: 1 - hr10, ndcg10: 0, count: 2 } },
  };
}

/** Joins and connects the three clients, then uploads for every round the federation opens. */
async function run(h: Harness): Promise<void> {
  for (const id of CLIENTS) {
    expect(h.federation.join(joinRequest(id))).toMatchObject({ clientId: id });
    h.federation.connect(id);
  }
  for (let round = 1; h.federation.status().round !== null; round++) {
    expect(h.federation.status().round!.round).toBe(round);
    CLIENTS.forEach((_, c) =>
      expect(h.federation.upload(CLIENTS[c]!, upload(h.federation, round, c))).toEqual({ ok: true, round }),
    );
    await h.federation.settled();
  }
}

describe("best-validation tables in the coordinator", () => {
  it("keeps the tables sent in the best round (a tie keeps the earlier one), serves them after the run, and keeps them across a restart", async () => {
    const path = tempDatabase();
    const h = open(path);
    await run(h);
    const f = h.federation;
    expect(f.phase).toBe("finished");
    expect(f.completedRounds).toBe(10);
    expect(h.sent.summaries.map((s) => s.bestRound)).toEqual([1, 2, 3, 3, 3, 3, 3, 3, 3, 3]);
    const sentInRound3 = h.sent.tables.get(3)!.get(CLIENTS[0]!)!;
    expect(f.best!.round).toBe(3);
    expect(f.best!.tables.global).toEqual(sentInRound3);
    expect(f.checkpoint().tables.global).not.toEqual(sentInRound3); // the last table is another one
    expect(f.status()).toMatchObject({ best: { round: 3, val: { hr10: 0.5 } }, stoppedEarlyAt: null });
    // Every connected client is told, with its table of the best round.
    expect([...h.sent.finished.keys()]).toEqual(CLIENTS);
    for (const finished of h.sent.finished.values()) {
      expect(finished).toMatchObject({ completedRounds: 10, stoppedEarlyAt: null, bestRound: 3 });
      expect(finished.table).toEqual(sentInRound3);
    }
    // A client joining after the end gets it in its welcome.
    const late = f.join(joinRequest("client-late"));
    expect(late).toMatchObject({ clientId: "client-late" });
    expect((late as { table: Float32Array }).table).toEqual(sentInRound3);

    h.store.close();
    const again = open(path);
    expect(again.federation.phase).toBe("finished");
    expect(again.federation.best!.round).toBe(3);
    expect(again.federation.best!.val).toEqual({ hr10: 0.5, ndcg10: 0.25, count: 6 });
    expect(again.federation.best!.tables.global).toEqual(sentInRound3);
    expect(again.federation.tableForRecommendations(1)).toEqual(sentInRound3);
    expect(again.federation.history.map((s) => s.bestRound)).toEqual([1, 2, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(again.federation.checkpoint().tables.global).toEqual(f.checkpoint().tables.global);
  });

  it("keeps each client's personalised table of the best round", async () => {
    const path = tempDatabase();
    const h = open(path, {
      distribution: "personalized",
      serverOptimizer: "none",
      globalUpdate: "mean",
      neighbourhood: "topk",
      neighbourhoodSize: 1,
      userWeightsUpload: "full",
    });
    await run(h);
    const sent = h.sent.tables.get(3)!;
    h.store.close();
    const again = open(path);
    CLIENTS.forEach((id, slot) => {
      expect(h.sent.finished.get(id)!.table).toEqual(sent.get(id));
      expect(again.federation.tableForRecommendations(slot)).toEqual(sent.get(id));
    });
    expect(sent.get(CLIENTS[0]!)).not.toEqual(sent.get(CLIENTS[1]!)); // really personalised
  });

  it("stops `earlyStoppingPatience` rounds after the best round, stays stopped after a restart, and resumes when the patience is raised", async () => {
    const path = tempDatabase();
    const h = open(path, { earlyStoppingPatience: 3 });
    await run(h);
    expect(h.federation.phase).toBe("finished");
    expect(h.federation.completedRounds).toBe(6); // best 3 + patience 3; the tie in round 5 is no improvement
    expect(Math.max(...h.sent.tables.keys())).toBe(6); // round 7 never opened
    expect(h.federation.stoppedEarlyAt).toBe(6);
    expect(h.sent.finished.get(CLIENTS[2]!)).toMatchObject({ completedRounds: 6, stoppedEarlyAt: 6, bestRound: 3 });
    expect(h.sent.finished.get(CLIENTS[2]!)!.table).toEqual(h.sent.tables.get(3)!.get(CLIENTS[2]!));
    h.store.close();

    const again = open(path);
    again.federation.tick();
    expect(again.federation.status()).toMatchObject({
      phase: "finished",
      completedRounds: 6,
      stoppedEarlyAt: 6,
      best: { round: 3 },
    });
    again.federation.configure({ rounds: 20 }); // more rounds alone do not undo an early stop
    expect(again.federation.phase).toBe("finished");
    again.federation.configure({ earlyStoppingPatience: 5 });
    expect(again.federation.phase).toBe("paused");
    expect(again.federation.stoppedEarlyAt).toBeNull();
  });

  it("upgrades a schema-2 database (the settings it ran with, fp32 encoder weights, no best round yet) and refuses unknown schemas and corrupted best tables", async () => {
    const path = tempDatabase();
    // What a schema-2 federation ran: the MLP scorer and the paper's replacement of the global table.
    const schema2 = {
      scorer: "mlp",
      userOutDim: 32,
      itemDim: 32,
      weightDecay: 0,
      serverOptimizer: "none",
      serverLearningRate: 1,
    };
    const h = open(path, { rounds: 2, ...schema2, globalUpdate: "mean" });
    await run(h);
    h.store.close();
    const raw = new Database(path);
    raw.exec(`DROP TABLE best_tables; UPDATE meta SET value = '2' WHERE key = 'schema';
      UPDATE federations SET config = json_remove(config, '$.earlyStoppingPatience', '$.scorer', '$.weightDecay',
        '$.serverOptimizer', '$.serverLearningRate', '$.userWeightsUpload', '$.graphSearch', '$.encoderPrecision'),
        catalogue = json_remove(catalogue, '$.encoder.precision');
      ${FLAT_NEIGHBOURHOOD}
      UPDATE rounds SET summary = json_remove(summary, '$.bestRound');`);
    raw.close();
    const upgraded = open(path);
    expect(upgraded.federation.config).toMatchObject({
      earlyStoppingPatience: 0,
      userWeightsUpload: "full",
      encoderPrecision: "fp32",
      ...schema2,
      neighbourhood: { kind: "topk", k: 10 },
      graphSearch: "exact",
    });
    expect(upgraded.federation.catalogue.encoder.precision).toBe("fp32");
    expect(upgraded.federation.best).toBeNull();
    expect(upgraded.federation.history.map((s) => s.bestRound)).toEqual([null, null]);
    expect(upgraded.federation.tableForRecommendations(0)).toEqual(upgraded.federation.checkpoint().tables.global);
    upgraded.store.close();

    const tamper = (file: string, sql: string) => {
      const db = new Database(file);
      db.exec(sql);
      db.close();
    };
    const other = tempDatabase();
    const second = open(other, { rounds: 2 });
    await run(second);
    second.store.close();
    tamper(other, "UPDATE best_tables SET checksum = 'x'");
    const corrupted = new SqliteStore(other);
    cleanups.push(() => corrupted.close());
    expect(() => corrupted.loadFederations()).toThrow(/the best-validation tables does not match its checksum/);
    corrupted.close();
    tamper(path, "UPDATE meta SET value = '1' WHERE key = 'schema'");
    expect(() => new SqliteStore(path)).toThrow(/database schema 1, this coordinator reads schemas 2 to 8/);
  });
  it("upgrades a schema-5 database: federations saved before client-level DP ran without it (and without secure aggregation)", async () => {
    const path = tempDatabase();
    const h = open(path, { rounds: 2 });
    await run(h);
    const history = h.federation.history;
    expect(history.map((s) => s.dpEpsilon)).toEqual([null, null]);
    h.store.close();
    const raw = new Database(path);
    raw.exec(`UPDATE meta SET value = '5' WHERE key = 'schema';
      UPDATE federations SET config = json_remove(config, '$.dpEpsilon', '$.dpNoiseMultiplier', '$.dpDelta', '$.dpClipNorm',
        '$.secureAggregation', '$.secureAggregationRange', '$.secureAggregationGroupSize');
      UPDATE rounds SET summary = json_remove(summary, '$.dpEpsilon');`);
    raw.close();
    const upgraded = open(path);
    expect(upgraded.federation.config).toMatchObject({
      dpEpsilon: null,
      dpNoiseMultiplier: null,
      dpDelta: 1e-5,
      dpClipNorm: 0.05,
      secureAggregation: false,
    });
    expect(upgraded.federation.status().privacy).toBeNull();
    expect(upgraded.federation.history).toEqual(history);
    upgraded.store.close();
  });

  it("upgrades a schema-3 database (the flat neighbourhood becomes its rule) and refuses saved state that does not fit its schema", async () => {
    const path = tempDatabase();
    const h = open(path, { rounds: 2, neighbourhood: { kind: "threshold", factor: 0.8 }, userWeightsUpload: "full" });
    await run(h);
    const history = h.federation.history;
    h.store.close();
    const raw = new Database(path);
    raw.exec(`UPDATE meta SET value = '3' WHERE key = 'schema'; DROP TABLE starting_tables;
      UPDATE federations SET config = json_set(json_remove(config, '$.userWeightsUpload', '$.graphSearch', '$.encoderPrecision'),
        '$.neighbourhood', 'threshold', '$.neighbourhoodSize', 10, '$.thresholdFactor', 0.8),
        catalogue = json_remove(catalogue, '$.encoder.precision');`);
    raw.close();
    const upgraded = open(path);
    expect(upgraded.federation.config.neighbourhood).toEqual({ kind: "threshold", factor: 0.8 });
    expect(upgraded.federation.config.userWeightsUpload).toBe("full");
    expect(upgraded.federation.config.graphSearch).toBe("exact");
    expect(upgraded.federation.config.encoderPrecision).toBe("fp32");
    expect(upgraded.federation.catalogue.encoder.precision).toBe("fp32");
    expect(upgraded.federation.history).toEqual(history);
    upgraded.store.close();
    const check = new Database(path);
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema'").get()).toEqual({ value: "8" });
    check.close();

    const refused = (sql: string, message: RegExp) => {
      const copy = tempDatabase();
      copyFileSync(path, copy); // closed, so the WAL is folded into the file
      const tampered = new Database(copy);
      tampered.exec(sql);
      tampered.close();
      const store = new SqliteStore(copy);
      cleanups.push(() => store.close());
      expect(() => store.loadFederations()).toThrow(message);
    };
    refused(
      "UPDATE federations SET config = json_set(config, '$.rounds', 0)",
      /^federation BEST01: saved configuration: rounds must be an integer in \[1, 100000\], got 0; refusing to resume/,
    );
    refused(
      "UPDATE rounds SET summary = json_set(summary, '$.sampled', -1) WHERE round = 2",
      /^federation BEST01: saved round summary\.sampled: expected an integer in \[0, 9007199254740991\], got -1; refusing/,
    );
    refused(
      `UPDATE federations SET catalogue = json_set(catalogue, '$.profileDim', 8)`,
      /^federation BEST01: saved catalogue: encoder\.dimension 4 differs from profileDim 8; refusing/,
    );
    refused("UPDATE federations SET phase = 'dancing'", /^federation BEST01: saved phase: expected "waiting" \| "training"/);
  });

  // Schema 4 is before the privacy work (no userWeightsUpload), 5 before client-level DP and secure
  // aggregation, 7 main's latest; none had the encoder's precision nor starting tables.
  const SECURE = "'$.secureAggregation', '$.secureAggregationRange', '$.secureAggregationGroupSize'";
  for (const { schema, removed, userWeightsUpload } of [
    { schema: 4, removed: `'$.userWeightsUpload', '$.graphSearch', '$.encoderPrecision', ${SECURE}`, userWeightsUpload: "full" },
    { schema: 5, removed: `'$.graphSearch', '$.encoderPrecision', ${SECURE}`, userWeightsUpload: "none" },
    { schema: 7, removed: "'$.encoderPrecision'", userWeightsUpload: "none" },
  ]) {
    it(`upgrades a schema-${schema} database without ${removed}: encoder weights fp32, secure aggregation off`, async () => {
      const path = tempDatabase();
      const h = open(path, { rounds: 2 });
      await run(h);
      const history = h.federation.history;
      const tables = h.federation.checkpoint().tables;
      h.store.close();
      const raw = new Database(path);
      raw.exec(`UPDATE meta SET value = '${schema}' WHERE key = 'schema'; DROP TABLE starting_tables;
        UPDATE federations SET config = json_remove(config, ${removed}),
          catalogue = json_remove(catalogue, '$.encoder.precision');`);
      raw.close();
      const upgraded = open(path);
      expect(upgraded.federation.config).toMatchObject({
        encoderPrecision: "fp32",
        userWeightsUpload,
        secureAggregation: false,
        secureAggregationRange: 4,
        secureAggregationGroupSize: 32,
      });
      expect(upgraded.federation.catalogue.encoder.precision).toBe("fp32");
      expect(upgraded.federation.history).toEqual(history);
      expect(upgraded.federation.checkpoint().tables.global).toEqual(tables.global);
      upgraded.store.close();
      const check = new Database(path);
      expect(check.prepare("SELECT value FROM meta WHERE key = 'schema'").get()).toEqual({ value: "8" });
      expect(check.prepare("SELECT count(*) AS n FROM starting_tables").get()).toEqual({ n: 0 });
      check.close();
    });
  }
});
