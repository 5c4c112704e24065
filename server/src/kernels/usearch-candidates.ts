/**
 * A CandidateSearch on usearch's HNSW index (multi-threaded native code from the npm package's
 * prebuilt binary): O(n log n) instead of the O(n²) scan, for federations of tens of thousands of
 * participants per round. HNSW navigates badly by raw inner product when every item shares a
 * large component (approximate-top-k.ts's items do), so the search is turned into a nearest-
 * neighbour one in L2 (Bachrach et al., RecSys 2014): each item gets one more coordinate
 * √(M² − ‖y_j‖²), M the largest item norm, each query a 0 there; then
 * ‖q − y'‖² = ‖q‖² + M² − 2<q, y>, smallest exactly where <q, y> is largest.
 */
import usearch from "usearch";
import type { CandidateSearch } from "@fedrec/common";

const { Index, MetricKind, ScalarKind } = usearch;

export function usearchCandidates(threads: number): CandidateSearch {
  return (queries, items, n, dim, count) => {
    const width = dim + 1;
    const index = new Index({
      metric: MetricKind.L2sq,
      dimensions: width,
      connectivity: 32,
      quantization: ScalarKind.F32,
      expansion_add: 256,
      expansion_search: Math.max(512, 8 * count),
      multi: false,
    });
    const norms = Array.from({ length: n }, (_, j) => squaredNorm(items.subarray(j * dim, (j + 1) * dim)));
    const largest = Math.max(...norms);
    const lifted = (x: Float32Array, extra: (j: number) => number): Float32Array[] =>
      Array.from({ length: n }, (_, j) => {
        const row = new Float32Array(width);
        row.set(x.subarray(j * dim, (j + 1) * dim));
        row[dim] = extra(j);
        return row;
      });
    index.add(
      BigUint64Array.from({ length: n }, (_, j) => BigInt(j)),
      lifted(items, (j) => Math.sqrt(Math.max(0, largest - norms[j]!))),
      threads,
    );
    const found = index.search(
      lifted(queries, () => 0),
      count,
      threads,
    );
    return Array.from({ length: n }, (_, i) => {
      const keys = found.keys.subarray(i * count, i * count + Math.min(count, Number(found.counts[i])));
      return Int32Array.from(keys, (key) => Number(key));
    });
  };
}

function squaredNorm(x: Float32Array): number {
  let s = 0;
  for (let c = 0; c < x.length; c++) s += x[c]! * x[c]!;
  return s;
}
