import { describe, expect, it } from "vitest";
import { UsageError } from "./command-line.ts";
import { parseSimulateArgs } from "./simulate-args.ts";

describe("parseSimulateArgs", () => {
  it("defaults to the synthetic dataset and the default configuration", () => {
    const o = parseSimulateArgs([]);
    expect(o.dataset).toBe("synthetic");
    expect(o.preset).toBeNull();
    expect(o.overrides).toEqual({});
    expect(o.workers).toBeGreaterThanOrEqual(1);
    expect(parseSimulateArgs(["--workers", "3"]).workers).toBe(3);
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
