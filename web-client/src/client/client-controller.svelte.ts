/**
 * The client page's state and actions: local data in IndexedDB, MiniLM on the device, and a
 * FederationSession (common/, the code the headless clients run) over socket.io to the page's own
 * origin. Only weights, counts and metrics leave the device — the session sends nothing else.
 */
import { io } from "socket.io-client";
import {
  FederationSession,
  LocalDataError,
  encoderMismatch,
  explainRecommendations,
  ml100kProfileText,
  parsePersona,
  parseRatingsCsv,
  recommendTopK,
  validateFullConfig,
  whatLeavesTheDevice,
  type CatalogueResponse,
  type EncoderIdentity,
  type Interaction,
  type LocalEvaluation,
  type RoundSummary,
  type SessionPhase,
} from "@fedrec/common";
import { browserEncoderIdentity, embedProfile, loadMiniLm } from "../lib/browser-encoder.ts";
import { fetchCatalogue } from "../lib/coordinator-api.ts";
import { startTrainingEngine, type TrainingEngine } from "../lib/training-engine.ts";
import { deleteClient, loadClient, newClient, saveClient, type StoredClient } from "../lib/local-store.ts";
import type { ClientSocket } from "../lib/sockets.ts";

export interface RecommendationRow {
  readonly item: number;
  readonly title: string;
  /** Titles of the person's rated items closest to this one in the item table (computed here, never sent). */
  readonly because: readonly string[];
}

/** Rated items named per recommendation in "because you rated …". */
const REASONS_PER_ITEM = 2;
/** What the dashboard may show for a nickname: the protocol's label rule (1–80 printable characters). */
const NICKNAME_MAX = 40;

export class ClientController {
  readonly code: string;
  readonly token: string;
  fatal = $state<string | null>(null);
  notice = $state<string | null>(null);
  catalogue = $state<CatalogueResponse | null>(null);
  /** What each round's upload carries under the federation's settings (whatLeavesTheDevice). */
  uploadsNote = $state<string | null>(null);
  stored = $state<StoredClient | null>(null);
  busy = $state<string | null>(null);
  modelProgress = $state<string | null>(null);
  phase = $state<SessionPhase | "not joined">("not joined");
  phaseDetail = $state("");
  connection = $state<"online" | "offline" | "idle">("idle");
  round = $state(0);
  local = $state<LocalEvaluation | null>(null);
  lastRound = $state<RoundSummary | null>(null);
  recommendations = $state<RecommendationRow[]>([]);
  /** After the run: the best-validation round the recommendations come from. */
  bestRound = $state<number | null>(null);
  /** After an early stop: the round after which the federation stopped. */
  stoppedEarlyAt = $state<number | null>(null);
  uploadedBytes = $state(0);
  /** Local epochs trained on this page since it loaded. */
  epochs = $state(0);
  /** The engine training runs on (tfjs backend or the core). */
  engine = $state<string | null>(null);
  private readonly backend: string | null;
  /** Milliseconds of the last model load, profile embedding and local round (shown, and read by the benchmark). */
  timings = $state<{ modelLoad: number | null; embed: number | null; round: number | null }>({
    modelLoad: null,
    embed: null,
    round: null,
  });
  private session: FederationSession | null = null;
  private socket: ClientSocket | null = null;

  constructor(url: URL) {
    this.code = url.searchParams.get("code") ?? "";
    this.token = url.searchParams.get("token") ?? "";
    this.backend = url.searchParams.get("backend");
  }

  get titles(): readonly string[] {
    return this.catalogue?.items?.titles ?? [];
  }

  titleOf(item: number): string {
    return this.titles[item] ?? `item ${item}`;
  }

  async start(): Promise<void> {
    if (this.code === "" || this.token === "") {
      this.fatal =
        "This link has no federation code or token. Open the join link you were given (it looks like …/?code=ABC123&token=…).";
      return;
    }
    try {
      this.catalogue = await fetchCatalogue(this.code, this.token);
      this.uploadsNote = whatLeavesTheDevice(validateFullConfig(this.catalogue.config, "the federation's settings"));
    } catch (error) {
      this.fatal = (error as Error).message;
      return;
    }
    this.stored = (await loadClient(this.code)) ?? newClient();
    // A profile embedded by another encoder (an older page, another pooling) is embedded again.
    const { embedding, encoder, profileText } = this.stored;
    if (embedding && profileText !== "" && !this.isFederationEncoder(encoder ?? null)) await this.setProfile(profileText);
    if (this.stored.joined) await this.join();
  }

