/**
 * The in-process federation: the one round machine (federation/round-machine.ts) driven with every
 * dataset user registered and connected from the start (slot = user index), one round at a time
 * (`step`), so sampling, the tables sent, aggregation, metrics and best-round retention are the
 * coordinator's very code. Clients run behind a ClientPool: in this thread (LocalClients) or in
 * worker threads (the Node shell). Nothing is persisted and nothing times out: every sampled
 * client uploads. Platform neutral: the shell supplies data, embeddings and a clock. With
 * `secureAggregation` the machine aggregates through the in-process secure-aggregation driver.
 */
import { tableFor, type ServerTables } from "../aggregation/graph-strategy.ts";
import { modelDimensions } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { Dataset } from "../data/dataset.ts";
import type { FederationJournal, FederationOutbox } from "../federation/federation-types.ts";
import { RoundMachine } from "../federation/round-machine.ts";
import { inThreadAggregator } from "../federation/round-strategy.ts";
import type { GramKernel } from "../graph/cosine-similarity.ts";
import type { BestRound } from "../metrics/best-table-tracker.ts";
import type { ModelDimensions } from "../model/client-model.ts";
import { isErrorReply } from "../protocol/protocol-error.ts";
import type { ClientPool, ClientReport, ClientTask } from "./client-pool.ts";
import { describeDataset } from "./describe-dataset.ts";
import type { Clock } from "../client/client-runtime.ts";
import { LocalClients } from "./local-clients.ts";
import { inProcessSecureAggregator, type SecureAggregationSettings } from "../secure-aggregation/secure-aggregate-train.ts";
import type { RandomBytes } from "../secure-aggregation/key-material.ts";
import { randomBytes as cryptoRandomBytes } from "@noble/hashes/utils.js";
import { clientLevelDp, type ClientLevelDp } from "../privacy/client-level-dp.ts";
import { seededDpRandomness } from "../federation/seeded-dp-randomness.ts";
import { summarise, type DatasetInfo, type RoundRecord, type SimulationResult } from "./simulation-result.ts";

/** The simulator keeps its state in memory only. */
const NO_JOURNAL: FederationJournal = {
  clientRegistered: () => {},
  roundOpened: () => {},
  uploadAccepted: () => {},
  roundCompleted: () => {},
  settingsChanged: () => {},
  federationReset: () => {},
};

const clientIdOf = (user: number) => `user-${user}`;

export class FederatedSimulation {
  readonly dims: ModelDimensions;
  readonly datasetInfo: DatasetInfo;
  private readonly records: RoundRecord[] = [];
  private readonly machine: RoundMachine;
  /** The round's tasks: what the machine sent to each participant, in slot order. */
  private tasks: ClientTask[] = [];
  private failure: { readonly error: unknown } | null = null;
  /** Client-level DP in force (null: off); its sampling and noise are seeded, as every draw of a simulation. */
  readonly dp: ClientLevelDp | null;

  constructor(
    readonly config: FederationConfig,
    dataset: Dataset,
    profileDim: number,
    private readonly clients: ClientPool,
    private readonly clock: Clock,
    gram?: GramKernel,
    options: {
      /** A trained global item table to start from (warm start); default: the seed's draw. */
      readonly initialItemTable?: Float32Array;
      /** Key material of secure aggregation (crypto.getRandomValues); the results do not depend on it. */
      readonly randomBytes?: RandomBytes;
      /** Sees every secure-aggregation message the server receives (the attack harness). */
      readonly secureAggregationInbox?: SecureAggregationSettings["serverInbox"];
    } = {},
  ) {
    const { initialItemTable, randomBytes = cryptoRandomBytes, secureAggregationInbox } = options;
    this.dims = modelDimensions(config, profileDim, dataset.numItems);
    this.datasetInfo = describeDataset(dataset, config.evalNegatives);
    const outbox: FederationOutbox = {
      sendRound: (clientId, start) => this.tasks.push({ client: this.machine.registry.get(clientId)!.slot, table: start.table }),
      roundEnded: () => {},
      finished: () => {},
      stateChanged: () => {},
      reset: () => {},
      kicked: () => {},
    };
    const users = dataset.users.map((_, user) => ({ clientId: clientIdOf(user), slot: user, secretDigest: "" }));
    this.machine = new RoundMachine(
      "simulation",
      { numItems: dataset.numItems, profileDim },
      {
        config,
        phase: "paused",
        clients: users,
        checkpoint: null,
        best: null,
        history: [],
        starting: initialItemTable ? { global: initialItemTable.slice(), personal: new Map() } : null,
        openRound: null,
      },
      {
        journal: NO_JOURNAL,
        outbox,
        now: () => 0, // the machine's time stands still: no deadline ever passes, every sampled client uploads
        aggregator: config.secureAggregation
          ? inProcessSecureAggregator(
              {
                range: config.secureAggregationRange,
                groupSize: config.secureAggregationGroupSize,
                randomBytes,
                serverInbox: secureAggregationInbox,
              },
              gram,
            )
          : inThreadAggregator(gram),
        onError: (error) => (this.failure = { error }),
        dpRandomness: seededDpRandomness(config.seed),
      },
    );
    for (const user of users) this.machine.connect(user.clientId);
    this.dp = clientLevelDp(config);
  }

