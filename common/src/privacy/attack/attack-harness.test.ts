/**
 * The attack harness on a small fixture (CI): ML-100K-style profiles (the real template) over the
 * synthetic dataset's interactions, the bag-of-words encoder for profiles and dictionary alike.
 * The paper-faithful upload gives the profile away; the default does not send it.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../config/federation-config.ts";
import { DEFAULT_CONFIG, TEXT_GRAPH_PRESET } from "../../config/presets.ts";
import type { Dataset } from "../../data/dataset.ts";
import { ml100kProfileText, type Ml100kUser } from "../../data/movielens-100k.ts";
import { generateSyntheticDataset } from "../../data/synthetic.ts";
import { createRng } from "../../random/rng.ts";
import { bagOfWordsEncoder } from "../../testing/bag-of-words-encoder.ts";
import { ml100kAttributes, ml100kCandidates } from "./ml100k-dictionary.ts";
import { ratedItems, runAttack } from "./run-attack.ts";

const OCCUPATIONS = ["student", "engineer", "writer", "artist", "retired", "programmer"];
const AGES = Array.from({ length: 50 }, (_, i) => 15 + i);

/** 60 users: 70 % male, ages 15–64, six occupations; interactions from the synthetic generator. */
async function fixture() {
  const synthetic = generateSyntheticDataset({ numUsers: 60, numItems: 120 });
  const rng = createRng(5);
  const people: Ml100kUser[] = synthetic.users.map(() => ({
    age: AGES[rng.int(AGES.length)]!,
    gender: rng.next() < 0.7 ? "M" : "F",
    occupation: OCCUPATIONS[rng.int(OCCUPATIONS.length)]!,
    zip: String(10000 + rng.int(90000)),
  }));
  const dataset: Dataset = {
    ...synthetic,
    users: synthetic.users.map((u, i) => ({ ...u, profileText: ml100kProfileText(people[i]!) })),
  };
  const encoder = bagOfWordsEncoder(64);
  const profiles = await encoder.encode(dataset.users.map((u) => u.profileText));
  const candidates = ml100kCandidates(AGES, OCCUPATIONS, ["00000"]);
  const dictionary = { embeddings: await encoder.encode(candidates.texts), attributes: candidates.attributes };
  const truth = { profiles, attributes: people.map(ml100kAttributes), rated: ratedItems(dataset) };
  const attack = (base: typeof DEFAULT_CONFIG, overrides: object) =>
    runAttack(resolveConfig(base, { rounds: 4, ...overrides }), dataset, profiles, truth, dictionary, [1, 4]);
  return { attack };
}

