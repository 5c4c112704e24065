import { describe, expect, it } from "vitest";
import {
  createRng,
  shuffleInPlace,
  type BestRound,
  type LocalEvaluation,
  type RankingMetrics,
  type Rng,
  type ServerTables,
  type AcceptedUpload,
  type Checkpoint,
} from "@fedrec/common";
import { randomFloat32, randomRows, sameBits } from "@fedrec/common/testing";
import {
  decodeBestRound,
  decodeCheckpoint,
  decodeUpload,
  encodeBestRound,
  encodeCheckpoint,
  encodeUpload,
} from "./checkpoint-codec.ts";
import { decodeRecord, encodeRecord } from "./binary-record.ts";

const f = (...xs: number[]) => Float32Array.from(xs);
const metrics = { val: { hr10: 0.5, ndcg10: 0.25, count: 2 }, test: { hr10: 1, ndcg10: 1, count: 1 } };

function checkpoint(withMoments: boolean): Checkpoint {
  return {
    completedRounds: 7,
    tables: {
      global: f(1, 2, 3),
      personal: new Map([
        [4, f(4, 5, 6)],
        [1, f(7, 8, 9)],
      ]),
      serverMoments: withMoments ? { m: f(0.1, 0.2, 0.3), v: f(0.01, 0.04, 0.09) } : null,
    },
    latestMetrics: new Map([["client-b", metrics]]),
  };
}

describe("checkpoint codec", () => {
  it.each([true, false])("round-trips the tables, personal slots and FedAdam moments (moments: %s)", (withMoments) => {
    const original = checkpoint(withMoments);
    const decoded = decodeCheckpoint(encodeCheckpoint(original));
    expect(decoded.completedRounds).toBe(7);
    expect(decoded.tables.global).toEqual(original.tables.global);
    expect([...decoded.tables.personal.entries()].sort(([a], [b]) => a - b)).toEqual([
      [1, f(7, 8, 9)],
      [4, f(4, 5, 6)],
    ]);
    expect(decoded.tables.serverMoments ?? null).toEqual(original.tables.serverMoments);
    expect(decoded.latestMetrics.get("client-b")).toEqual(metrics);
  });

  it("encodes the same state to the same bytes, and moments change them", () => {
    expect(encodeCheckpoint(checkpoint(true))).toEqual(encodeCheckpoint(checkpoint(true)));
    expect(encodeCheckpoint(checkpoint(true))).not.toEqual(encodeCheckpoint(checkpoint(false)));
  });

  it("refuses a checkpoint whose header promises moments its arrays lack", () => {
    const { header, arrays } = decodeRecord(encodeCheckpoint(checkpoint(true)), "checkpoint");
    const truncated = encodeRecord(header, arrays.slice(0, -1));
    expect(() => decodeCheckpoint(truncated)).toThrow(/checkpoint: expected 5 float32 tables/);
  });

  it("refuses a record whose header does not fit its schema, naming the field", () => {
    const { header, arrays } = decodeRecord(encodeCheckpoint(checkpoint(false)), "checkpoint");
    const withHeader = (changes: object) => encodeRecord({ ...(header as object), ...changes }, arrays);
    expect(() => decodeCheckpoint(withHeader({ completedRounds: -1 }))).toThrow(
      /^checkpoint header\.completedRounds: expected an integer in \[0, 100000\], got -1$/,
    );
    expect(() => decodeCheckpoint(withHeader({ latestMetrics: [["client-aaaa", { val: metrics.val }]] }))).toThrow(
      /^checkpoint header\.latestMetrics\[0\]\[1\]\.test: missing$/,
    );
    const upload = encodeUpload({ userWeights: f(1), rows: Int32Array.of(0), values: f(2), numExamples: 3, loss: 0.5, metrics });
    const stored = decodeRecord(upload, "stored upload");
    expect(() => decodeUpload(encodeRecord({ ...(stored.header as object), loss: "0.5" }, stored.arrays))).toThrow(
      /^stored upload header\.loss: expected a finite number or null, got "0\.5"$/,
    );
  });
});

