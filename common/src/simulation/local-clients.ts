/**
 * Clients run one after another in this thread, each a ClientRuntime (the very code a device
 * runs). Per-round scratch state is shared (one workspace); each client keeps only its private
 * layers, optimiser state and random streams.
 */
import { ClientRuntime, type Clock } from "../client/client-runtime.ts";
import { modelDimensions } from "../config/derived-settings.ts";
import type { FederationConfig } from "../config/federation-config.ts";
import type { Dataset } from "../data/dataset.ts";
import { leaveOneOutSplit } from "../split/leave-one-out.ts";
import type { TrainingWorkspace } from "../train/training-workspace.ts";
import type { ClientPool, ClientReport, ClientTask } from "./client-pool.ts";
import { initialModel } from "../model/initial-model.ts";
import { streamOf } from "../random/federation-streams.ts";

export class LocalClients implements ClientPool {
  private readonly clients = new Map<number, ClientRuntime>();
  private readonly workspace: TrainingWorkspace;

  /** `owned`: the clients this pool runs (default: all); a task for another client is an error. */
  constructor(
    config: FederationConfig,
    dataset: Dataset,
    profiles: readonly Float32Array[],
    private readonly clock: Clock,
    owned: (client: number) => boolean = () => true,
  ) {
    const initial = initialModel(config, modelDimensions(config, profiles[0]?.length ?? 0, dataset.numItems));
    this.workspace = ClientRuntime.createWorkspace(config, initial);
    const splits = leaveOneOutSplit(dataset, config.evalNegatives, streamOf(config.seed, "split"));
    dataset.users.forEach((_, u) => {
      if (owned(u)) this.clients.set(u, new ClientRuntime(config, splits[u]!, profiles[u]!, u, initial));
    });
  }

  async runRound(tasks: readonly ClientTask[]): Promise<ClientReport[]> {
    return tasks.map(({ client, table }) => {
      const runtime = this.clients.get(client);
      if (!runtime) throw new Error(`client ${client} is not run by this pool`);
      return { client, ...runtime.runRound(table, this.workspace, this.clock) };
    });
  }

  async close(): Promise<void> {}
}
