import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { miniLmModelPresent } from "../testing/model-present.ts";
import { parseSimulateArgs } from "./simulate-args.ts";
import { simulate } from "./simulate.ts";

const out = mkdtempSync(join(tmpdir(), "fedrec-simulate-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("npm run simulate (end to end, MiniLM profiles)", () => {
  it.skipIf(!miniLmModelPresent && !process.env["CI"])(
    "writes result.json (the stable contract), rounds.csv and the SVG",
    async () => {
      const lines: string[] = [];
      await simulate(parseSimulateArgs(["--rounds", "2", "--seed", "3", "--out", out]), (line) => lines.push(line));
      const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
      expect(Object.keys(result).sort()).toEqual(["config", "dataset", "privacy", "rounds", "stoppedEarlyAt", "summary"]);
      expect(result.stoppedEarlyAt).toBeNull();
      expect(result.privacy).toBeNull();
      expect(result.config.seed).toBe(3);
      expect(result.rounds).toHaveLength(2);
      expect(Object.keys(result.rounds[0]).sort()).toEqual([
        "dpEpsilon",
        "loss",
        "participants",
        "round",
        "seconds",
        "test",
        "val",
      ]);
      expect(result.rounds[0].dpEpsilon).toBeNull();
      expect(Object.keys(result.rounds[0].seconds).sort()).toEqual(["aggregate", "evaluate", "train"]);
      expect(Object.keys(result.summary).sort()).toEqual(["bestRound", "test", "val"]);
      expect(readFileSync(join(out, "rounds.csv"), "utf8").trim().split("\n")).toHaveLength(3);
      expect(readFileSync(join(out, "learning-curve.svg"), "utf8")).toContain("<svg");
      expect(lines.some((l) => l.startsWith("synthetic"))).toBe(true);
      expect(lines.some((l) => l.includes("best validation round"))).toBe(true);
    },
  );

  it.skipIf(!miniLmModelPresent && !process.env["CI"])(
    "stops early: the loop ends `earlyStoppingPatience` rounds after the best",
    async () => {
      const dir = join(out, "early");
      const lines: string[] = [];
      const args = ["--rounds", "60", "--seed", "3", "--set", "earlyStoppingPatience=2", "--workers", "1", "--out", dir];
      const result = await simulate(parseSimulateArgs(args), (line) => lines.push(line));
      expect(result.stoppedEarlyAt).not.toBeNull();
      expect(result.rounds).toHaveLength(result.stoppedEarlyAt!);
      expect(result.summary!.bestRound).toBe(result.stoppedEarlyAt! - 2);
      expect(JSON.parse(readFileSync(join(dir, "result.json"), "utf8")).stoppedEarlyAt).toBe(result.stoppedEarlyAt);
      expect(lines.some((l) => l.startsWith(`stopped early after round ${result.stoppedEarlyAt}`))).toBe(true);
    },
  );

  it("fails with a message naming the bad setting", async () => {
    await expect(simulate(parseSimulateArgs(["--set", "neighbourhood=ring"]), () => undefined)).rejects.toThrow(
      /neighbourhood must be one of "topk" \| "threshold" \| "dense" \| "none", got "ring"/,
    );
  });

  it("fails clearly when a config file is missing or not JSON", async () => {
    await expect(simulate(parseSimulateArgs(["--config", join(out, "nope.json")]), () => undefined)).rejects.toThrow(
      /cannot read --config/,
    );
  });
});