// ------------------------------------------------------------------ property tests

const CASES = 300;

/** Byte equality (vitest's deep equality walks typed arrays element by element: slow for thousands of cases). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function shuffled<T>(items: T[], rng: Rng): T[] {
  shuffleInPlace(items, rng);
  return items;
}

function randomMetric(rng: Rng): RankingMetrics {
  return { hr10: rng.next(), ndcg10: rng.next() / 2, count: rng.int(1000) };
}

function randomEvaluation(rng: Rng): LocalEvaluation {
  return { val: randomMetric(rng), test: randomMetric(rng) };
}

/** Random tables of one length: the global one, personalised ones at random slots, FedAdam's moments or none. */
function randomTables(rng: Rng): ServerTables {
  const length = rng.int(120);
  const slots = shuffled([...randomRows(rng, 50, 6)], rng); // any insertion order
  const withMoments = rng.next() < 0.5;
  return {
    global: randomFloat32(rng, length),
    personal: new Map(slots.map((slot) => [slot, randomFloat32(rng, length)])),
    serverMoments: withMoments ? { m: randomFloat32(rng, length), v: randomFloat32(rng, length) } : null,
  };
}

function randomCheckpoint(rng: Rng): Checkpoint {
  const ids = Array.from({ length: rng.int(6) }, (_, i) => `${["client", "ü-客户", "x"][rng.int(3)]}-${i}-${rng.int(1e6)}`);
  return {
    completedRounds: rng.int(100_001),
    tables: randomTables(rng),
    latestMetrics: new Map(ids.map((id) => [id, randomEvaluation(rng)])),
  };
}

function randomUpload(rng: Rng): AcceptedUpload {
  const itemDim = 1 + rng.int(8);
  const rows = randomRows(rng, 200, 40);
  return {
    userWeights: randomFloat32(rng, rng.int(300)),
    rows,
    values: randomFloat32(rng, rows.length * itemDim),
    numExamples: rng.int(100_000_001),
    loss: rng.next() < 0.2 ? null : rng.next() * 10,
    metrics: randomEvaluation(rng),
  };
}

/** The bytes as SQLite may hand them over: a Buffer at an odd offset of a larger allocation. */
function atOddOffset(bytes: Uint8Array, rng: Rng): Buffer {
  const offset = 1 + 2 * rng.int(8);
  const pooled = Buffer.alloc(offset + bytes.byteLength + rng.int(8), 0xa5);
  pooled.set(bytes, offset);
  return pooled.subarray(offset, offset + bytes.byteLength);
}

function expectSameTables(actual: ServerTables, expected: ServerTables, withMoments: boolean, what: string): void {
  expect(sameBits(actual.global, expected.global), `${what}: global`).toBe(true);
  const slots = [...expected.personal.keys()].sort((a, b) => a - b);
  expect([...actual.personal.keys()], `${what}: slots`).toEqual(slots); // ascending after decoding
  for (const slot of slots)
    expect(sameBits(actual.personal.get(slot)!, expected.personal.get(slot)!), `${what}: slot ${slot}`).toBe(true);
  const moments = withMoments ? expected.serverMoments : null;
  expect(actual.serverMoments ?? null, `${what}: moments`).toEqual(moments ? expect.anything() : null);
  if (moments) {
    expect(sameBits(actual.serverMoments!.m, moments.m), `${what}: m`).toBe(true);
    expect(sameBits(actual.serverMoments!.v, moments.v), `${what}: v`).toBe(true);
  }
}

/** Every decoded array must be a fresh copy: overwriting the input afterwards must not reach it. */
function expectDetached(input: Buffer, decoded: () => Uint8Array, what: string): void {
  const before = decoded();
  input.fill(0x5a);
  expect(sameBytes(decoded(), before), what).toBe(true);
}

