import { describe, expect, it } from "vitest";
import type { UserGraph } from "@fedrec/common";
import { layoutUserGraph, undirectedLinks } from "./graph-layout.ts";

const BOX = { width: 400, height: 300, margin: 20 };

/** Two groups of four clients, linked only within each group (plus self-loops, as S'' has). */
function twoGroups(): UserGraph {
  const edges: [number, number, number][] = [];
  for (let i = 0; i < 8; i++) {
    edges.push([i, i, 0.25]);
    for (let j = 0; j < 8; j++) if (i !== j && Math.floor(i / 4) === Math.floor(j / 4)) edges.push([i, j, 0.25]);
  }
  return { participants: [...Array(8).keys()].map((i) => `client-${i}`), edges };
}

const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

describe("undirectedLinks", () => {
  it("drops self-loops and merges (i, j) with (j, i), keeping the heavier weight", () => {
    expect(
      undirectedLinks([
        [0, 0, 1],
        [0, 1, 0.2],
        [1, 0, 0.5],
        [2, 1, 0.1],
      ]),
    ).toEqual([
      { source: 0, target: 1, weight: 0.5 },
      { source: 1, target: 2, weight: 0.1 },
    ]);
  });
});

describe("layoutUserGraph", () => {
  it("puts linked clients closer than unlinked ones, inside the box, labelled, the same every time", () => {
    const graph = twoGroups();
    const layout = layoutUserGraph(graph, (id) => `nick ${id.slice(-1)}`, BOX);
    expect(layout.nodes.map((n) => n.label)).toEqual([...Array(8).keys()].map((i) => `nick ${i}`));
    expect(layout.links).toHaveLength(12); // 6 pairs in each group of 4
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(BOX.margin - 1e-6);
      expect(n.x).toBeLessThanOrEqual(BOX.width - BOX.margin + 1e-6);
      expect(n.y).toBeGreaterThanOrEqual(BOX.margin - 1e-6);
      expect(n.y).toBeLessThanOrEqual(BOX.height - BOX.margin + 1e-6);
    }
    const pairs = (same: boolean) =>
      layout.nodes.flatMap((a, i) =>
        layout.nodes.filter((_, j) => j > i && (Math.floor(i / 4) === Math.floor(j / 4)) === same).map((b) => distance(a, b)),
      );
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(pairs(true))).toBeLessThan(0.6 * mean(pairs(false)));
    expect(layoutUserGraph(graph, (id) => `nick ${id.slice(-1)}`, BOX)).toEqual(layout);
  });

  it("places a lone participant in the middle", () => {
    const layout = layoutUserGraph({ participants: ["solo"], edges: [[0, 0, 1]] }, (id) => id, BOX);
    expect(layout.nodes).toEqual([{ id: "solo", label: "solo", x: 200, y: 150 }]);
    expect(layout.links).toEqual([]);
  });
});
