import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { miniLmModelPresent } from "../testing/model-present.ts";
import { parseBaselinesArgs } from "./baselines-args.ts";
import { runBaselines } from "./baselines.ts";

const out = mkdtempSync(join(tmpdir(), "fedrec-baselines-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("npm run baselines (end to end on the synthetic dataset)", () => {
  it("runs the classic baselines per seed and writes baselines.json and report.md", async () => {
    const dir = join(out, "classic");
    const argv = ["--seeds", "1,2", "--methods", "popularity,item-knn,ease", "--lambdas", "5,50", "--out", dir];
    const lines: string[] = [];
    const result = await runBaselines(parseBaselinesArgs(argv), (line) => lines.push(line));
    const json = JSON.parse(readFileSync(join(dir, "baselines.json"), "utf8"));
    expect(json.runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2]);
    expect(json.summary.map((s: { method: string }) => s.method)).toEqual(["popularity", "item-knn", "ease"]);
    expect(json.modelConfig).toBeNull();
    // Different seeds give different splits, hence different numbers.
    expect(result.runs[0]!.outcomes[0]!.test).not.toEqual(result.runs[1]!.outcomes[0]!.test);
    const report = readFileSync(join(dir, "report.md"), "utf8");
    expect(report).toContain("| EASE |");
    expect(report).toContain("## EASE: validation HR@10 per λ");
    expect(lines.some((l) => l.startsWith("seed 2 EASE: val HR@10"))).toBe(true);
  });

  it.skipIf(!miniLmModelPresent && !process.env["CI"])(
    "trains the centralised model on MiniLM profiles with honest negatives",
    async () => {
      const dir = join(out, "model");
      const result = await runBaselines(
        parseBaselinesArgs(["--methods", "model", "--epochs", "2", "--seed", "3", "--out", dir]),
        () => {},
      );
      expect(result.modelConfig).toMatchObject({ seed: 3, negativeExclusion: "train", proximalLambda: 0 });
      expect(result.runs[0]!.modelEpochs).toHaveLength(2);
      expect(result.summary[0]!.chosen).toMatch(/^epoch [12]\/2$/);
      expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("## Centralised model: learning curves (2 epochs)");
    },
  );

  it("fails with a message naming a bad setting", async () => {
    await expect(runBaselines(parseBaselinesArgs(["--set", "evalNegatives=0"]), () => {})).rejects.toThrow(/evalNegatives/);
  });
});
