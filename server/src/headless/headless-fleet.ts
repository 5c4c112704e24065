/**
 * Headless clients: one FederationSession per dataset user, each over its own socket.io
 * connection (forceNew), all in this process and sharing one training workspace (they train one
 * at a time on this thread). The same session code runs in the browser.
 */
import { io } from "socket.io-client";
import {
  FederationSession,
  SharedWorkspace,
  datasetUserLabel,
  type Dataset,
  type EncoderIdentity,
  type ErrorReply,
  type RoundSummary,
  type SessionPhase,
  type SessionSocket,
} from "@fedrec/common";
import { randomToken } from "../coordinator/credentials.ts";
import type { ClientSocket } from "./client-socket.ts";

export interface FleetOptions {
  readonly url: string;
  /** The certificate (PEM) to trust for an https:// url with a private CA or self-signed certificate. */
  readonly ca?: Buffer | null;
  readonly code: string;
  readonly token: string;
  readonly dataset: Dataset;
  /** Profile embeddings of every dataset user. */
  readonly profiles: readonly Float32Array[];
  /** The encoder that computed `profiles` (sent at join; it must be the federation's). */
  readonly encoder: EncoderIdentity;
  /** Dataset users to run as clients. */
  readonly users: readonly number[];
  readonly onRoundEnd?: (summary: RoundSummary) => void;
  readonly onError?: (user: number, error: ErrorReply) => void;
  /** Lets a test put itself between a client and its socket (delay or drop events). */
  readonly wrapSocket?: (socket: ClientSocket, user: number) => SessionSocket;
}

export interface FleetProgress {
  readonly clients: number;
  readonly phases: Readonly<Partial<Record<SessionPhase, number>>>;
  readonly trainedRounds: number;
  readonly uploads: number;
  readonly uploadedBytes: number;
  readonly lastRound: RoundSummary | null;
}

export class HeadlessFleet {
  private readonly sockets: ClientSocket[] = [];
  private readonly joined: Promise<void>[] = [];
  readonly sessions: FederationSession[] = [];
  private readonly phases = new Map<number, SessionPhase>();
  private trained = 0;
  private uploads = 0;
  private uploadedBytes = 0;
  private last: RoundSummary | null = null;

  constructor(options: FleetOptions) {
    const clock = () => performance.now() / 1000;
    const runId = randomToken(6);
    const workspace = new SharedWorkspace();
    for (const user of options.users) {
      const record = options.dataset.users[user];
      if (!record) throw new Error(`dataset ${options.dataset.name} has no user ${user}`);
      const socket: ClientSocket = io(options.url, {
        transports: ["websocket"],
        forceNew: true,
        autoConnect: false,
        ...(options.ca && { ca: options.ca.toString("utf8") }),
        reconnectionDelay: 250,
        reconnectionDelayMax: 2000,
      });
      let welcomed: () => void = () => {};
      this.joined.push(new Promise<void>((resolve) => (welcomed = resolve)));
      const session = new FederationSession(options.wrapSocket?.(socket, user) ?? socket, {
        code: options.code,
        token: options.token,
        identity: { clientId: `${options.dataset.name.replace(/[^A-Za-z0-9]/g, "")}-${user}-${runId}`, secret: null },
        label: datasetUserLabel(options.dataset.name, record.sourceId),
        data: {
          interactions: record.interactions,
          profile: options.profiles[user]!,
          encoder: options.encoder,
          streamKey: user,
          numItems: options.dataset.numItems,
        },
        clock,
        workspace,
        events: {
          phase: (phase) => {
            this.phases.set(user, phase);
            if (phase === "failed") welcomed(); // connect() must not wait forever for a refused client
          },
          welcome: () => welcomed(),
          trained: () => this.trained++,
          uploaded: (_round, bytes) => {
            this.uploads++;
            this.uploadedBytes += bytes;
          },
          roundEnd: (summary) => {
            // Every client hears every round's end: report each round once.
            if (this.last && summary.round <= this.last.round) return;
            this.last = summary;
            options.onRoundEnd?.(summary);
          },
          error: (error) => options.onError?.(user, error),
        },
      });
      this.sockets.push(socket);
      this.sessions.push(session);
    }
  }

  /**
   * Connects the clients one after another, each once the previous one is welcomed: the
   * coordinator then numbers them in user order (as the simulator does), and a thousand clients
   * do not hit it in the same instant.
   */
  async connect(): Promise<void> {
    for (let i = 0; i < this.sockets.length; i++) {
      this.sockets[i]!.connect();
      await this.joined[i];
    }
  }

  progress(): FleetProgress {
    const phases: Partial<Record<SessionPhase, number>> = {};
    for (const phase of this.phases.values()) phases[phase] = (phases[phase] ?? 0) + 1;
    return {
      clients: this.sessions.length,
      phases,
      trainedRounds: this.trained,
      uploads: this.uploads,
      uploadedBytes: this.uploadedBytes,
      lastRound: this.last,
    };
  }

  close(): void {
    for (const session of this.sessions) session.stop();
  }
}
