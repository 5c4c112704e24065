/**
 * A federation's round machine under test: a fake clock (a number of milliseconds the test moves),
 * a recording outbox and journal, stand-in credentials (a secret's digest is "digest:" + secret),
 * registered clients named client-0, client-1, … in slot order, and uploads with chosen losses and
 * metrics.
 */
import { aggregateTrain } from "../aggregation/graph-strategy.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import { resolveConfig } from "../config/federation-config.ts";
import type {
  AcceptedUpload,
  DpRandomness,
  FederationJournal,
  FinishedRun,
  SecureChannel,
} from "../federation/federation-types.ts";
import { Federation } from "../federation/federation.ts";
import type { MachineState } from "../federation/federation-types.ts";
import type { RoundMachine } from "../federation/round-machine.ts";
import type { TableAggregator } from "../federation/round-strategy.ts";
import type { RankingMetrics } from "../metrics/ranking-metrics.ts";
import type { RoundSummary, SecureAssignment } from "../protocol/messages.ts";
import { bagOfWordsIdentity } from "./bag-of-words-encoder.ts";

export const HARNESS_SHAPE = { numItems: 10, profileDim: 4 } as const;
export const HARNESS_JOIN_TOKEN = "join-token-for-tests";

export interface SentRound {
  readonly clientId: string;
  readonly round: number;
  readonly deadline: number;
  readonly table: Float32Array;
  readonly secure?: SecureAssignment | null;
}

export interface MachineHarness {
  readonly machine: Federation;
  /** Unix ms as the machine sees it; move it and call machine.tick(). */
  readonly clock: { now: number };
  readonly sent: SentRound[];
  readonly summaries: RoundSummary[];
  readonly finished: Map<string, FinishedRun>;
  /** Journal calls in order: "registered client-0", "opened 1 client-0,client-2", "accepted 1 client-0", "completed 1", "phase paused", "reset". */
  readonly journal: string[];
  readonly errors: unknown[];
  /** What the outbox told clients besides rounds and finishes: "reset", "kicked client-1". */
  readonly notices: string[];
}

export interface HarnessOptions {
  readonly clients?: number;
  readonly aggregator?: TableAggregator;
  /** Replaces journal methods (e.g. one that fails). */
  readonly journal?: Partial<FederationJournal>;
  readonly phase?: MachineState["phase"];
  /** A warm start's tables. */
  readonly starting?: MachineState["starting"];
  /** Client-level DP's draws (required when the overrides turn DP on). */
  readonly dpRandomness?: DpRandomness;
  /** Live secure aggregation's messages to clients (with `secureAggregation` on, the machine runs its phases). */
  readonly secureChannel?: SecureChannel;
  /** A round that was open when the federation was saved (a restart): `clients` are then restored, not registered. */
  readonly openRound?: MachineState["openRound"];
}

export const clientId = (slot: number) => `client-${slot}`;

