import { describe, expect, it } from "vitest";
import { aggregateTrain, type GraphStrategyOptions, type TrainResult } from "../aggregation/graph-strategy.ts";
import { poissonParticipants } from "../aggregation/sample-participants.ts";
import { strategyOptions } from "../config/derived-settings.ts";
import { ConfigError, resolveConfig } from "../config/federation-config.ts";
import { DEFAULT_CONFIG, TEXT_GRAPH_PRESET } from "../config/presets.ts";
import { createRng } from "../random/rng.ts";
import { clientLevelDp, spentEpsilon } from "./client-level-dp.ts";
import { calibrateNoiseMultiplier } from "./calibrate-noise.ts";
import { subsampledGaussianEpsilon } from "./rdp-accountant.ts";

/** The default with what DP needs: no user graph (unit weights, no cross-client influence). */
const DP_READY = { neighbourhood: "none" } as const;

describe("client-level DP settings", () => {
  it("are off by default and calibrate σ for an ε target over the configured rounds and sampling rate", () => {
    expect(clientLevelDp(DEFAULT_CONFIG)).toBeNull();
    const c = resolveConfig(DEFAULT_CONFIG, { ...DP_READY, dpEpsilon: 4, fractionTrain: 0.1, rounds: 100 });
    const dp = clientLevelDp(c)!;
    expect(dp.noiseMultiplier).toBe(calibrateNoiseMultiplier({ epsilon: 4, delta: 1e-5, samplingRate: 0.1, steps: 100 }));
    expect(dp).toMatchObject({ clipNorm: c.dpClipNorm, delta: 1e-5, samplingRate: 0.1, targetEpsilon: 4 });
    expect(spentEpsilon(dp, 100)).toBeLessThanOrEqual(4);
    expect(spentEpsilon(dp, 100)).toBeGreaterThan(3.99);
    expect(spentEpsilon(dp, 0)).toBe(0);
  });

  it("take a noise multiplier as given and report what it spends", () => {
    const c = resolveConfig(DEFAULT_CONFIG, { ...DP_READY, dpNoiseMultiplier: 2, fractionTrain: 0.1, rounds: 100 });
    const dp = clientLevelDp(c)!;
    expect(dp.noiseMultiplier).toBe(2);
    expect(spentEpsilon(dp, 100)).toBe(subsampledGaussianEpsilon(0.1, 2, 100, 1e-5));
    expect(strategyOptions(c).dp).toEqual({ clipNorm: c.dpClipNorm, noiseStd: 2 * c.dpClipNorm });
  });

  it("refuse out-of-range values with what is allowed", () => {
    const attempt = (o: object) => () => resolveConfig(DEFAULT_CONFIG, { ...DP_READY, ...o });
    expect(attempt({ dpEpsilon: 0 })).toThrow(/dpEpsilon must be a number in \(0, 1000\], got 0/);
    expect(attempt({ dpEpsilon: -1 })).toThrow(ConfigError);
    expect(attempt({ dpEpsilon: "eight" })).toThrow(/dpEpsilon must be a number in \(0, 1000\], got "eight"/);
    expect(attempt({ dpDelta: 0.5 })).toThrow(/dpDelta must be a number in \(0, 0.01\], got 0.5/);
    expect(attempt({ dpDelta: 0 })).toThrow(/dpDelta must be a number in \(0, 0.01\]/);
    expect(attempt({ dpClipNorm: 0 })).toThrow(/dpClipNorm must be a number in \(0, 1000000\]/);
    expect(attempt({ dpNoiseMultiplier: Number.NaN })).toThrow(/dpNoiseMultiplier must be a number in \(0, 10000\]/);
    expect(attempt({ dpEpsilon: 1e-6, rounds: 100_000 })).toThrow(
      /needs a noise multiplier above 10000; allow a larger ε or fewer rounds/,
    );
  });

  it("refuse settings under which one client's influence is unbounded, saying why", () => {
    const attempt = (o: object) => () => resolveConfig(DEFAULT_CONFIG, { dpEpsilon: 8, ...o });
    // The default has no user graph; the text-graph preset (the former default) has one.
    expect(resolveConfig(DEFAULT_CONFIG, { dpEpsilon: 8 }).dpEpsilon).toBe(8);
    expect(() => resolveConfig(TEXT_GRAPH_PRESET, { dpEpsilon: 8 })).toThrow(
      /differential privacy needs neighbourhood "none", not "topk": a user graph/,
    );
    expect(attempt({ ...DP_READY, globalUpdate: "fedavg" })).toThrow(/needs globalUpdate "sum", not "fedavg"/);
    expect(attempt({ ...DP_READY, uploadClipNorm: 1 })).toThrow(/set uploadClipNorm to null/);
    expect(attempt({ ...DP_READY, minTrainClients: 5 })).toThrow(/minTrainClients must be 1, not 5/);
    expect(attempt({ ...DP_READY, dpNoiseMultiplier: 1 })).toThrow(/either dpEpsilon .* or dpNoiseMultiplier, not both/);
    expect(attempt({ ...DP_READY, secureAggregation: true })).toThrow(
      /cannot be combined with secureAggregation: the coordinator then sees only the sum, so it cannot clip/,
    );
  });
});

