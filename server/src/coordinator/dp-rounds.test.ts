/**
 * Client-level DP in the live federation (common's round machine over the coordinator's SQLite
 * journal): Poisson sampling and noise from its secret random source (scripted here), a round that closes at the deadline without topping up, the ε
 * spent in each round summary and the status, and the live settings DP freezes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bagOfWordsIdentity } from "@fedrec/common/testing";
import {
  DEFAULT_CONFIG,
  Federation,
  PROTOCOL_VERSION,
  clientLevelDp,
  initialModel,
  modelDimensions,
  resolveConfig,
  spentEpsilon,
  toWire,
  uploadedUserWeightsLength,
  type RandomSource,
  type RoundSummary,
} from "@fedrec/common";
import { nodeCredentials } from "./credentials.ts";
import { SqliteStore } from "./sqlite-store.ts";

const CODE = "DPDP01";
const JOIN = "dp-join-token";
const NUM_ITEMS = 6;
const PROFILE_DIM = 4;
const CLIENTS = ["client-aaaa", "client-bbbb", "client-cccc"];
const DP = { neighbourhood: "none", dpNoiseMultiplier: 2, dpClipNorm: 0.5, fractionTrain: 0.5, rounds: 3 } as const;
const catalogue = { dataset: "scripted", numItems: NUM_ITEMS, profileDim: PROFILE_DIM, encoder: bagOfWordsIdentity(PROFILE_DIM) };

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** Uniforms from a script (cycled); every normal is exactly 1, so the noise is σ·C on every entry. */
function scripted(uniforms: number[]): RandomSource {
  let i = 0;
  return { next: () => uniforms[i++ % uniforms.length]!, normal: () => 1 };
}

function federationWith(overrides: object, secretRandom: RandomSource | undefined, clock = { now: 0 }) {
  const store = new SqliteStore(":memory:");
  stores.push(store);
  const config = resolveConfig(DEFAULT_CONFIG, { minClientsToStart: 3, roundDeadlineSeconds: 10, ...overrides });
  store.createFederation(
    { code: CODE, joinToken: JOIN, adminToken: "dp-admin-token", catalogue, items: null },
    config,
    "waiting",
    0,
  );
  const [{ setup, ...state }] = store.loadFederations() as [ReturnType<SqliteStore["loadFederations"]>[number]];
  const summaries: RoundSummary[] = [];
  const outbox = {
    sendRound: () => {},
    roundEnded: (s: RoundSummary) => void summaries.push(s),
    finished: () => {},
    stateChanged: () => {},
    reset: () => {},
    kicked: () => {},
  };
  const federation = new Federation(setup, state, {
    journal: store,
    outbox,
    credentials: nodeCredentials,
    now: () => clock.now,
    onError: (error) => {
      throw error;
    },
    dpRandomness: secretRandom && (() => secretRandom),
  });
  return { federation, summaries, config };
}

function joinAll(federation: Federation): void {
  for (const clientId of CLIENTS) {
    federation.join({
      protocol: PROTOCOL_VERSION,
      code: CODE,
      token: JOIN,
      clientId,
      secret: null,
      numItems: NUM_ITEMS,
      profileDim: PROFILE_DIM,
      encoder: bagOfWordsIdentity(PROFILE_DIM),
      label: null,
    });
    federation.connect(clientId);
  }
}

/** Client `clientId` moves item row 0 by `change` in every dimension (from the table it was sent). */
function upload(federation: Federation, round: number, clientId: string, sent: Float32Array, change: number) {
  const { itemDim } = federation.config;
  return {
    round,
    clientId,
    userWeights: toWire(new Float32Array(uploadedUserWeightsLength(federation.config, PROFILE_DIM))),
    rows: toWire(Int32Array.of(0)),
    values: toWire(Float32Array.from({ length: itemDim }, (_, k) => sent[k]! + change)),
    numExamples: 3,
    loss: 0.5,
    metrics: { val: { hr10: 0.5, ndcg10: 0.2, count: 2 }, test: { hr10: 0.4, ndcg10: 0.2, count: 2 } },
  };
}

describe("client-level DP in the coordinator", () => {
  it("refuses to start without a secret random source (a seeded one would let clients subtract the noise)", () => {
    expect(() => federationWith(DP, undefined)).toThrow(/client-level DP needs a secret random source/);
  });

  it("Poisson-samples with the secret source, clips, noises every entry, and reports the ε spent", async () => {
    // Uniforms 0.3, 0.7, 0.1 against q = 0.5: clients a and c take part, b does not.
    const { federation, summaries, config } = federationWith(DP, scripted([0.3, 0.7, 0.1]));
    joinAll(federation);
    expect(federation.status().round).toMatchObject({ round: 1, participants: 2 });
    const dims = modelDimensions(config, PROFILE_DIM, NUM_ITEMS);
    const start = initialModel(config, dims).itemTable;
    // a's change has norm 0.1·√33 ≈ 0.57 > C = 0.5: clipped to 0.5; c's, 0.01·√33 ≈ 0.057, is kept.
    expect(federation.upload("client-aaaa", upload(federation, 1, "client-aaaa", start, 0.1))).toEqual({ ok: true, round: 1 });
    expect(federation.upload("client-bbbb", upload(federation, 1, "client-bbbb", start, 0.1))).toMatchObject({
      ok: false,
      code: "not-sampled",
    });
    expect(federation.upload("client-cccc", upload(federation, 1, "client-cccc", start, 0.01))).toEqual({ ok: true, round: 1 });
    await federation.settled();
    const dp = clientLevelDp(config)!;
    expect(summaries[0]!.dpEpsilon).toBe(spentEpsilon(dp, 1));
    expect(federation.status().privacy).toEqual({ ...dp, spentEpsilon: spentEpsilon(dp, 1) });
    const table = federation.tableForRecommendations(0);
    const itemDim = config.itemDim;
    const noise = 2 * 0.5; // σ·C, one standard deviation per entry (server rate 1)
    const clippedA = 0.1 * (0.5 / (0.1 * Math.sqrt(itemDim)));
    expect(table[0]).toBeCloseTo(start[0]! + clippedA + 0.01 + noise, 5);
    // An untouched row moves by the noise alone.
    expect(table[3 * itemDim + 1]).toBeCloseTo(start[3 * itemDim + 1]! + noise, 5);
  });

  it("closes a round at the deadline below the quorum without adding clients", async () => {
    const clock = { now: 0 };
    const { federation, summaries } = federationWith({ ...DP, quorum: 1 }, scripted([0.1, 0.1, 0.9]), clock);
    joinAll(federation);
    expect(federation.status().round).toMatchObject({ participants: 2 });
    const start = federation.tableForRecommendations(0);
    federation.upload("client-aaaa", upload(federation, 1, "client-aaaa", start, 0.01));
    clock.now = 10_001;
    federation.tick();
    await federation.settled();
    expect(summaries[0]).toMatchObject({ round: 1, sampled: 2, aggregated: 1 });
  });

  it("keeps rounds and fractionTrain fixed (the noise was calibrated for them), other live settings free", () => {
    const { federation } = federationWith(DP, scripted([0.9]));
    expect(() => federation.configure({ rounds: 30 })).toThrow(
      /cannot change rounds or fractionTrain under differential privacy/,
    );
    expect(() => federation.configure({ fractionTrain: 1 })).toThrow(/cannot change rounds or fractionTrain/);
    expect(() => federation.configure({ neighbourhood: "topk" })).toThrow(/differential privacy needs neighbourhood "none"/);
    expect(federation.configure({ roundDeadlineSeconds: 5 }).roundDeadlineSeconds).toBe(5);
  });
});