  /** The federation's encoder (model files, pooling, width), from its catalogue. */
  private isFederationEncoder(encoder: EncoderIdentity | null): boolean {
    const wanted = this.catalogue?.catalogue.encoder;
    return encoder !== null && wanted !== undefined && encoderMismatch(wanted, encoder) === null;
  }

  private async persist(): Promise<void> {
    if (this.stored) await saveClient(this.code, $state.snapshot(this.stored) as StoredClient);
  }

  async setProfile(text: string): Promise<void> {
    const stored = this.stored!;
    this.busy = "Embedding your profile on this device…";
    try {
      const t0 = performance.now();
      const { pooling, precision } = this.catalogue!.catalogue.encoder;
      await loadMiniLm(precision, (p) => (this.modelProgress = `loading the language model: ${p.file} ${p.percent}%`));
      const t1 = performance.now();
      const encoder = await browserEncoderIdentity(pooling, precision);
      const embedding = await embedProfile(text, encoder, () => {});
      // Together: the page offers to join as soon as an embedding is there.
      stored.encoder = encoder;
      stored.embedding = embedding;
      this.timings.modelLoad = t1 - t0;
      this.timings.embed = performance.now() - t1;
      stored.profileText = text;
      this.modelProgress = null;
      await this.persist();
    } catch (error) {
      this.notice = `Could not embed the profile: ${(error as Error).message}`;
    } finally {
      this.busy = null;
    }
  }

  /** The name the class sees on the dashboard (sent at the next join, as the label). */
  async setNickname(name: string): Promise<void> {
    const nickname = name
      .replace(/[\p{Cc}]/gu, "")
      .trim()
      .slice(0, NICKNAME_MAX);
    this.stored!.nickname = nickname;
    await this.persist();
  }

  profileFromFields(fields: { age: number; gender: "M" | "F"; occupation: string; zip: string }): string {
    return ml100kProfileText(fields);
  }

  async rate(item: number, rating: number): Promise<void> {
    const stored = this.stored!;
    stored.interactions = [
      ...stored.interactions.filter((x) => x.item !== item),
      { item, rating, timestamp: Math.floor(Date.now() / 1000) },
    ];
    stored.persona = null;
    await this.persist();
  }

  async importCsv(text: string): Promise<void> {
    await this.replaceData(() => ({
      interactions: parseRatingsCsv(text, this.catalogue?.items?.sourceIds ?? []),
      profile: null,
      label: null,
    }));
  }

  async importPersona(text: string): Promise<void> {
    await this.replaceData(() => {
      const persona = parsePersona(text, this.catalogue!.catalogue.numItems);
      return { interactions: [...persona.interactions], profile: persona.profileText, label: persona.label };
    });
  }

  private async replaceData(
    read: () => { interactions: Interaction[]; profile: string | null; label: string | null },
  ): Promise<void> {
    try {
      const { interactions, profile, label } = read();
      this.stored!.interactions = interactions;
      this.stored!.persona = label;
      this.notice = `Loaded ${interactions.length} ratings${label ? ` of the demo persona "${label}"` : ""}. They stay on this device.`;
      await this.persist();
      if (profile !== null) await this.setProfile(profile);
    } catch (error) {
      this.notice = error instanceof LocalDataError ? error.message : `Could not read the file: ${(error as Error).message}`;
    }
  }

