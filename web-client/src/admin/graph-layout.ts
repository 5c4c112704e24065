/**
 * The user graph of a round as a node-link picture: d3-force lays the participants out so that
 * neighbours (clients whose joint embeddings are alike) pull together and everyone else pushes
 * apart. Deterministic (a seeded jiggle, a fixed number of ticks), so one graph always gives one
 * picture; then scaled into the drawing box.
 */
import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, type SimulationNodeDatum } from "d3-force";
import type { UserGraph } from "@fedrec/common";

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
}

export interface GraphLink {
  readonly source: number;
  readonly target: number;
  /** The heavier of the two directed weights S''_ij, S''_ji. */
  readonly weight: number;
}

export interface LaidOutGraph {
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLink[];
}

/** Undirected links without self-loops: (i, j) and (j, i) become one, with the heavier weight. */
export function undirectedLinks(edges: UserGraph["edges"]): GraphLink[] {
  const byPair = new Map<string, GraphLink>();
  for (const [i, j, weight] of edges) {
    if (i === j) continue;
    const [source, target] = i < j ? [i, j] : [j, i];
    const key = `${source},${target}`;
    const known = byPair.get(key);
    if (!known || weight > known.weight) byPair.set(key, { source, target, weight });
  }
  return [...byPair.values()].sort((a, b) => a.source - b.source || a.target - b.target);
}

/** A small linear congruential generator in [0, 1): d3-force's jiggle, seeded. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function layoutUserGraph(
  graph: UserGraph,
  labelOf: (clientId: string) => string,
  box: { readonly width: number; readonly height: number; readonly margin: number },
  ticks = 300,
): LaidOutGraph {
  const links = undirectedLinks(graph.edges);
  const sim: SimulationNodeDatum[] = graph.participants.map(() => ({}));
  const simulation = forceSimulation(sim)
    .randomSource(seeded(1))
    .force(
      "link",
      forceLink(links.map((l) => ({ ...l })))
        .distance(60)
        .strength((l) => 0.05 + 0.5 * Math.min(1, (l as GraphLink).weight)),
    )
    // Strong repulsion and room for a label: a class's top-10 graph is dense, and names must stay readable.
    .force("charge", forceManyBody().strength(-240))
    .force("collide", forceCollide(24))
    .force("center", forceCenter(0, 0))
    .stop();
  for (let t = 0; t < ticks; t++) simulation.tick();
  const xs = sim.map((n) => n.x ?? 0);
  const ys = sim.map((n) => n.y ?? 0);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // Each axis stretched to the box: a dense class graph may settle long and thin, and the names
  // need the whole width; who sits near whom is what the picture shows, not exact distances.
  const fit = (v: number, lo: number, hi: number, room: number) =>
    hi - lo < 1e-9 ? room / 2 : box.margin + ((v - lo) / (hi - lo)) * (room - 2 * box.margin);
  return {
    nodes: graph.participants.map((id, i) => ({
      id,
      label: labelOf(id),
      x: fit(xs[i]!, minX, maxX, box.width),
      y: fit(ys[i]!, minY, maxY, box.height),
    })),
    links,
  };
}
