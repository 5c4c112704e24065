import { describe, expect, it } from "vitest";
import { parseAttackArgs } from "./attack-args.ts";
import { ATTACK_SETTING_NAMES } from "./attack-settings.ts";

describe("npm run attack's options", () => {
  it("defaults: every setting, 20 rounds, seed 1, one stand-in ZIP code", () => {
    const o = parseAttackArgs(["--dataset", "ml-100k"]);
    expect(o).toMatchObject({
      dataset: "ml-100k",
      settings: ATTACK_SETTING_NAMES,
      rounds: 20,
      seed: 1,
      zips: ["55414"],
      out: null,
    });
  });

  it("reads the settings, rounds, seed, ZIP codes and output directory", () => {
    const o = parseAttackArgs([
      ...["--settings", "default,text-graph", "--rounds", "5", "--seed", "3", "--zips", "85711,94043", "--out", "x"],
    ]);
    expect(o).toMatchObject({ settings: ["default", "text-graph"], rounds: 5, seed: 3, zips: ["85711", "94043"], out: "x" });
  });

  it("names what is wrong", () => {
    expect(() => parseAttackArgs(["--settings", "default,nope"])).toThrow(/unknown setting "nope" \(known: default,/);
    expect(() => parseAttackArgs(["--rounds", "0"])).toThrow(/--rounds must be a positive integer/);
    expect(() => parseAttackArgs(["--seed", "x"])).toThrow(/--seed must be an integer/);
    expect(() => parseAttackArgs(["--zips", "1,"])).toThrow(/--zips must list ZIP codes/);
    expect(() => parseAttackArgs(["--set", "rounds=3"])).toThrow(/set/);
  });
});
