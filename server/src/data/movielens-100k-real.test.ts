/**
 * Loads the real MovieLens 100K through the Node file source. The files are never copied into the
 * repository: they are read from $FEDREC_DATA_DIR/ml-100k, default ../shared/datasets/ml-100k
 * relative to the repository root. The test is skipped when that directory is absent.
 */
import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createNodeFileSource } from "./node-file-source.ts";
import { datasetSummary, loadDataset } from "../../../common/src/data/load-dataset.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const dataDir = path.resolve(repoRoot, process.env["FEDREC_DATA_DIR"] ?? "../shared/datasets");
const ml100kDir = path.join(dataDir, "ml-100k");
const present = existsSync(path.join(ml100kDir, "u.data"));

// Without the files the test is reported (and counted) as skipped, and its title says why.
const title = present ? `loads ${ml100kDir}` : `loads ${ml100kDir} (absent: set FEDREC_DATA_DIR to the datasets folder)`;

describe("real MovieLens 100K", () => {
  it.skipIf(!present)(title, async () => {
    const ds = await loadDataset({ kind: "ml-100k" }, createNodeFileSource(ml100kDir));
    expect(datasetSummary(ds)).toEqual({
      name: "ml-100k",
      users: 943,
      items: 1682,
      interactions: 100000,
      usersWithoutInteractions: 0,
    });
    expect(ds.users[0]!.sourceId).toBe("1");
    expect(ds.users[0]!.profileText).toBe("A 24-year-old male technician living in ZIP code 85711.");
    expect(ds.users[0]!.interactions[0]).toEqual({ item: 54, rating: 5, timestamp: 875072688 });
    expect(ds.itemTitles[0]).toBe("Toy Story (1995)");
    expect(ds.itemTitles[266]).toBe("unknown");
  });
});
