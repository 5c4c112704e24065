/**
 * The coordinator process: express + socket.io on one port, federations restored from SQLite,
 * a timer that drives deadlines and coalesces status updates. Everything round-related lives in
 * common/'s Federation (the round machine the simulator drives too); this file only wires it to
 * the network, the store and the clock.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import express from "express";
import { Server } from "socket.io";
import {
  type Catalogue,
  type CatalogueItems,
  type FederationConfig,
  type FederationPhase,
  type GramKernel,
  type RoundSummary,
  Federation,
  inThreadAggregator,
  type TableAggregator,
  type FederationOutbox,
  type FederationSetup,
  type ServerTables,
  type ClientToServerEvents,
  type ControlAccepted,
  type Reply,
  type ServerToClientEvents,
} from "@fedrec/common";
import { checkCatalogue } from "./catalogue-check.ts";
import { nodeCredentials, randomJoinCode, randomToken } from "./credentials.ts";
import { httpApi, type PersonaSource, type StatusSource } from "./http-api.ts";
import { transportLimitBytes } from "./message-limits.ts";
import { secretDpRandomness } from "./crypto-random.ts";
import { SocketGateway, type CoordinatorServer } from "./socket-gateway.ts";
import { SqliteStore } from "./sqlite-store.ts";

export interface CoordinatorOptions {
  /** 0 = a free port. */
  readonly port: number;
  readonly host?: string;
  /** PEM certificate (chain) and private key: serve HTTPS and WSS only (no plain-HTTP listener). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** SQLite file (":memory:" for throwaway runs). */
  readonly database: string;
  /** Federations to create when the database holds none. */
  readonly federations?: readonly NewFederation[];
  readonly gram?: GramKernel;
  /** Aggregates off the event loop (worker-aggregator.ts); absent: in this thread with `gram`. */
  readonly aggregator?: TableAggregator;
  /** Period of the deadline/status timer. */
  readonly tickMs?: number;
  /** Extra routes (the web client's static files). */
  readonly routes?: express.Router;
  readonly log?: (line: string) => void;
  /** Called after every completed round (the CLI's progress lines). */
  readonly onRoundEnd?: (code: string, summary: RoundSummary) => void;
  /** Demo personas (dataset users' profile + ratings) the admin can hand out; absent: none. */
  readonly personas?: PersonaSource;
}

export interface NewFederation {
  readonly catalogue: Catalogue;
  readonly items?: CatalogueItems | null;
  readonly config: FederationConfig;
  /** Fixed code and tokens (tests, scripted demos); random when absent. */
  readonly code?: string;
  readonly joinToken?: string;
  readonly adminToken?: string;
  readonly phase?: FederationPhase;
  /** A trained global item table to start from (`--warm-start`); default: the seed's draw. */
  readonly initialItemTable?: Float32Array;
}

/** A new federation's setup (its catalogue checked, a missing code and tokens drawn) and its warm-start tables, if any. */
export function prepareNewFederation(f: NewFederation): { setup: FederationSetup; starting: ServerTables | null } {
  checkCatalogue(f.catalogue, f.config, "a new federation");
  const setup: FederationSetup = {
    code: f.code ?? randomJoinCode(),
    joinToken: f.joinToken ?? randomToken(),
    adminToken: f.adminToken ?? randomToken(),
    catalogue: f.catalogue,
    items: f.items ?? null,
  };
  const starting = f.initialItemTable ? { global: f.initialItemTable, personal: new Map(), serverMoments: null } : null;
  return { setup, starting };
}

export class Coordinator implements StatusSource {
  private readonly federations = new Map<string, Federation>();
  private readonly unattributed: Record<string, number> = {};
  private timer: NodeJS.Timeout | null = null;
  private gateway!: SocketGateway;
  private io!: CoordinatorServer;
  private http!: HttpServer;

  private constructor(
    private readonly store: SqliteStore,
    private readonly options: CoordinatorOptions,
  ) {}

