/**
 * One gateway process of a Redis cluster (docs/deploy.md): express + socket.io with the Redis
 * streams adapter on its own port, the federations' setups read from Redis (created by the first
 * gateway that starts with them), and a bid for the leader lease: the holder also runs the round
 * machines (aggregation-leader.ts). Any gateway serves any client; kill one and its clients
 * reconnect to another, kill the leader and another takes over within the lease time.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Router } from "express";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { errorReply, type GramKernel, type RoundSummary, type TableAggregator } from "@fedrec/common";
import { prepareNewFederation, type NewFederation } from "../coordinator/coordinator.ts";
import { nodeCredentials } from "../coordinator/credentials.ts";
import { applyControl } from "../coordinator/admin-control.ts";
import { checkCatalogue } from "../coordinator/catalogue-check.ts";
import { httpApi, type PersonaSource, type StatusSource } from "../coordinator/http-api.ts";
import { transportLimitBytes } from "../coordinator/message-limits.ts";
import { AggregationLeader } from "./aggregation-leader.ts";
import { ClusterBus } from "./cluster-bus.ts";
import { clusterHttp } from "./cluster-http.ts";
import { ClusterSocketGateway } from "./cluster-socket-gateway.ts";
import { LeaderLease } from "./leader-lease.ts";
import { createFederationIfAbsent, federationCodes, loadSetup } from "./redis-federation-store.ts";
import { LEADER_URL_KEY } from "./redis-keys.ts";
import { claimRedisSchema } from "./redis-schema.ts";
import { pubsubBufferWarning } from "./pubsub-buffer-check.ts";

export interface ClusterNodeOptions {
  /** redis://host:port */
  readonly redisUrl: string;
  /** 0 = a free port. */
  readonly port: number;
  readonly host?: string;
  /** Federations to create unless Redis holds them already. */
  readonly federations?: readonly NewFederation[];
  readonly gram?: GramKernel;
  /** Aggregates off the event loop (worker-aggregator.ts), so a long aggregation does not starve the lease renewal; absent: in this thread with `gram`. */
  readonly aggregator?: TableAggregator;
  /** Period of the leader's deadline/status timer (ms). */
  readonly tickMs?: number;
  /** Leader lease time to live (ms): a dead leader is replaced after at most this long. */
  readonly leaseMs?: number;
  /** How long a gateway retries reaching the leader before answering `unavailable` (ms). */
  readonly requestBudgetMs?: number;
  readonly routes?: express.Router;
  /** Demo personas the dashboard hands out (served by the leader); absent: none. */
  readonly personas?: PersonaSource;
  /** The address other gateways reach this one at (default: its listening address; 0.0.0.0 → 127.0.0.1). */
  readonly advertisedUrl?: string;
  readonly log?: (line: string) => void;
  readonly onRoundEnd?: (code: string, summary: RoundSummary) => void;
}

export class ClusterNode {
  readonly gatewayId = randomUUID();
  private leader: AggregationLeader | null = null;
  private lease!: LeaderLease;
  private io!: Server;
  private http!: HttpServer;
  private gateway: ClusterSocketGateway | null = null;
  private leaderApi: Router | null = null;
  private readonly clients: Redis[] = [];
  private transition: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | null = null;