describe("checkpoint codec, property tests", () => {
  it("checkpoints: decode ∘ encode is the identity (bits, slots, moments, metrics), from odd-offset Buffers, and re-encoding gives the same bytes", () => {
    const rng = createRng(301);
    for (let c = 0; c < CASES; c++) {
      const original = randomCheckpoint(rng);
      const bytes = encodeCheckpoint(original);
      const input = atOddOffset(bytes, rng);
      const decoded = decodeCheckpoint(input);
      expect(decoded.completedRounds).toBe(original.completedRounds);
      expectSameTables(decoded.tables, original.tables, true, `case ${c}`);
      expect(new Map(decoded.latestMetrics)).toEqual(new Map(original.latestMetrics));
      expect(sameBytes(encodeCheckpoint(decoded), bytes)).toBe(true); // what the load-time checksum check relies on
      expectDetached(input, () => encodeCheckpoint(decoded), `case ${c}`);
    }
  });

  it("checkpoints: the bytes do not depend on the maps' insertion order", () => {
    const rng = createRng(302);
    for (let c = 0; c < CASES; c++) {
      const original = randomCheckpoint(rng);
      const reordered: Checkpoint = {
        ...original,
        tables: { ...original.tables, personal: new Map(shuffled([...original.tables.personal], rng)) },
        latestMetrics: new Map(shuffled([...original.latestMetrics], rng)),
      };
      expect(sameBytes(encodeCheckpoint(reordered), encodeCheckpoint(original))).toBe(true);
    }
  });

  it("best-validation rounds round-trip (without moments), from odd-offset Buffers", () => {
    const rng = createRng(303);
    for (let c = 0; c < CASES; c++) {
      const original: BestRound<ServerTables> = {
        round: 1 + rng.int(100_000),
        val: randomMetric(rng),
        tables: randomTables(rng),
      };
      const bytes = encodeBestRound(original);
      const input = atOddOffset(bytes, rng);
      const decoded = decodeBestRound(input);
      expect(decoded.round).toBe(original.round);
      expect(decoded.val).toEqual(original.val);
      expectSameTables(decoded.tables, original.tables, false, `case ${c}`);
      expect(sameBytes(encodeBestRound(decoded), bytes)).toBe(true);
      expectDetached(input, () => encodeBestRound(decoded), `case ${c}`);
    }
  });

  it("accepted uploads round-trip, from odd-offset Buffers", () => {
    const rng = createRng(304);
    for (let c = 0; c < CASES; c++) {
      const original = randomUpload(rng);
      const bytes = encodeUpload(original);
      const input = atOddOffset(bytes, rng);
      const decoded = decodeUpload(input);
      expect(sameBits(decoded.userWeights, original.userWeights), `case ${c}: userWeights`).toBe(true);
      expect(sameBits(decoded.rows, original.rows), `case ${c}: rows`).toBe(true);
      expect(sameBits(decoded.values, original.values), `case ${c}: values`).toBe(true);
      expect({ ...decoded, userWeights: 0, rows: 0, values: 0 }).toEqual({ ...original, userWeights: 0, rows: 0, values: 0 });
      expect(sameBytes(encodeUpload(decoded), bytes)).toBe(true);
      expectDetached(input, () => encodeUpload(decoded), `case ${c}`);
    }
  });

  it("a truncated or extended record is refused, never misread", () => {
    const rng = createRng(305);
    for (let c = 0; c < CASES; c++) {
      const bytes = encodeUpload(randomUpload(rng));
      const cut =
        rng.next() < 0.5 ? bytes.subarray(0, rng.int(bytes.byteLength)) : Buffer.concat([bytes, Buffer.alloc(1 + rng.int(8))]);
      expect(() => decodeUpload(atOddOffset(cut, rng)), `case ${c}`).toThrow();
    }
  });
});
