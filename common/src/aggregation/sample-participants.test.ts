import { describe, expect, it } from "vitest";
import { createRng } from "../random/rng.ts";
import { sampleParticipants } from "./sample-participants.ts";

const ids = Array.from({ length: 10 }, (_, i) => i * 2);

describe("sampleParticipants", () => {
  it("samples ⌊fraction·n⌋ distinct available clients, sorted and reproducible", () => {
    const a = sampleParticipants(ids, 0.35, 1, createRng(1));
    expect(a).toHaveLength(3);
    expect(new Set(a).size).toBe(3);
    for (const c of a) expect(ids).toContain(c);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(sampleParticipants(ids, 0.35, 1, createRng(1))).toEqual(a);
  });

  it("honours the minimum and caps at what is available", () => {
    expect(sampleParticipants(ids, 0.1, 4, createRng(2))).toHaveLength(4);
    expect(sampleParticipants(ids, 1, 1, createRng(2))).toEqual(ids);
    expect(sampleParticipants([3], 0.1, 5, createRng(2))).toEqual([3]);
    expect(() => sampleParticipants(ids, 0, 1, createRng(2))).toThrow(/fraction must be in \(0, 1\]/);
  });
});