  private constructor(private readonly options: ClusterNodeOptions) {}

  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const node = new ClusterNode(options);
    try {
      await node.listen();
    } catch (error) {
      await node.close();
      throw error;
    }
    return node;
  }

  get url(): string {
    const { port } = this.http.address() as AddressInfo;
    return `http://${this.options.host ?? "127.0.0.1"}:${port}`;
  }

  get isLeader(): boolean {
    return this.leader !== null;
  }

  /** Sockets connected to this gateway (not to the cluster). */
  get connectedSockets(): number {
    return this.gateway?.connectedSockets() ?? 0;
  }

  /** The leader's round machines (null on other gateways). */
  get aggregationLeader(): AggregationLeader | null {
    return this.leader;
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.lease?.stop();
    await this.stepDown("closing");
    if (this.io) await new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.http?.closeAllConnections();
    for (const client of this.clients) client.disconnect();
  }

  private get advertisedUrl(): string {
    if (this.options.advertisedUrl) return this.options.advertisedUrl;
    const { port } = this.http.address() as AddressInfo;
    const host = this.options.host ?? "127.0.0.1";
    return `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host}:${port}`;
  }

  /** The HTTP API's view of the leader's federations. */
  private statusSource(leader: AggregationLeader): StatusSource {
    const setup = (code: string) => leader.find(code)?.setup ?? null;
    return {
      find: (code) => leader.find(code),
      all: () => leader.all(),
      countUnattributed: () => {},
      checkpointChecksum: () => null,
      unattributedRejections: () => ({}),
      connectedSockets: () => this.gateway?.connectedSockets() ?? 0,
      control: (code, payload) => {
        const federation = leader.find(code);
        return federation
          ? applyControl(federation, payload)
          : errorReply("unknown-federation", `no federation has the code ${code}`);
      },
      itemsOf: (code) => setup(code)?.items ?? null,
      joinTokenOf: (code) => setup(code)?.joinToken ?? null,
    };
  }

  private get log(): (line: string) => void {
    return this.options.log ?? ((line) => console.error(line));
  }

  /**
   * A Redis connection. `decides`: the one whose commands decide what is accepted — it fails them
   * at once while Redis is unreachable (instead of queueing them), says so in the log, and calls
   * `onBack` when Redis returns. `failFast` alone: fails commands at once too, silently.
   */
  private async connection(name: string, decides: { onBack: () => void } | null, failFast = decides !== null): Promise<Redis> {
    const redis = new Redis(this.options.redisUrl, {
      lazyConnect: true,
      connectionName: `fedrec-${name}`,
      ...(failFast && { enableOfflineQueue: false, maxRetriesPerRequest: 0 }),
      retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    });
    this.clients.push(redis);
    let lastError: Error | null = null;
    redis.on("error", (error: Error) => (lastError = error)); // reported below, by the deciding connection
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      const reason = (lastError ?? (error as Error)).message;
      throw new Error(`cannot reach Redis at ${this.options.redisUrl} (${reason}); start redis-server or check --redis`);
    }
    if (decides) {
      let down = false;
      redis.on("error", (error: Error) => {
        if (down) return;
        down = true;
        this.log(
          `gateway ${this.gatewayId}: Redis at ${this.options.redisUrl} unreachable (${error.message}); uploads are refused as "unavailable" until it returns`,
        );
      });
      redis.on("ready", () => {
        if (!down) return;
        down = false;
        this.log(`gateway ${this.gatewayId}: Redis at ${this.options.redisUrl} reachable again`);
        decides.onBack();
      });
    }
    return redis;
  }

  private async listen(): Promise<void> {
    // Presence notes sent while Redis was away are lost: announce this gateway's clients again.
    const command = await this.connection("command", { onBack: () => this.gateway?.announceConnected() });
    const subscriber = await this.connection("subscriber", null);
    const adapterClient = await this.connection("adapter", null);
    // Its own connection: a renewal queued behind thousands of journal writes would arrive too late.
    const leaseClient = await this.connection("lease", null, true);
    const where = `Redis at ${this.options.redisUrl}`;
    await claimRedisSchema(command, where);
    const bufferWarning = await pubsubBufferWarning(command, where);
    if (bufferWarning) this.log(`gateway ${this.gatewayId}: ${bufferWarning}`);
    for (const f of this.options.federations ?? []) {
      const { setup, starting } = prepareNewFederation(f);
      // Without a code of its own, a gateway serves the federations Redis holds rather than adding one.
      const onlyIfNone = f.code === undefined;
      await createFederationIfAbsent(command, setup, f.config, f.phase ?? "waiting", starting, onlyIfNone);
    }
    const setups = await Promise.all((await federationCodes(command)).map((code) => loadSetup(command, code)));
    for (const { setup, config } of setups) checkCatalogue(setup.catalogue, config, `federation ${setup.code} in ${where}`);
    const app = express();
    app.disable("x-powered-by");
    this.http = createServer(app);
    this.io = new Server(this.http, {
      maxHttpBufferSize: transportLimitBytes(setups.map((s) => ({ catalogue: s.setup.catalogue, config: s.config }))),
      serveClient: false,
      adapter: createAdapter(adapterClient),
    });
    const setupsByCode = new Map(setups.map((s) => [s.setup.code, s.setup]));
    const bus = new ClusterBus(command, subscriber, this.gatewayId);
    const budgetMs = this.options.requestBudgetMs ?? 10_000;
    const gateway = (this.gateway = new ClusterSocketGateway(this.io, bus, setupsByCode, nodeCredentials, budgetMs, this.log));
    await bus.start(
      () => gateway.announceConnected(),
      (delivery) => gateway.deliver(delivery),
    );
    app.use(
      clusterHttp({
        setups: setupsByCode,
        credentials: nodeCredentials,
        redis: command,
        leaderApi: () => this.leaderApi,
        describe: () => ({
          gateway: this.gatewayId,
          leader: this.isLeader,
          connections: gateway.connectedSockets(),
          federations: this.leader?.all().map((f) => f.status()) ?? [],
        }),
      }),
    );
    if (this.options.routes) app.use(this.options.routes);
    const leaseMs = this.options.leaseMs ?? 3000;
    // Heartbeats as often as lease renewals: the leader gives a silent gateway up after one lease TTL.
    this.heartbeat = setInterval(() => bus.notify({ kind: "alive" }), Math.max(10, Math.floor(leaseMs / 3)));
    this.lease = new LeaderLease(leaseClient, this.gatewayId, leaseMs, {
      acquired: () => this.serialised(() => this.takeLead(command, bus)),
      lost: (reason) => this.serialised(() => this.stepDown(reason)),
    });
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port, this.options.host ?? "127.0.0.1", () => resolve());
    });
    this.lease.start();
  }

  /** Leadership changes one at a time, in order. */
  private serialised(change: () => Promise<void>): void {
    this.transition = this.transition.then(change).catch((error: unknown) => {
      this.log(`gateway ${this.gatewayId}: leadership change failed: ${(error as Error).stack ?? String(error)}`);
    });
  }

  private async takeLead(command: Redis, bus: ClusterBus): Promise<void> {
    if (!this.lease.isHeld) return;
    const options = {
      tickMs: this.options.tickMs ?? 200,
      gatewayTimeoutMs: this.options.leaseMs ?? 3000,
      log: this.log,
      ...(this.options.gram && { gram: this.options.gram }),
      ...(this.options.aggregator && { aggregator: this.options.aggregator }),
      ...(this.options.onRoundEnd && { onRoundEnd: this.options.onRoundEnd }),
    };
    try {
      this.leader = await AggregationLeader.take(this.io, bus, command, this.gatewayId, options, (error) => {
        this.log(`gateway ${this.gatewayId}: ${error.message}; stepping down as aggregation leader`);
        void this.lease.stop().then(() => {
          this.serialised(() => this.stepDown("journal write failed"));
          this.lease.start();
        });
      });
      this.leaderApi = httpApi(this.statusSource(this.leader), Date.now(), () => Date.now(), this.options.personas);
      await command.set(LEADER_URL_KEY, this.advertisedUrl);
      this.log(`gateway ${this.gatewayId} is the aggregation leader (API at ${this.advertisedUrl})`);
    } catch (error) {
      this.log(`gateway ${this.gatewayId}: cannot take the lead: ${(error as Error).message}`);
      await this.lease.stop();
      this.lease.start();
    }
  }

  private async stepDown(reason: string): Promise<void> {
    const leader = this.leader;
    if (!leader) return;
    this.leader = null;
    this.leaderApi = null;
    this.log(`gateway ${this.gatewayId} is no longer the aggregation leader: ${reason}`);
    await leader.stop();
  }
}
