/** Loads the dataset a command line asks for, reading files through the Node FileSource. */
import { join } from "node:path";
import { loadDataset, type Dataset } from "@fedrec/common";
import { createNodeFileSource } from "../data/node-file-source.ts";
import { resolveDataDir } from "./dataset-location.ts";
import { UsageError, type DatasetOptions } from "./command-line.ts";

/** The synthetic dataset is fixed (its own seed): run seeds vary the model, not the data. */
export async function loadCliDataset(options: DatasetOptions): Promise<Dataset> {
  if (options.dataset === "synthetic") {
    return loadDataset({
      kind: "synthetic",
      ...(options.synthetic.numUsers !== null && { numUsers: options.synthetic.numUsers }),
      ...(options.synthetic.numItems !== null && { numItems: options.synthetic.numItems }),
    });
  }
  if (options.dataset === "csv") {
    const { interactions, profiles, items } = options.csv;
    const dir = resolveDataDir(options.datasetDir) ?? process.cwd();
    return loadDataset(
      {
        kind: "csv",
        interactions: interactions!,
        ...(profiles !== null && { profiles }),
        ...(items !== null && { items }),
      },
      createNodeFileSource(dir),
    );
  }
  const dir = resolveDataDir(options.datasetDir);
  if (dir === null) {
    throw new UsageError(
      `--dataset ${options.dataset} needs its files: pass --dataset-dir DIR or set FEDREC_DATA_DIR (DIR/${options.dataset}/)`,
    );
  }
  return loadDataset({ kind: options.dataset }, createNodeFileSource(join(dir, options.dataset)));
}