describe("attack harness", () => {
  it("the paper-faithful θ_user upload gives the profile and its attributes away", async () => {
    const { attack } = await fixture();
    const [first, last] = await attack(TEXT_GRAPH_PRESET, {});
    for (const report of [first!, last!]) {
      expect(report.profileCosine.fromInit).toBeGreaterThan(0.99);
      for (const [name, score] of Object.entries(report.attributes)) {
        expect(score.accuracy, name).toBeGreaterThan(score.majority + 0.15);
      }
    }
    expect(last!.profileCosine.consecutive).toBeGreaterThan(0.99); // a per-client initialisation would not help
  });

  it("under the default θ_user never leaves: nothing to recover, attributes at the majority baseline", async () => {
    const { attack } = await fixture();
    const [first, last] = await attack(DEFAULT_CONFIG, {});
    for (const report of [first!, last!]) {
      expect(report.profileCosine).toEqual({ fromInit: null, consecutive: null });
      expect(Object.keys(report.attributes)).toEqual(["gender", "ageBracket", "occupation"]);
      for (const score of Object.values(report.attributes)) expect(score.accuracy).toBe(score.majority);
      // The item rows still tell the rated items apart (only secure aggregation hides them).
      expect(report.items.latestUpload.direction.precision).toBeGreaterThan(0.9);
    }
  });

  it("pseudo items blur a single upload; combining a client's uploads takes some of that back", async () => {
    const { attack } = await fixture();
    const [plain] = await attack(DEFAULT_CONFIG, {});
    const [first, last] = await attack(DEFAULT_CONFIG, { pseudoItems: 30 });
    expect(plain!.items.latestUpload.direction.precision).toBeGreaterThan(0.9);
    expect(first!.items.latestUpload.direction.precision).toBeLessThan(0.8);
    // Real positives move the same way every round; decoys are redrawn with random changes.
    expect(last!.items.allUploads.direction.precision).toBeGreaterThan(first!.items.latestUpload.direction.precision + 0.05);
  });

  it("secure aggregation: the item attack on the masked inputs falls to chance, θ_user leaks as before", async () => {
    const { attack } = await fixture();
    const [plainFirst] = await attack(TEXT_GRAPH_PRESET, {});
    const [first, last] = await attack(TEXT_GRAPH_PRESET, { secureAggregation: true, secureAggregationGroupSize: 8 }); // small groups: fewer key agreements in CI
    // Chance: the share of the catalogue a client rated (here ≈ 0.24), the precision of any guess
    // that ignores the upload. On plain uploads the direction rule is far above it.
    expect(plainFirst!.items.latestUpload.direction.precision).toBeGreaterThan(plainFirst!.itemBaseRate + 0.5);
    for (const [report, items] of [
      [first!, first!.items.latestUpload],
      [last!, last!.items.allUploads],
    ] as const) {
      // Every masked row is non-zero: "changed" names the whole catalogue.
      expect(items.changed.recall).toBe(1);
      expect(items.changed.precision).toBeCloseTo(report.itemBaseRate, 12);
      // The direction rule splits rows of noise: precision within 0.03 of chance (≈ 5 standard
      // errors of the mean over 60 clients of ≈ 55 rows drawn from 120), recall about the share named.
      expect(Math.abs(items.direction.precision - report.itemBaseRate)).toBeLessThan(0.03);
      expect(items.direction.recall).toBeGreaterThan(0.3);
      expect(items.direction.recall).toBeLessThan(0.7);
    }
    // θ_user is not part of the masked sum: recovered as without secure aggregation.
    expect(first!.profileCosine).toEqual(plainFirst!.profileCosine);
    expect(last!.profileCosine.fromInit).toBeGreaterThan(0.99);
    expect(first!.attributes).toEqual(plainFirst!.attributes);
  });
  it("released tables: without noise an observer who knows the others isolates each client; DP noise stops it", async () => {
    const { attack } = await fixture();
    const clipOnly = { uploadClipNorm: 0.05, serverLearningRate: 0.3 };
    const [clearFirst] = await attack(DEFAULT_CONFIG, clipOnly);
    expect(clearFirst!.releasedTable!.membership).toEqual({ truePositiveRate: 1, falsePositiveRate: 0.05 });
    expect(clearFirst!.releasedTable!.membershipTprBound).toBeNull();
    // The residual is the client's clipped change, a scaled copy of its upload's: the upload's guess.
    expect(clearFirst!.releasedTable!.items.direction).toEqual(clearFirst!.items.latestUpload.direction);
    const [first, last] = await attack(DEFAULT_CONFIG, { serverLearningRate: 0.3, dpClipNorm: 0.05, dpNoiseMultiplier: 4 });
    // The coordinator still gets every upload in full: central DP does not protect against it.
    expect(first!.items.latestUpload.direction.precision).toBeGreaterThan(0.9);
    for (const report of [first!, last!]) {
      const released = report.releasedTable!;
      // σ = 4: no test beats Φ(√T/4 − 1.645) — 0.08 after round 1, 0.13 after round 4; 0.1 slack
      // for 60 clients sharing one noise draw per round.
      expect(released.membershipTprBound).toBeLessThan(0.13);
      expect(released.membership.truePositiveRate).toBeLessThan(released.membershipTprBound! + 0.1);
      expect(released.membership.falsePositiveRate).toBeLessThan(0.05 + 0.1);
      expect(Math.abs(released.items.direction.precision - report.itemBaseRate)).toBeLessThan(0.05);
    }
  });
});
