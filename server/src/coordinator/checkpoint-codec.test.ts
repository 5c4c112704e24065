import { describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint-codec.ts";
import { decodeRecord, encodeRecord } from "./binary-record.ts";
import type { Checkpoint } from "./federation-types.ts";

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
});
