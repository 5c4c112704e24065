import { describe, expect, it } from "vitest";
import { BestTableTracker } from "./best-table-tracker.ts";

const val = (hr10: number) => ({ hr10, ndcg10: hr10 / 2, count: 10 });

describe("BestTableTracker", () => {
  it("keeps the tables of the best round by reference; a tie keeps the earlier round", () => {
    const tracker = new BestTableTracker<Float32Array>();
    const sent = [0.1, 0.4, 0.3, 0.4, 0.2].map((_, r) => Float32Array.of(r));
    const improved = [0.1, 0.4, 0.3, 0.4, 0.2].map((hr, r) => tracker.observe(r + 1, val(hr), sent[r]!));
    expect(improved).toEqual([true, true, false, false, false]);
    expect(tracker.best!.round).toBe(2);
    expect(tracker.best!.tables).toBe(sent[1]);
    expect(tracker.best!.val.hr10).toBe(0.4);
  });

  it("exhausts its patience `patience` rounds after the best round, counting from round 0 before any", () => {
    const tracker = new BestTableTracker<null>();
    expect(tracker.patienceExhausted(2, 1)).toBe(false);
    expect(tracker.patienceExhausted(2, 2)).toBe(true);
    tracker.observe(1, val(0.2), null);
    tracker.observe(2, val(0.1), null);
    expect(tracker.patienceExhausted(2, 2)).toBe(false);
    expect(tracker.patienceExhausted(2, 3)).toBe(true);
    expect(tracker.patienceExhausted(0, 50)).toBe(false); // 0 = off
  });

  it("continues from a stored best and refuses rounds out of order", () => {
    const tracker = new BestTableTracker({ round: 7, val: val(0.5), tables: "T7" });
    expect(tracker.observe(8, val(0.5), "T8")).toBe(false);
    expect(() => tracker.observe(7, val(0.9), "again")).toThrow(/round 7 offered after round 7/);
    expect(tracker.best!.tables).toBe("T7");
  });
});
