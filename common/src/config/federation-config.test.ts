import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig, validateFullConfig } from "./federation-config.ts";
import { DEFAULT_CONFIG, PAPER_PRESET, PRESETS, SEED_PRESET } from "./presets.ts";

describe("resolveConfig", () => {
  it("accepts every preset as it is", () => {
    for (const preset of Object.values(PRESETS)) expect(resolveConfig(preset, {})).toEqual(preset);
  });

  it("overlays valid settings without mutating its inputs", () => {
    const overrides = { rounds: 3, globalUpdate: "fedavg" };
    const frozen = JSON.stringify(PAPER_PRESET);
    const c = resolveConfig(PAPER_PRESET, overrides);
    expect(c.rounds).toBe(3);
    expect(c.globalUpdate).toBe("fedavg");
    expect(JSON.stringify(PAPER_PRESET)).toBe(frozen);
    expect(overrides).toEqual({ rounds: 3, globalUpdate: "fedavg" });
  });

  it("names unknown keys and lists the allowed ones", () => {
    expect(() => resolveConfig(DEFAULT_CONFIG, { round: 3 })).toThrow(/unknown setting "round" \(allowed: seed, rounds,/);
  });

  it("treats the names of Object.prototype's members as unknown keys, not as settings", () => {
    for (const raw of ['{"constructor": 1}', '{"__proto__": {"rounds": 5}}', '{"toString": 1}', '{"hasOwnProperty": 1}']) {
      const overrides: unknown = JSON.parse(raw); // JSON.parse makes "__proto__" an own key, as a config file would
      const key = Object.keys(overrides as object)[0]!;
      expect(() => resolveConfig(DEFAULT_CONFIG, overrides)).toThrow(new RegExp(`^config: unknown setting "${key}"`));
      expect(() => validateFullConfig({ ...DEFAULT_CONFIG, ...(overrides as object) }, "welcome.config")).toThrow(ConfigError);
    }
  });

  it("says what is allowed for bad values, all problems at once", () => {
    const attempt = () => resolveConfig(DEFAULT_CONFIG, { rounds: 0, globalUpdate: "median", fractionTrain: 1.5 }, "run.json");
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /^run\.json: rounds must be an integer in \[1, 100000\], got 0; globalUpdate must be one of "mean" \| "fedavg" \| "sum", got "median"; fractionTrain must be a number in \(0, 1\], got 1\.5$/,
    );
  });

  it("rejects contradictory settings", () => {
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: "dense", neighbourhoodSize: 5 })).toThrow(
      /neighbourhoodSize applies to neighbourhood "topk", not "dense"/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { optimizer: "adam" })).toThrow(/lrEta applies to sgd groups only/);
    expect(resolveConfig(PAPER_PRESET, { optimizer: "adam", lrEta: null }).optimizer).toBe("adam");
    expect(() => resolveConfig(PAPER_PRESET, { globalUpdate: "sum" })).toThrow(
      /"sum" adds the clients' changes: it needs serverOptimizer/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { serverOptimizer: "sgd" })).toThrow(/it needs distribution "global"/);
    expect(() => resolveConfig(PAPER_PRESET, { scorer: "dot" })).toThrow(
      /scorer "dot" needs userOutDim = itemDim − 1.*got 32 and 32/,
    );
    expect(resolveConfig(PAPER_PRESET, { scorer: "dot", itemDim: 33 }).scorer).toBe("dot");
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: "dense", graphSearch: "approximate" })).toThrow(
      /graphSearch "approximate" finds topk neighbours: it needs neighbourhood "topk", not "dense"/,
    );
    expect(resolveConfig(PAPER_PRESET, { neighbourhood: "dense", graphSearch: "auto" }).graphSearch).toBe("auto");
    expect(resolveConfig(PAPER_PRESET, { graphSearch: "approximate" }).graphSearch).toBe("approximate");
  });

  it("takes secure aggregation with the global table only, and not with a graph built from item tables", () => {
    const on = resolveConfig(DEFAULT_CONFIG, {
      secureAggregation: true,
      secureAggregationRange: 0.5,
      secureAggregationGroupSize: 64,
    });
    expect([on.secureAggregation, on.secureAggregationRange, on.secureAggregationGroupSize]).toEqual([true, 0.5, 64]);
    expect(() => resolveConfig(PAPER_PRESET, { secureAggregation: true })).toThrow(
      /it needs distribution "global", not "personalized"/,
    );
    expect(() => resolveConfig(DEFAULT_CONFIG, { secureAggregation: true, graphSource: "item", neighbourhood: "topk" })).toThrow(
      /the graph cannot be built from it \(graphSource "item"\)/,
    );
    expect(
      resolveConfig(DEFAULT_CONFIG, { secureAggregation: true, graphSource: "item", neighbourhood: "none" }).graphSource,
    ).toBe("item");
    expect(() => resolveConfig(DEFAULT_CONFIG, { secureAggregation: "yes", secureAggregationGroupSize: 5 })).toThrow(
      /secureAggregation must be true or false, got "yes"; secureAggregationGroupSize must be an integer in \[6, 255\], got 5/,
    );
  });

  it("trains every preset with honest negatives (the field's leaky protocol is opt-in)", () => {
    for (const [name, preset] of Object.entries(PRESETS)) expect(preset.negativeExclusion, name).toBe("train");
    expect(resolveConfig(DEFAULT_CONFIG, { negativeExclusion: "all" }).negativeExclusion).toBe("all");
  });

  it("rejects a non-object", () => {
    expect(() => resolveConfig(DEFAULT_CONFIG, [1])).toThrow(/expected an object of settings/);
  });
});

