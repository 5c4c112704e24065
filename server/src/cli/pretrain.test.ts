/**
 * `npm run pretrain` end to end on the synthetic dataset: the file it writes decodes, says what it
 * holds (dataset, shapes, the held-out users, the kept round), and its table is the one the
 * simulator kept for its best-validation round.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { miniLmModelPresent } from "../testing/model-present.ts";
import { decodeWarmStart } from "../warm-start/warm-start-file.ts";
import { parsePretrainArgs } from "./pretrain-args.ts";
import { pretrain, withoutLastUsers } from "./pretrain.ts";
import { loadCliDataset } from "./load-cli-dataset.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
const requireModel = (process.env["CI"] ?? "") !== "" || process.env["FEDREC_REQUIRE_MODEL"] === "1";

describe("npm run pretrain", () => {
  it("needs --out, and holds out the dataset's last users", async () => {
    expect(() => parsePretrainArgs(["--dataset", "synthetic"])).toThrow(/--out FILE is required/);
    expect(() => parsePretrainArgs(["--out", "m.ckpt", "--hold-out", "1.5"])).toThrow(/--hold-out must be a whole number/);
    expect(parsePretrainArgs(["--out", "m.ckpt", "--rounds", "3"]).overrides).toEqual({ rounds: 3, earlyStoppingPatience: 5 });
    const options = parsePretrainArgs(["--out", "m.ckpt"]);
    const dataset = await loadCliDataset(options);
    const { kept, heldOut } = withoutLastUsers(dataset, 3);
    expect(kept.users).toEqual(dataset.users.slice(0, -3));
    expect(heldOut).toEqual(dataset.users.slice(-3).map((u) => u.sourceId));
    expect(() => withoutLastUsers(dataset, dataset.users.length)).toThrow(/has only 100 users/);
  });

  it.skipIf(!miniLmModelPresent && !requireModel)("writes the best-validation table with what it is", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fedrec-pretrain-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const out = join(dir, "model.ckpt");
    const lines: string[] = [];
    const options = parsePretrainArgs(["--out", out, "--hold-out", "10", "--rounds", "3", "--workers", "1"]);
    const header = await pretrain(options, (line) => lines.push(line));
    const warm = decodeWarmStart(await readFile(out), out);
    expect(warm.header).toEqual(header);
    expect(header).toMatchObject({ numItems: 50, itemDim: 33, scorer: "dot", roundsRun: 3 });
    expect(header.dataset).toMatch(/^synthetic/);
    expect(header.heldOutUsers).toHaveLength(10);
    expect(header.bestRound).toBeGreaterThanOrEqual(1);
    expect(header.bestRound).toBeLessThanOrEqual(3);
    expect(lines[0]).toBe("pretraining on 90 users of " + header.dataset + " (10 held out), up to 3 rounds");
    expect(lines.at(-1)).toMatch(new RegExp(`the item table of round ${header.bestRound} of 3`));
  });
});
