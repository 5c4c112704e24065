/**
 * A live federation: the round machine plus its front door — the code, the join and admin tokens,
 * the catalogue clients must match, the join of a new or returning client (a secret is issued at
 * the first join and must be shown at every later one; a client the teacher removed is refused),
 * wire uploads — and the dashboard's view (status, clients, rejected messages, traffic). The coordinator's socket and HTTP shells talk to
 * this object; the simulator drives the bare RoundMachine.
 */
import { uploadedUserWeightsLength } from "../config/derived-settings.ts";
import type { ClientStatus, FederationStatus } from "../protocol/admin-messages.ts";
import { checkJoinCatalogue } from "../protocol/catalogue-check.ts";
import type { Catalogue, JoinRequest, UploadAccepted, UploadMessage } from "../protocol/messages.ts";
import { errorReply, isErrorReply, type ErrorReply } from "../protocol/protocol-error.ts";
import { parseUploadArrays } from "../protocol/validation.ts";
import type { Credentials, FederationSetup, MachineDeps, MachineState } from "./federation-types.ts";
import { clientStatuses, federationStatus } from "./federation-status.ts";
import { RoundMachine } from "./round-machine.ts";

export interface FederationDeps extends MachineDeps {
  readonly credentials: Credentials;
}

export interface JoinAccepted {
  readonly clientId: string;
  readonly secret: string;
  /** The table the client recommends with until its first round (its best-round table once finished). */
  readonly table: Float32Array;
}

export class Federation extends RoundMachine {
  readonly catalogue: Catalogue;
  private readonly credentials: Credentials;
  /** Rejected messages since start, by error code. */
  private readonly rejectedTotal: Record<string, number> = {};
  /** Clients the teacher removed (in memory: a restarted coordinator lets them in again). */
  private readonly kicked = new Set<string>();

  constructor(
    /** Code, tokens and catalogue, fixed at creation. */
    readonly setup: FederationSetup,
    stored: MachineState,
    deps: FederationDeps,
  ) {
    super(setup.code, setup.catalogue, stored, deps);
    this.catalogue = setup.catalogue;
    this.credentials = deps.credentials;
  }

  canJoin(token: string): boolean {
    return this.credentials.sameToken(token, this.setup.joinToken);
  }

  isAdmin(token: string): boolean {
    return this.credentials.sameToken(token, this.setup.adminToken);
  }

  join(request: JoinRequest): JoinAccepted | ErrorReply {
    if (!this.canJoin(request.token)) {
      return errorReply("bad-token", `wrong join token for federation ${this.code}; use the invite link`);
    }
    if (this.kicked.has(request.clientId)) {
      return errorReply("kicked", `the teacher removed client ${request.clientId} from federation ${this.code}`);
    }
    const mismatch = checkJoinCatalogue(this.code, this.catalogue, request);
    if (mismatch) return mismatch;
    const known = this.registry.get(request.clientId);
    if (known) {
      if (request.secret === null || !this.credentials.matches(request.secret, known.secretDigest)) {
        return errorReply("bad-token", `client id ${request.clientId} is registered with another secret`);
      }
      known.label = request.label;
      return { clientId: known.clientId, secret: request.secret, table: this.tableForRecommendations(known.slot) };
    }
    if (request.secret !== null)
      return errorReply("bad-token", `client id ${request.clientId} is not registered; join without a secret`);
    const { secret, digest } = this.credentials.issue();
    const client = this.register(request.clientId, digest, request.label);
    return { clientId: client.clientId, secret, table: this.tableForRecommendations(client.slot) };
  }

  /** The teacher removes a client: out of the rounds (remove()), and its joins are refused. False when no such client. */
  kick(clientId: string): boolean {
    if (!this.registry.get(clientId)) return false;
    this.kicked.add(clientId);
    return this.remove(clientId);
  }

  /** An upload as it came over the wire: the round rules first, then its arrays are read. */
  upload(clientId: string, message: UploadMessage): UploadAccepted | ErrorReply {
    const refusal = this.refusal(clientId, message.round);
    if (refusal) return refusal;
    const arrays = parseUploadArrays(message, {
      userWeights: uploadedUserWeightsLength(this.config, this.dims.profileDim),
      numItems: this.dims.numItems,
      itemDim: this.dims.itemDim,
      precision: this.config.uploadPrecision,
    });
    if (isErrorReply(arrays)) return errorReply(arrays.code, arrays.message);
    const { numExamples, loss, metrics } = message;
    return this.submit(clientId, message.round, { ...arrays, numExamples, loss, metrics });
  }

  /** Counts a rejected message of this federation's clients (by its error code). */
  countRejection(code: string): void {
    this.rejectedTotal[code] = (this.rejectedTotal[code] ?? 0) + 1;
    this.roundInProgress?.countRejection(code);
  }

  /** Socket payload bytes, attributed to the round in progress. */
  addBytes(incoming: number, outgoing: number): void {
    const round = this.roundInProgress;
    if (!round) return;
    round.bytes.in += incoming;
    round.bytes.out += outgoing;
  }

  status(): FederationStatus {
    return federationStatus({
      code: this.code,
      catalogue: this.catalogue,
      phase: this.phase,
      completedRounds: this.completedRounds,
      rounds: this.config.rounds,
      registry: this.registry,
      open: this.roundInProgress,
      lastRound: this.history.at(-1) ?? null,
      best: this.best,
      stoppedEarlyAt: this.stoppedEarlyAt,
      rejected: this.rejectedTotal,
      privacy: this.privacy,
    });
  }

  /** Every registered client and what it is doing (for the dashboard). */
  clientStates(): ClientStatus[] {
    return clientStatuses(this.registry, this.roundInProgress, this.checkpoint().latestMetrics);
  }
}