  static async start(options: CoordinatorOptions): Promise<Coordinator> {
    const store = new SqliteStore(options.database);
    const coordinator = new Coordinator(store, options);
    try {
      await coordinator.listen();
    } catch (error) {
      store.close();
      throw error;
    }
    return coordinator;
  }

  get url(): string {
    const { port } = this.http.address() as AddressInfo;
    return `${this.options.tls ? "https" : "http"}://${this.options.host ?? "127.0.0.1"}:${port}`;
  }

  find(code: string): Federation | undefined {
    return this.federations.get(code);
  }

  all(): readonly Federation[] {
    return [...this.federations.values()];
  }

  countUnattributed(code: string): void {
    this.unattributed[code] = (this.unattributed[code] ?? 0) + 1;
  }

  unattributedRejections(): Readonly<Record<string, number>> {
    return { ...this.unattributed };
  }

  checkpointChecksum(code: string): string | null {
    return this.store.checkpointChecksum(code);
  }

  connectedSockets(): number {
    return this.gateway.connectedSockets();
  }

  control(code: string, payload: unknown): Reply<ControlAccepted> {
    return this.gateway.control(code, payload);
  }

  joinTokenOf(code: string): string | null {
    return this.find(code)?.setup.joinToken ?? null;
  }

  itemsOf(code: string): CatalogueItems | null {
    return this.find(code)?.setup.items ?? null;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const closed = new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.http.closeAllConnections(); // idle keep-alive HTTP connections would hold the close open
    await closed;
    this.store.close();
  }

  private outboxFor(code: string): FederationOutbox {
    const outbox = this.gateway.outboxFor(code);
    const listener = this.options.onRoundEnd;
    if (!listener) return outbox;
    return {
      ...outbox,
      roundEnded: (summary) => {
        outbox.roundEnded(summary);
        listener(code, summary);
      },
    };
  }

  private async listen(): Promise<void> {
    const now = () => Date.now();
    const log = this.options.log ?? ((line: string) => console.error(line));
    let stored = this.store.loadFederations();
    if (stored.length === 0 && this.options.federations) {
      for (const f of this.options.federations) {
        const { setup, starting } = prepareNewFederation(f);
        this.store.createFederation(setup, f.config, f.phase ?? "waiting", now());
        if (starting) this.store.startingTables(setup.code, starting);
      }
      stored = this.store.loadFederations();
    }
    const app = express();
    app.disable("x-powered-by");
    const tls = this.options.tls;
    this.http = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, app) : createServer(app);
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(this.http, {
      maxHttpBufferSize: transportLimitBytes(stored.map((s) => ({ catalogue: s.setup.catalogue, config: s.config }))),
      serveClient: false,
    });
    this.gateway = new SocketGateway(this.io, this, log);
    for (const { setup, ...state } of stored) {
      checkCatalogue(setup.catalogue, state.config, `federation ${setup.code} in ${this.options.database}`);
      const federation = new Federation(setup, state, {
        journal: this.store,
        outbox: this.outboxFor(setup.code),
        credentials: nodeCredentials,
        now,
        aggregator: this.options.aggregator ?? inThreadAggregator(this.options.gram),
        onError: (error) => log(`federation ${setup.code}: ${(error as Error).stack ?? String(error)}`),
        dpRandomness: secretDpRandomness(),
        secureChannel: this.gateway.secureChannelFor(setup.code),
      });
      this.federations.set(setup.code, federation);
    }
    app.use(httpApi(this, now(), now, this.options.personas));
    if (this.options.routes) app.use(this.options.routes);
    this.timer = setInterval(() => {
      for (const f of this.federations.values()) {
        try {
          f.tick();
        } catch (error) {
          log(`federation ${f.code}: ${(error as Error).stack ?? String(error)}`);
        }
      }
      this.gateway.flushStatus();
    }, this.options.tickMs ?? 200);
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port, this.options.host ?? "127.0.0.1", () => resolve());
    });
  }
}