describe("the neighbourhood setting", () => {
  it("is one rule with only its own parameter; a kind alone keeps or defaults it", () => {
    expect(PAPER_PRESET.neighbourhood).toEqual({ kind: "topk", k: 10 });
    expect(resolveConfig(PAPER_PRESET, { neighbourhood: "dense" }).neighbourhood).toEqual({ kind: "dense" });
    expect(resolveConfig(SEED_PRESET, { neighbourhood: "topk" }).neighbourhood).toEqual({ kind: "topk", k: 10 });
    const k5 = resolveConfig(PAPER_PRESET, { neighbourhood: { kind: "topk", k: 5 } });
    expect(resolveConfig(k5, { neighbourhood: "topk" }).neighbourhood).toEqual({ kind: "topk", k: 5 });
    expect(resolveConfig(k5, { neighbourhood: "threshold" }).neighbourhood).toEqual({ kind: "threshold", factor: 1 });
    expect(resolveConfig(k5, { neighbourhood: { kind: "threshold", factor: -0.5 } }).neighbourhood).toEqual({
      kind: "threshold",
      factor: -0.5,
    });
  });

  it("takes the flat shorthands neighbourhoodSize and thresholdFactor for the rule that has them only", () => {
    expect(resolveConfig(SEED_PRESET, { neighbourhood: "topk", neighbourhoodSize: 3 }).neighbourhood).toEqual({
      kind: "topk",
      k: 3,
    });
    expect(resolveConfig(PAPER_PRESET, { neighbourhoodSize: 4 }).neighbourhood).toEqual({ kind: "topk", k: 4 });
    expect(resolveConfig(PAPER_PRESET, { neighbourhood: "threshold", thresholdFactor: 1.5 }).neighbourhood).toEqual({
      kind: "threshold",
      factor: 1.5,
    });
    expect(() => resolveConfig(PAPER_PRESET, { thresholdFactor: 1.5 })).toThrow(
      /^config: thresholdFactor applies to neighbourhood "threshold", not "topk"$/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: { kind: "topk", k: 3 }, neighbourhoodSize: 4 })).toThrow(
      /^config: neighbourhoodSize 4 contradicts the neighbourhood's own 3; give it once$/,
    );
    expect(resolveConfig(PAPER_PRESET, { neighbourhood: { kind: "topk", k: 3 }, neighbourhoodSize: 3 }).neighbourhood).toEqual({
      kind: "topk",
      k: 3,
    });
  });

  it("cannot express a parameter of another kind, and says what is allowed", () => {
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: 5 })).toThrow(
      /^config: neighbourhood must be one of "topk" \| "threshold" \| "dense" \| "none" or an object such as \{"kind": "topk", "k": 10\}, got 5$/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: { kind: "dense", k: 5 } })).toThrow(
      /^config: neighbourhood has no field "k" for kind "dense" \(allowed: kind\)$/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: { kind: "topk", factor: 2 } })).toThrow(
      /^config: neighbourhood has no field "factor" for kind "topk" \(allowed: kind, k\)$/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: { kind: "topk", k: 0 } })).toThrow(
      /^config: neighbourhood\.k must be an integer in \[1, 1000000\], got 0$/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: "ring" })).toThrow(
      /^config: neighbourhood must be one of "topk" \| "threshold" \| "dense" \| "none", got "ring"$/,
    );
    expect(() => resolveConfig(PAPER_PRESET, { neighbourhood: { kind: "ring" } })).toThrow(
      /^config: neighbourhood\.kind must be one of "topk" \| "threshold" \| "dense" \| "none", got "ring"$/,
    );
    // A complete configuration holds the rule with its parameter, never a kind alone or the flat fields.
    expect(() => validateFullConfig({ ...PAPER_PRESET, neighbourhood: { kind: "topk" } }, "saved")).toThrow(
      /^saved: missing neighbourhood\.k$/,
    );
    const { neighbourhood: _rule, ...flat } = PAPER_PRESET;
    expect(() =>
      validateFullConfig({ ...flat, neighbourhood: "topk", neighbourhoodSize: 10, thresholdFactor: 1 }, "saved"),
    ).toThrow(
      /^saved: neighbourhood must be an object such as \{"kind": "topk", "k": 10\}, got "topk"; unknown settings "neighbourhoodSize", "thresholdFactor" \(allowed: seed, rounds,/,
    );
  });
});
