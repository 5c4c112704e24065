/**
 * A synthetic round's uploads for aggregation tests and benchmarks: `clients` participants whose
 * θ_user lie around `clusters` random centres (taste groups, as the synthetic dataset's favourite
 * genres make them), each having trained `rowsPerClient` rows of the global table.
 */
import { createRng, type ServerTables, type TrainResult } from "@fedrec/common";

export interface SyntheticRoundShape {
  readonly clients: number;
  /** Length of vec(θ_user) (profileDim × jointDim; 12,288 with MiniLM). */
  readonly userDim: number;
  readonly numItems: number;
  readonly itemDim: number;
  readonly rowsPerClient: number;
  readonly clusters: number;
  /** Standard deviation of a θ_user entry around its cluster's centre (centres are N(0, 1)). */
  readonly spread: number;
  readonly seed: number;
}

export interface SyntheticRound {
  readonly tables: ServerTables;
  readonly results: TrainResult[];
  /** Each client's cluster. */
  readonly cluster: Int32Array;
}

export function syntheticRound(shape: SyntheticRoundShape): SyntheticRound {
  const rng = createRng(shape.seed);
  const { userDim, numItems, itemDim } = shape;
  const global = Float32Array.from({ length: numItems * itemDim }, () => rng.normal() * 0.1);
  const centres = Array.from({ length: shape.clusters }, () => Float32Array.from({ length: userDim }, () => rng.normal()));
  const cluster = Int32Array.from({ length: shape.clients }, () => rng.int(shape.clusters));
  const results = Array.from({ length: shape.clients }, (_, client): TrainResult => {
    const centre = centres[cluster[client]!]!;
    const userWeights = Float32Array.from(centre, (c) => c + rng.normal() * shape.spread);
    const rows = distinctSortedRows((n) => rng.int(n), numItems, Math.min(shape.rowsPerClient, numItems));
    const values = Float32Array.from({ length: rows.length * itemDim }, () => rng.normal() * 0.1);
    return { client, userWeights, items: { base: global, rows, values }, numExamples: 1 + rng.int(100) };
  });
  return { tables: { global, personal: new Map() }, results, cluster };
}

function distinctSortedRows(int: (n: number) => number, numItems: number, count: number): Int32Array {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(int(numItems));
  return Int32Array.from([...chosen].sort((a, b) => a - b));
}
