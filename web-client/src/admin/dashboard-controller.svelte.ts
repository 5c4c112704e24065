/**
 * The dashboard's state and actions: the `/admin` socket (status, clients, round ends, control),
 * the coordinator's HTTP endpoints (rounds, graph, invite, personas) and the exports. The Svelte
 * components only draw these fields and call these methods.
 */
import { io } from "socket.io-client";
import QRCode from "qrcode";
import {
  ADMIN_EVENTS,
  isErrorReply,
  parseRoundHistory,
  type ClientStatus,
  type ControlAction,
  type ControlRequest,
  type FederationConfig,
  type FederationStatus,
  type RoundSummary,
  type UserGraph,
} from "@fedrec/common";
import { getJson } from "../lib/coordinator-api.ts";
import type { AdminSocket } from "../lib/sockets.ts";
import { formFrom, settingsChanges, type SettingsForm } from "./settings-form.ts";
import { roundsCsv } from "./rounds-export.ts";
import { svgsToPng } from "./svg-png.ts";

const CONTROL_TIMEOUT_MS = 5000;

export class DashboardController {
  readonly code: string;
  private readonly token: string;
  private readonly origin: string;
  error = $state<string | null>(null);
  status = $state.raw<FederationStatus | null>(null);
  clients = $state.raw<readonly ClientStatus[]>([]);
  /** Every completed round, oldest first. */
  history = $state.raw<readonly RoundSummary[]>([]);
  config = $state.raw<FederationConfig | null>(null);
  graph = $state.raw<UserGraph | null>(null);
  joinLink = $state("");
  /** The join link's QR code as a data: URL ("" until drawn). */
  qr = $state("");
  /** The answer to the last start / pause / stop. */
  answer = $state("");
  /** The answer to the last Apply. */
  settingsAnswer = $state("");
  /** The settings form, bound to its inputs (filled from the configuration once it is known). */
  settings = $state<SettingsForm | null>(null);
  /** The dataset user whose demo persona file Download fetches. */
  personaUser = $state(0);
  /** Share of the open round's participants that have uploaded (0 when no round is open). */
  readonly roundProgress = $derived(
    this.status?.round ? this.status.round.uploaded / Math.max(1, this.status.round.participants) : 0,
  );
  private socket: AdminSocket | null = null;

  constructor(url: URL) {
    this.code = url.searchParams.get("code") ?? "";
    this.token = url.searchParams.get("token") ?? "";
    this.origin = url.origin;
  }

  /** Opens the admin socket and asks for the join link; without a code and token, says so instead. */
  start(): void {
    if (this.code === "" || this.token === "") {
      this.error = "This dashboard link has no code or admin token: use the admin link the coordinator printed.";
      return;
    }
    const admin: AdminSocket = io("/admin", {
      auth: { code: this.code, token: this.token },
      transports: ["websocket", "polling"],
    });
    this.socket = admin;
    admin.on("connect_error", (e) => (this.error = this.connectionError(e.message)));
    admin.on("connect", () => {
      this.error = null;
      void this.refresh().then(() => {
        if (this.config) this.settings = formFrom(this.config);
      });
    });
    admin.on(ADMIN_EVENTS.status, (s) => {
      // Fewer completed rounds than the history holds: the federation was reset.
      if (s.completedRounds < this.history.length) void this.refresh();
      this.status = s;
    });
    admin.on(ADMIN_EVENTS.clients, (c) => (this.clients = c));
    admin.on(ADMIN_EVENTS.roundEnd, () => void this.refresh());
    void this.showInvite();
  }

  private connectionError(message: string): string {
    if (message.startsWith("bad-token")) return "The admin token is wrong.";
    if (message.startsWith("unknown-federation")) return `No federation has the code "${this.code}".`;
    return `Cannot reach the coordinator: ${message}`;
  }

  private api(path: string): string {
    return `/api/federations/${encodeURIComponent(this.code)}${path}`;
  }

  /** Reloads the round history, the configuration and the last user graph. */
  private async refresh(): Promise<void> {
    const [body, graph] = await Promise.all([
      getJson<unknown>(this.api("/rounds"), this.token),
      getJson<UserGraph | null>(this.api("/graph"), this.token),
    ]);
    const rounds = parseRoundHistory(body);
    if (isErrorReply(rounds)) {
      this.error = `The coordinator's round history is not what this page understands (${rounds.message}); reload the page.`;
      return;
    }
    this.history = rounds.rounds;
    this.config = rounds.config;
    this.graph = graph;
  }

  private async showInvite(): Promise<void> {
    const { joinToken } = await getJson<{ joinToken: string }>(this.api("/invite"), this.token);
    this.joinLink = `${this.origin}/?code=${encodeURIComponent(this.code)}&token=${encodeURIComponent(joinToken)}`;
    this.qr = await QRCode.toDataURL(this.joinLink, { margin: 1, width: 180 });
  }

  /** Sends a control request; answers "done" or why it was refused. */
  private async control(body: ControlRequest): Promise<string> {
    if (!this.socket) return "";
    const reply = await this.socket.timeout(CONTROL_TIMEOUT_MS).emitWithAck(ADMIN_EVENTS.control, body);
    if (!reply.ok) return `refused: ${reply.message}`;
    if ("config" in reply) {
      this.config = reply.config;
      this.settings = formFrom(reply.config);
    }
    return "done";
  }

  async act(action: ControlAction): Promise<void> {
    this.answer = await this.control({ action });
  }

  /** Removes a student: their page is disconnected and cannot join again. */
  async kick(clientId: string): Promise<void> {
    this.answer = await this.control({ kick: clientId });
  }

  /** Sends only the settings that differ from the federation's configuration. */
  async applySettings(): Promise<void> {
    if (!this.config || !this.settings) return;
    const changes = settingsChanges(this.config, $state.snapshot(this.settings) as SettingsForm);
    this.settingsAnswer = Object.keys(changes).length === 0 ? "nothing changed" : await this.control({ settings: changes });
  }

  exportJson(): void {
    const text = JSON.stringify({ config: this.config, rounds: this.history }, null, 2);
    download(`fedrec-${this.code}.json`, "application/json", text);
  }

  exportCsv(): void {
    download(`fedrec-${this.code}-rounds.csv`, "text/csv", roundsCsv(this.history));
  }

  /** The charts and the user graph as one PNG (the end-of-lesson picture). */
  async exportPng(): Promise<void> {
    const svgs = [...document.querySelectorAll<SVGSVGElement>("[data-testid=charts-panel] svg")];
    try {
      download(`fedrec-${this.code}-charts.png`, "image/png", await svgsToPng(svgs));
    } catch (error) {
      this.answer = `PNG export failed: ${(error as Error).message}`;
    }
  }

  async downloadPersona(): Promise<void> {
    const user = this.personaUser;
    const persona = await getJson<object>(this.api(`/personas/${user}`), this.token);
    download(`persona-${this.code}-${user}.json`, "application/json", JSON.stringify(persona));
  }
}

function download(name: string, type: string, content: string | Blob): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  link.download = name;
  link.click();
}
