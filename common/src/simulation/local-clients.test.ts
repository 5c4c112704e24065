import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG } from "../config/presets.ts";
import type { Dataset } from "../data/dataset.ts";
import { leaveOneOutSplit } from "../split/leave-one-out.ts";
import { LocalClients } from "./local-clients.ts";
import { initialModel } from "../model/initial-model.ts";
import { streamOf } from "../random/federation-streams.ts";
import { modelDimensions } from "../config/derived-settings.ts";

// One user with 6 interactions over 12 items: items 4 (validation) and 5 (test) are held out.
const dataset: Dataset = {
  name: "fixture",
  users: [
    { sourceId: "u", profileText: "", interactions: [0, 1, 2, 3, 4, 5].map((item, t) => ({ item, rating: 1, timestamp: t })) },
  ],
  numItems: 12,
  itemTitles: [],
  itemSourceIds: [],
};
const profiles = [Float32Array.of(1, 0, 0, 1)];

async function touchedRows(negativeExclusion: "train" | "all"): Promise<Set<number>> {
  const config = resolveConfig(DEFAULT_CONFIG, { negativeExclusion, evalNegatives: 3 });
  const pool = new LocalClients(config, dataset, profiles, () => 0);
  const table = initialModel(config, modelDimensions(config, 4, 12)).itemTable;
  const touched = new Set<number>();
  for (let round = 0; round < 30; round++) {
    const [report] = await pool.runRound([{ client: 0, table }]);
    for (const row of report!.upload.rows) touched.add(row);
  }
  return touched;
}

describe("LocalClients training negatives", () => {
  it("with negativeExclusion train may sample the held-out items as negatives: the client does not know its future", async () => {
    const split = leaveOneOutSplit(dataset, 3, streamOf(1, "split"))[0]!;
    expect([split.validation!.item, split.test!.item]).toEqual([4, 5]);
    expect(Array.from(split.trainItems)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const touched = await touchedRows("train");
    expect(touched.has(4) || touched.has(5)).toBe(true);
  });

  it("with negativeExclusion all never touches the held-out rows (the reference code's leak)", async () => {
    const touched = await touchedRows("all");
    expect(touched.has(4)).toBe(false);
    expect(touched.has(5)).toBe(false);
  });

  it("refuses a task for a client it does not run", async () => {
    const pool = new LocalClients(
      DEFAULT_CONFIG,
      dataset,
      profiles,
      () => 0,
      () => false,
    );
    await expect(pool.runRound([{ client: 0, table: new Float32Array(12 * 32) }])).rejects.toThrow(
      /client 0 is not run by this pool/,
    );
  });
});
