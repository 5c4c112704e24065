/**
 * The attack harness's core: runs the federation `config` describes (the simulator, unchanged)
 * under a CuriousCoordinator and scores the attacks after each of `reportRounds`. With
 * `secureAggregation` the coordinator gets no item rows: it reads every masked input the
 * secure-aggregation server receives (the real protocol, run in process). Pure: the shell supplies
 * the dataset, the profile embeddings, the truth and the dictionary.
 */
import { rngChacha20 } from "@noble/ciphers/chacha.js";
import { modelDimensions } from "../../config/derived-settings.ts";
import type { FederationConfig } from "../../config/federation-config.ts";
import type { Dataset } from "../../data/dataset.ts";
import type { GramKernel } from "../../graph/cosine-similarity.ts";
import { initialModel } from "../../model/initial-model.ts";
import { clientLevelDp } from "../client-level-dp.ts";
import { parseMaskedInput } from "../../secure-aggregation/messages.ts";
import { FederatedSimulation } from "../../simulation/federated-simulation.ts";
import { LocalClients } from "../../simulation/local-clients.ts";
import type { ProfileDictionary } from "./attribute-inference.ts";
import { CuriousCoordinator } from "./curious-coordinator.ts";
import { ReleasedTableObserver, releasedTableAttackApplies } from "./released-table-observer.ts";
import {
  scoreAttack,
  type AttackRoundReport,
  type AttackTruth,
  type Attributes,
  type ReleasedTableView,
} from "./score-attack.ts";

export async function runAttack(
  config: FederationConfig,
  dataset: Dataset,
  profiles: readonly Float32Array[],
  truth: AttackTruth,
  dictionary: ProfileDictionary<Attributes> | null,
  reportRounds: readonly number[],
  gram?: GramKernel,
): Promise<AttackRoundReport[]> {
  const last = Math.max(...reportRounds);
  if (!(last <= config.rounds)) throw new Error(`report rounds ${reportRounds.join(", ")} go beyond the ${config.rounds} rounds`);
  const profileDim = profiles[0]?.length ?? 0;
  const dims = modelDimensions(config, profileDim, dataset.numItems);
  const clock = () => 0;
  const coordinator = new CuriousCoordinator(
    new LocalClients(config, dataset, profiles, clock),
    initialModel(config, dims).userJoint.weight,
    { jointDim: dims.jointDim, profileDim, itemDim: dims.itemDim, numItems: dataset.numItems },
    config.secureAggregation ? "masked-inputs" : "rows",
  );
  const tableLength = dataset.numItems * dims.itemDim;
  const dp = clientLevelDp(config);
  const released: ReleasedTableView | null = releasedTableAttackApplies(config)
    ? {
        observer: new ReleasedTableObserver(
          coordinator,
          dims.itemDim,
          config.serverLearningRate,
          dp?.clipNorm ?? config.uploadClipNorm,
        ),
        noise: dp && { multiplier: dp.noiseMultiplier, clipNorm: dp.clipNorm },
      }
    : null;
  const simulation = new FederatedSimulation(config, dataset, profileDim, released?.observer ?? coordinator, clock, gram, {
    // The clients' key material, seeded so a run reproduces; the coordinator never sees it.
    randomBytes: seededRandomBytes(config.seed),
    secureAggregationInbox: (phase, message) => {
      if (phase === "masked-input") coordinator.observeMaskedInput(parseMaskedInput(message, tableLength));
    },
  });
  const reports: AttackRoundReport[] = [];
  try {
    for (let round = 1; round <= last && !simulation.finished; round++) {
      await simulation.runRound();
      released?.observer.observeRelease(simulation.globalTable);
      if (reportRounds.includes(round)) reports.push(scoreAttack(coordinator, round, truth, dictionary, released));
    }
  } finally {
    await simulation.close();
  }
  return reports;
}

function seededRandomBytes(seed: number): (length: number) => Uint8Array {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setFloat64(0, seed);
  const prg = rngChacha20(key);
  return (length) => prg.randomBytes(length);
}

/** 1 for every item each user rated. */
export function ratedItems(dataset: Dataset): Uint8Array[] {
  return dataset.users.map((u) => {
    const rated = new Uint8Array(dataset.numItems);
    for (const i of u.interactions) rated[i.item] = 1;
    return rated;
  });
}