export function machineHarness(overrides: object, options: HarnessOptions = {}): MachineHarness {
  const config = resolveConfig(DEFAULT_CONFIG, { roundDeadlineSeconds: 10, ...overrides });
  const clock = { now: 1_000_000 };
  const sent: SentRound[] = [];
  const summaries: RoundSummary[] = [];
  const finished = new Map<string, FinishedRun>();
  const log: string[] = [];
  const errors: unknown[] = [];
  const notices: string[] = [];
  const journal: FederationJournal = {
    clientRegistered: (_code, client) => void log.push(`registered ${client.clientId}`),
    roundOpened: (_code, round, participants) => void log.push(`opened ${round} ${participants.join(",")}`),
    uploadAccepted: (_code, round, id) => void log.push(`accepted ${round} ${id}`),
    roundCompleted: (_code, summary) => void log.push(`completed ${summary.round}`),
    settingsChanged: (_code, phase) => void log.push(`phase ${phase}`),
    federationReset: () => void log.push("reset"),
    ...options.journal,
  };
  let issued = 0;
  const catalogue = { dataset: "harness", ...HARNESS_SHAPE, encoder: bagOfWordsIdentity(HARNESS_SHAPE.profileDim) };
  const machine = new Federation(
    { code: "TEST01", joinToken: HARNESS_JOIN_TOKEN, adminToken: "admin-token-for-tests", catalogue, items: null },
    {
      config,
      phase: options.phase ?? "waiting",
      clients: options.openRound
        ? Array.from({ length: options.clients ?? 0 }, (_, slot) => ({ clientId: clientId(slot), slot, secretDigest: "" }))
        : [],
      checkpoint: null,
      best: null,
      history: [],
      starting: options.starting ?? null,
      openRound: options.openRound ?? null,
    },
    {
      journal,
      outbox: {
        sendRound: (id, start) => void sent.push({ clientId: id, ...start }),
        roundEnded: (summary) => void summaries.push(summary),
        finished: (id, run) => void finished.set(id, run),
        stateChanged: () => {},
        reset: () => void notices.push("reset"),
        kicked: (id) => void notices.push(`kicked ${id}`),
      },
      now: () => clock.now,
      aggregator: options.aggregator,
      dpRandomness: options.dpRandomness,
      secureChannel: options.secureChannel,
      onError: (error) => void errors.push(error),
      credentials: {
        issue: () => ({ secret: `secret-${++issued}`, digest: `digest:secret-${issued}` }),
        matches: (secret, digest) => `digest:${secret}` === digest,
        sameToken: (given, expected) => given === expected,
      },
    },
  );
  if (!options.openRound) {
    for (let slot = 0; slot < (options.clients ?? 0); slot++) machine.register(clientId(slot), "", `label ${slot}`);
  }
  return { machine, clock, sent, summaries, finished, journal: log, errors, notices };
}

/** Client `slot`'s upload: one changed row, validation metrics `val` (count 1) unless given in full. */
export function harnessUpload(
  machine: RoundMachine,
  slot: number,
  options: { readonly loss?: number | null; readonly val?: number | RankingMetrics; readonly row?: number } = {},
): AcceptedUpload {
  const { jointDim, itemDim } = machine.config;
  const val = options.val ?? 0.5;
  const valMetrics = typeof val === "number" ? { hr10: val, ndcg10: val / 2, count: 1 } : val;
  return {
    userWeights: Float32Array.from({ length: HARNESS_SHAPE.profileDim * jointDim }, (_, k) => Math.sin(slot * 5 + k)),
    rows: Int32Array.of(options.row ?? slot % HARNESS_SHAPE.numItems),
    values: Float32Array.from({ length: itemDim }, (_, k) => slot + k / 64),
    numExamples: slot + 1,
    loss: options.loss === undefined ? 0.5 : options.loss,
    metrics: { val: valMetrics, test: { hr10: 1 - valMetrics.hr10, ndcg10: 0, count: valMetrics.count } },
  };
}

/** An aggregator whose results wait until the test releases them (`waiting`, in call order). */
export function deferredAggregator(): { readonly aggregator: TableAggregator; readonly waiting: (() => void)[] } {
  const waiting: (() => void)[] = [];
  const aggregator: TableAggregator = (options, tables, results, itemDim) =>
    new Promise((resolve) => waiting.push(() => resolve(aggregateTrain(options, tables, results, itemDim))));
  return { aggregator, waiting };
}

export function connectAll(h: MachineHarness, count: number): void {
  for (let slot = 0; slot < count; slot++) h.machine.connect(clientId(slot));
}

/** Every participant of the open round that has not uploaded uploads with validation HR@10 `val`; resolves when the round has committed. */
export async function completeRound(h: MachineHarness, val: number): Promise<void> {
  const open = h.machine.status().round!;
  for (const { clientId: id, state } of h.machine.clientStates()) {
    if (state === "training") h.machine.submit(id, open.round, harnessUpload(h.machine, Number(id.slice(7)), { val }));
  }
  await h.machine.settled();
}
