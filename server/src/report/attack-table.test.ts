import { describe, expect, it } from "vitest";
import type { AttackRoundReport } from "@fedrec/common";
import { attackTable } from "./attack-table.ts";

const items = (p: number) => ({ changed: { precision: p, recall: 1 }, direction: { precision: 1, recall: p } });
const report = (round: number, cosine: number | null): AttackRoundReport => ({
  round,
  clients: 2,
  profileCosine: { fromInit: cosine, consecutive: cosine === null ? null : 0.5 },
  attributes: cosine === null ? {} : { gender: { accuracy: 1, majority: 0.7 } },
  items: { latestUpload: items(0.25), allUploads: items(0.5) },
  itemBaseRate: 0.0625,
  releasedTable:
    cosine === null
      ? { membership: { truePositiveRate: 0.1, falsePositiveRate: 0.04 }, membershipTprBound: 0.126, items: items(0.07) }
      : null,
});

describe("attackTable", () => {
  it("round 1 rows score the first upload, later rows all uploads; missing numbers are marked", () => {
    const table = attackTable([
      { name: "text-graph", what: "", reports: [report(1, 0.99991), report(10, 1)] },
      { name: "default", what: "", reports: [report(1, null)] },
    ]);
    const lines = table.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[2]).toBe(
      "| text-graph | 1 | 1.000 / 0.500 | 1.000 (0.700) | – | – | 0.250 / 1.000 | 1.000 / 0.250 | 0.063 | – | – |",
    );
    expect(lines[3]).toBe(
      "| text-graph | 10 | 1.000 / 0.500 | 1.000 (0.700) | – | – | 0.500 / 1.000 | 1.000 / 0.500 | 0.063 | – | – |",
    );
    expect(lines[4]).toBe(
      "| default | 1 | not sent | – | – | – | 0.250 / 1.000 | 1.000 / 0.250 | 0.063 | 0.100 / 0.040 (0.126) | 1.000 / 0.070 |",
    );
  });
});