  async join(): Promise<void> {
    const stored = this.stored!;
    if (!stored.embedding || !stored.encoder) {
      this.notice = "Write and save a profile first: it is embedded on this device before you can join.";
      return;
    }
    let engine: TrainingEngine;
    try {
      engine = await startTrainingEngine(this.backend);
    } catch (error) {
      this.notice = `Cannot start training: ${(error as Error).message}`;
      return;
    }
    this.engine = engine.name;
    stored.joined = true;
    void this.persist();
    this.socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 4000 });
    this.socket.on("connect", () => (this.connection = "online"));
    this.socket.on("disconnect", () => (this.connection = "offline"));
    this.socket.on("connect_error", () => {
      this.connection = "offline";
      this.phaseDetail = "Cannot reach the coordinator — retrying…";
    });
    this.session = new FederationSession(this.socket, {
      code: this.code,
      token: this.token,
      identity: stored.identity,
      // The chosen nickname, else a demo persona's label ("ml-100k user 57"); nothing otherwise.
      label: stored.nickname || stored.persona,
      data: {
        interactions: $state.snapshot(stored.interactions) as Interaction[],
        profile: $state.snapshot(stored.embedding) as Float32Array,
        encoder: $state.snapshot(stored.encoder) as EncoderIdentity,
        streamKey: stored.streamKey,
        numItems: this.catalogue!.catalogue.numItems,
      },
      batchGradient: engine.kernel,
      snapshot: stored.snapshot ? ($state.snapshot(stored.snapshot) as StoredClient["snapshot"]) : null,
      best: stored.best ? ($state.snapshot(stored.best) as NonNullable<StoredClient["best"]>) : null,
      clock: () => performance.now() / 1000,
      // A cluster gateway without Redis or leader answers `unavailable`: try again a second later.
      retryLater: (send) => void setTimeout(send, 1000),
      events: {
        identity: (identity) => {
          stored.identity = identity;
          void this.persist();
        },
        phase: (phase, detail) => {
          this.phase = phase;
          this.phaseDetail = detail;
        },
        welcome: () => this.refreshRecommendations(),
        epoch: async (round, { epoch, epochs, loss }) => {
          this.phaseDetail = `training round ${round}: epoch ${epoch} of ${epochs}, loss ${loss.toFixed(4)}`;
          this.epochs++;
          await new Promise((resolve) => setTimeout(resolve, 0)); // let the page show it
        },
        trained: (round, _loss, seconds, metrics) => {
          this.round = round;
          this.timings.round = seconds * 1000;
          if (metrics.val.count + metrics.test.count > 0) this.local = metrics;
        },
        uploaded: (_round, bytes, snapshot) => {
          this.uploadedBytes += bytes;
          stored.snapshot = snapshot;
          void this.persist();
        },
        roundEnd: (summary) => {
          this.lastRound = summary;
          this.refreshRecommendations();
        },
        best: (best) => {
          stored.best = best;
          void this.persist();
        },
        reset: () => {
          stored.snapshot = null;
          stored.best = null;
          this.round = 0;
          this.local = null;
          this.lastRound = null;
          this.bestRound = null;
          this.stoppedEarlyAt = null;
          this.notice = "The teacher restarted the federation: your model starts over.";
          void this.persist();
        },
        finished: (finished) => {
          this.stoppedEarlyAt = finished.stoppedEarlyAt;
          this.refreshRecommendations();
        },
        error: (error) => (this.notice = `${error.code}: ${error.message}`),
      },
    });
  }

  /**
   * The person's own top 10, excluding what they rated: during the run from the local model and the
   * latest table, after it from the best-validation round's table and local model.
   */
  refreshRecommendations(): void {
    const model = this.session?.recommendationModel();
    const stored = this.stored;
    if (!model || !stored?.embedding) return;
    this.bestRound = this.session?.bestRound ?? null;
    const rated = new Set(stored.interactions.map((x) => x.item));
    const top = recommendTopK(model, $state.snapshot(stored.embedding) as Float32Array, rated, 10);
    const why = explainRecommendations(
      model,
      top.map((r) => r.item),
      [...rated],
      REASONS_PER_ITEM,
    );
    this.recommendations = top.map(({ item }, i) => ({
      item,
      title: this.titleOf(item),
      because: why[i]!.because.map((b) => this.titleOf(b.item)),
    }));
  }

  async leaveAndDelete(): Promise<void> {
    this.session?.stop();
    this.session = null;
    this.socket = null;
    await deleteClient(this.code);
    this.stored = newClient();
    this.phase = "not joined";
    this.recommendations = [];
    this.bestRound = null;
    this.stoppedEarlyAt = null;
    this.local = null;
    this.notice = "You left the federation. Your profile, ratings and local model were deleted from this device.";
  }
}
