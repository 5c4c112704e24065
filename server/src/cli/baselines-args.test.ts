import { describe, expect, it } from "vitest";
import { BASELINE_METHODS, BASELINES_USAGE, DEFAULT_EPOCHS, parseBaselinesArgs } from "./baselines-args.ts";
import { UsageError } from "./command-line.ts";

describe("parseBaselinesArgs", () => {
  it("defaults to every method, k 50, the λ grid and the configuration's seed", () => {
    const o = parseBaselinesArgs([]);
    expect(o.dataset).toBe("synthetic");
    expect(o.seeds).toBeNull();
    expect(o.methods).toEqual(["popularity", "item-knn", "ease", "model"]);
    expect(o.k).toBe(50);
    expect(o.lambdas).toEqual([50, 100, 200, 500, 1000, 2000]);
    expect(o.epochs).toBe(DEFAULT_EPOCHS);
    expect(o.out).toBeNull();
    expect(o.help).toBe(false);
    expect(BASELINES_USAGE).not.toContain("--rounds");
  });

  it("parses seeds, methods, k, λ grid, epochs, output and the configuration flags", () => {
    const o = parseBaselinesArgs([
      "--dataset",
      "ml-100k",
      "--dataset-dir",
      "/data",
      "--seeds",
      "1,2, 3",
      "--methods",
      "ease,model",
      "--k",
      "20",
      "--lambdas",
      "10,250.5",
      "--epochs",
      "4",
      "--preset",
      "paper",
      "--set",
      "negativeExclusion=train",
      "--out",
      "res",
    ]);
    expect(o).toMatchObject({ dataset: "ml-100k", datasetDir: "/data", seeds: [1, 2, 3], methods: ["ease", "model"] });
    expect(o).toMatchObject({ k: 20, lambdas: [10, 250.5], epochs: 4, preset: "paper", out: "res" });
    expect(o.overrides).toEqual({ negativeExclusion: "train" });
    expect(parseBaselinesArgs(["--seed", "7"]).overrides).toEqual({ seed: 7 });
    expect(parseBaselinesArgs(["--help"]).help).toBe(true);
  });

  it("rejects bad values with what is allowed", () => {
    const bad: [string[], RegExp][] = [
      [["--seeds", "1,x"], /--seeds must list integers, got "x"/],
      [["--seeds", "1,,2"], /--seeds expects a comma-separated list/],
      [["--seeds", "1,1"], /--seeds lists a value twice/],
      [["--seed", "1", "--seeds", "2,3"], /either --seed N or --seeds LIST/],
      [["--methods", "ease,svd"], new RegExp(`--methods must list some of ${BASELINE_METHODS.join(", ")}, got "svd"`)],
      [["--lambdas", "100,-1"], /--lambdas must list positive numbers, got "-1"/],
      [["--k", "0"], /--k must be a positive integer, got "0"/],
      [["--epochs", "2.5"], /--epochs must be a positive integer/],
      [["--rounds", "5"], /--rounds does not apply to baselines/],
      [["--epoch", "5"], /Unknown option '--epoch'/],
      [["--dataset", "ml-10m"], /--dataset must be one of/],
      [["--preset", "fast"], /--preset must be one of/],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseBaselinesArgs(argv)).toThrow(UsageError);
      expect(() => parseBaselinesArgs(argv)).toThrow(message);
    }
  });
});