  /** A simulation whose clients run one after another in this thread. */
  static inProcess(
    config: FederationConfig,
    dataset: Dataset,
    profiles: readonly Float32Array[],
    clock: Clock,
    gram?: GramKernel,
    initialItemTable?: Float32Array,
  ): FederatedSimulation {
    if (profiles.length !== dataset.users.length) {
      throw new Error(`got ${profiles.length} profile embeddings for ${dataset.users.length} users`);
    }
    const pool = new LocalClients(config, dataset, profiles, clock);
    return new FederatedSimulation(config, dataset, profiles[0]?.length ?? 0, pool, clock, gram, { initialItemTable });
  }

  get rounds(): readonly RoundRecord[] {
    return this.records;
  }

  /** The server tables after the last round. */
  get tables(): ServerTables {
    return this.machine.checkpoint().tables;
  }

  /** The global item table after the last round. */
  get globalTable(): Float32Array {
    return this.tables.global;
  }

  /** The best-validation round and the tables sent in it (null before the first round). */
  get best(): BestRound<ServerTables> | null {
    return this.machine.best;
  }

  /**
   * The table `client` should recommend with after the run: the one it was (or, not sampled,
   * would have been) sent in the best-validation round; before any round, its current table.
   */
  recommendationTable(client: number): Float32Array {
    return tableFor(this.machine.best?.tables ?? this.machine.checkpoint().tables, client);
  }

  /** The round after which early stopping ended the run (null: it did not). */
  get stoppedEarlyAt(): number | null {
    return this.machine.stoppedEarlyAt;
  }

  /** All `rounds` have run, or early stopping ended the run. */
  get finished(): boolean {
    return this.machine.phase === "finished";
  }

  /** Runs the next round and returns its record. */
  async runRound(): Promise<RoundRecord> {
    const stopped = this.stoppedEarlyAt;
    if (stopped !== null)
      throw new Error(
        `the run stopped early after round ${stopped}: no new best validation HR@10 for ${this.config.earlyStoppingPatience} rounds`,
      );
    this.tasks = [];
    const round = this.machine.step();
    const tasks = this.tasks;
    const t0 = this.clock();
    const reports = await this.clients.runRound(tasks);
    const clientSeconds = this.clock() - t0;
    const a0 = this.clock();
    for (const { client, upload, loss } of reports) {
      // A loss that is not finite travels as null, as on the wire (uploadMessage).
      const reply = this.machine.submit(clientIdOf(client), round, { ...upload, loss: Number.isFinite(loss) ? loss : null });
      if (isErrorReply(reply)) throw new Error(`round ${round}: the upload of client ${client} was refused: ${reply.message}`);
    }
    await this.machine.settled(); // the last upload closed the round and started its aggregation
    const aggregateSeconds = this.clock() - a0;
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure.error;
    const summary = this.machine.history.at(-1);
    if (summary?.round !== round)
      throw new Error(`round ${round} did not complete (${reports.length} of ${tasks.length} uploads)`);
    const record: RoundRecord = {
      round,
      loss: summary.loss ?? Number.NaN,
      participants: summary.sampled,
      seconds: { ...splitClientTime(clientSeconds, reports), aggregate: aggregateSeconds },
      val: { hr10: summary.metrics.val.hr10, ndcg10: summary.metrics.val.ndcg10 },
      test: { hr10: summary.metrics.test.hr10, ndcg10: summary.metrics.test.ndcg10 },
      dpEpsilon: summary.dpEpsilon,
    };
    this.records.push(record);
    return record;
  }

  result(): SimulationResult {
    return {
      config: this.config,
      dataset: this.datasetInfo,
      rounds: this.records,
      summary: summarise(this.records),
      stoppedEarlyAt: this.stoppedEarlyAt,
      privacy: this.dp,
    };
  }

  close(): Promise<void> {
    return this.clients.close();
  }
}

/**
 * Wall time of the client phase, split into training and evaluation in the proportion the clients
 * measured (with parallel clients the per-client times add up to more than the wall time).
 */
function splitClientTime(wall: number, reports: readonly ClientReport[]) {
  let train = 0;
  let evaluate = 0;
  for (const r of reports) {
    train += r.seconds.train;
    evaluate += r.seconds.evaluate;
  }
  const total = train + evaluate;
  return total > 0 ? { train: (wall * train) / total, evaluate: (wall * evaluate) / total } : { train: wall, evaluate: 0 };
}