// Two items, item dim 1; every client was sent [0, 0].
const G0 = Float32Array.of(0, 0);
const upload = (client: number, rows: number[], values: number[]): TrainResult => ({
  client,
  userWeights: Float32Array.of(1, 0),
  items: { base: G0, rows: Int32Array.from(rows), values: Float32Array.from(values) },
  numExamples: 1,
});
const dpOptions = (clipNorm: number, noiseStd: number): GraphStrategyOptions => ({
  graphSource: "user",
  neighbourhood: { kind: "none" },
  graphSearch: "exact",
  propagationLayers: 1,
  globalUpdate: "sum",
  serverOptimizer: "sgd",
  serverLearningRate: 0.5,
  distribution: "global",
  uploadClipNorm: null,
  dp: { clipNorm, noiseStd },
});
/** Every draw is exactly one standard deviation: the noise is then checkable by hand. */
const oneSigma = { next: () => 0.5, normal: () => 1 };

describe("aggregateTrain with client-level DP", () => {
  it("clips each change to C, sums, adds σ·C to every row (untouched ones too), then steps", () => {
    // A moves row 0 by 3 (clipped to 1); B moves row 1 by 0.5 (within C = 1). Sum (1, 0.5).
    const out = aggregateTrain(
      dpOptions(1, 2),
      { global: G0, personal: new Map() },
      [upload(0, [0], [3]), upload(1, [1], [0.5])],
      1,
      undefined,
      oneSigma,
    );
    // Δ = (1 + 2, 0.5 + 2); global = 0 + 0.5·Δ.
    expect(Array.from(out.tables.global)).toEqual([1.5, 1.25]);
  });

  it("noises a row no client touched, so the changed rows reveal nothing", () => {
    const out = aggregateTrain(
      dpOptions(1, 2),
      { global: G0, personal: new Map() },
      [upload(0, [0], [0.5])],
      1,
      undefined,
      oneSigma,
    );
    expect(out.tables.global[1]).toBe(1); // 0.5 · (0 + 2)
  });

  it("releases noise in a round nobody took part in (participation is private too)", () => {
    const out = aggregateTrain(dpOptions(1, 2), { global: G0, personal: new Map() }, [], 1, undefined, oneSigma);
    expect(Array.from(out.tables.global)).toEqual([1, 1]);
  });

  it("draws N(0, (σ·C)²): the sample standard deviation over a large table is σ·C", () => {
    const numItems = 20_000;
    const base = new Float32Array(numItems);
    const options = { ...dpOptions(0.5, 1.5), serverLearningRate: 1 };
    const out = aggregateTrain(options, { global: base, personal: new Map() }, [], 1, undefined, createRng(3));
    let sum = 0;
    let squares = 0;
    for (const v of out.tables.global) {
      sum += v;
      squares += v * v;
    }
    const mean = sum / numItems;
    const std = Math.sqrt(squares / numItems - mean * mean);
    // Standard error of the std ≈ 1.5/√(2·20000) ≈ 0.0075.
    expect(std).toBeGreaterThan(1.5 - 0.03);
    expect(std).toBeLessThan(1.5 + 0.03);
    expect(Math.abs(mean)).toBeLessThan(0.04);
  });

  it("refuses to run without a noise source", () => {
    expect(() => aggregateTrain(dpOptions(1, 1), { global: G0, personal: new Map() }, [], 1)).toThrow(/needs a noise source/);
  });
});

describe("poissonParticipants", () => {
  it("includes each client independently with probability q", () => {
    const everyone = Array.from({ length: 10_000 }, (_, i) => i);
    const picked = poissonParticipants(everyone, 0.1, createRng(5));
    // Binomial(10⁴, 0.1): mean 1000, sd 30.
    expect(picked.length).toBeGreaterThan(1000 - 120);
    expect(picked.length).toBeLessThan(1000 + 120);
    expect(picked).toEqual([...picked].sort((a, b) => a - b));
    expect(poissonParticipants(everyone, 1, createRng(5))).toEqual(everyone);
    expect(poissonParticipants([7, 3], 0.5, { next: () => 0.49, normal: () => 0 })).toEqual([3, 7]);
    expect(() => poissonParticipants(everyone, 0, createRng(5))).toThrow(/sampling rate must be in \(0, 1\]/);
  });
});
