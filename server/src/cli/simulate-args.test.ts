import { describe, expect, it } from "vitest";
import { UsageError } from "./command-line.ts";
import { loadConfig } from "./load-config.ts";
import { parseSimulateArgs } from "./simulate-args.ts";

describe("parseSimulateArgs", () => {
  it("defaults to the synthetic dataset and the default configuration", () => {
    const o = parseSimulateArgs([]);
    expect(o.dataset).toBe("synthetic");
    expect(o.preset).toBeNull();
    expect(o.overrides).toEqual({});
    expect(o.workers).toBeGreaterThanOrEqual(1);
    expect(parseSimulateArgs(["--workers", "3"]).workers).toBe(3);
    expect(parseSimulateArgs(["--workers", "3"]).gramThreads).toBe(3);
    expect(parseSimulateArgs(["--workers", "3", "--gram-threads", "1"]).gramThreads).toBe(1);
    expect(() => parseSimulateArgs(["--workers", "0"])).toThrow(/--workers must be a positive integer/);
  });

  it("turns --rounds, --seed and --set into typed overrides", () => {
    const o = parseSimulateArgs([
      "--dataset",
      "ml-100k",
      "--rounds",
      "7",
      "--seed=-3",
      "--set",
      "globalUpdate=fedavg",
      "--set",
      "scoreHidden=[8,4]",
      "--set",
      "lrEta=null",
    ]);
    expect(o.overrides).toEqual({ rounds: 7, seed: -3, globalUpdate: "fedavg", scoreHidden: [8, 4], lrEta: null });
  });

  it("turns the --dp-* shortcuts into the DP settings, left for the configuration to check", () => {
    const o = parseSimulateArgs(["--dp-epsilon", "4", "--dp-delta", "1e-6", "--dp-clip-norm", "0.1"]);
    expect(o.overrides).toEqual({ dpEpsilon: 4, dpDelta: 1e-6, dpClipNorm: 0.1 });
    expect(parseSimulateArgs(["--dp-noise-multiplier", "1.5"]).overrides).toEqual({ dpNoiseMultiplier: 1.5 });
    expect(parseSimulateArgs(["--dp-epsilon", "lots"]).overrides).toEqual({ dpEpsilon: "lots" });
  });

  it("out-of-range or contradictory DP settings fail with the setting named", async () => {
    const load = (...argv: string[]) => loadConfig(parseSimulateArgs([...argv, "--set", "neighbourhood=none"]));
    await expect(load("--dp-epsilon", "lots")).rejects.toThrow(
      /^command line: dpEpsilon must be a number in \(0, 1000\], got "lots"$/,
    );
    await expect(load("--dp-epsilon", "4", "--dp-delta", "0.2")).rejects.toThrow(
      /dpDelta must be a number in \(0, 0.01\], got 0.2/,
    );
    await expect(load("--dp-epsilon", "4", "--dp-noise-multiplier", "1")).rejects.toThrow(/not both/);
    await expect(loadConfig(parseSimulateArgs(["--preset", "text-graph", "--dp-epsilon", "4"]))).rejects.toThrow(
      /needs neighbourhood "none", not "topk"/,
    );
    expect((await load("--dp-epsilon", "4")).dpEpsilon).toBe(4);
  });

  it("rejects unknown flags, datasets, presets and malformed values with what is allowed", () => {
    expect(() => parseSimulateArgs(["--round", "3"])).toThrow(UsageError);
    expect(() => parseSimulateArgs(["--dataset", "ml-10m"])).toThrow(/--dataset must be one of synthetic, ml-100k, ml-1m, csv/);
    expect(() => parseSimulateArgs(["--preset", "fast"])).toThrow(/--preset must be one of tuned, text-graph, paper, seed/);
    expect(() => parseSimulateArgs(["--rounds", "0"])).toThrow(/--rounds must be a positive integer, got "0"/);
    expect(() => parseSimulateArgs(["--set", "rounds"])).toThrow(/--set expects KEY=VALUE/);
  });

  it("rejects flags that do not apply to the chosen dataset", () => {
    expect(() => parseSimulateArgs(["--dataset", "csv"])).toThrow(/needs --interactions/);
    expect(() => parseSimulateArgs(["--interactions", "x.csv"])).toThrow(/apply to --dataset csv only/);
    expect(() => parseSimulateArgs(["--dataset", "ml-100k", "--users", "5"])).toThrow(/apply to --dataset synthetic only/);
  });
});
