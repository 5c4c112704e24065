/**
 * `npm run pretrain`: the federation in simulation over a public dataset (minus an optional
 * held-out class), then the global item table of its best-validation round written as a
 * warm-start file (warm-start/warm-start-file.ts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { FederatedSimulation, type Dataset } from "@fedrec/common";
import { withEmbeddingCache } from "../encoder/embedding-cache.ts";
import { createMiniLmEncoder } from "../encoder/minilm-encoder.ts";
import { createWasmGramKernel } from "../kernels/wasm-gram.ts";
import { progressLine } from "../report/progress-line.ts";
import { WorkerClients } from "../simulation/worker-clients.ts";
import { decodeWarmStart, encodeWarmStart, type WarmStartHeader } from "../warm-start/warm-start-file.ts";
import { UsageError } from "./command-line.ts";
import { loadCliDataset } from "./load-cli-dataset.ts";
import { loadConfig } from "./load-config.ts";
import type { PretrainOptions } from "./pretrain-args.ts";

/** The dataset without its last `count` users (the held-out class), and those users' source ids. */
export function withoutLastUsers(dataset: Dataset, count: number): { kept: Dataset; heldOut: string[] } {
  if (count >= dataset.users.length) {
    throw new UsageError(`--hold-out ${count}: ${dataset.name} has only ${dataset.users.length} users`);
  }
  const cut = dataset.users.length - count;
  return {
    kept: { ...dataset, users: dataset.users.slice(0, cut) },
    heldOut: dataset.users.slice(cut).map((u) => u.sourceId),
  };
}

export async function pretrain(options: PretrainOptions, log: (line: string) => void = console.log): Promise<WarmStartHeader> {
  const config = await loadConfig(options);
  const { kept, heldOut } = withoutLastUsers(await loadCliDataset(options), options.holdOut);
  const encoder = withEmbeddingCache(createMiniLmEncoder(config.pooling, config.encoderPrecision));
  const profiles = await encoder.encode(kept.users.map((u) => u.profileText));
  log(`pretraining on ${kept.users.length} users of ${kept.name} (${heldOut.length} held out), up to ${config.rounds} rounds`);
  const clock = () => performance.now() / 1000;
  const gram = await createWasmGramKernel();
  const simulation =
    options.workers > 1
      ? new FederatedSimulation(
          config,
          kept,
          encoder.dimension,
          WorkerClients.create(config, kept, profiles, options.workers),
          clock,
          gram,
        )
      : FederatedSimulation.inProcess(config, kept, profiles, clock, gram);
  const t0 = clock();
  try {
    while (!simulation.finished) log(progressLine(await simulation.runRound(), config.rounds, clock() - t0));
  } finally {
    await simulation.close();
  }
  const best = simulation.best;
  if (best === null) throw new Error("pretraining ran no round");
  const header = {
    dataset: kept.name,
    numItems: kept.numItems,
    itemDim: simulation.dims.itemDim,
    scorer: config.scorer,
    bestRound: best.round,
    roundsRun: simulation.rounds.length,
    valHr10: best.val.hr10,
    heldOutUsers: heldOut,
  };
  const bytes = encodeWarmStart(header, best.tables.global);
  const out = resolve(options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, bytes);
  log(
    `wrote ${out} (${(bytes.byteLength / 1e6).toFixed(2)} MB): the item table of round ${best.round} of ${header.roundsRun}, ` +
      `validation HR@10 ${best.val.hr10.toFixed(4)}`,
  );
  return decodeWarmStart(bytes, out).header;
}
