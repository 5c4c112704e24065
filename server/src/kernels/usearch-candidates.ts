/**
 * A CandidateSearch on usearch's HNSW index (multi-threaded native code from the npm package's
 * prebuilt binary): each point's nearest points in squared Euclidean distance, O(n log n) instead
 * of the O(n²) scan, for federations of tens of thousands of participants per round.
 */
import usearch from "usearch";
import type { CandidateSearch } from "@fedrec/common";

const { Index, MetricKind, ScalarKind } = usearch;

export function usearchCandidates(threads: number): CandidateSearch {
  return (points, n, dim, count) => {
    const index = new Index({
      metric: MetricKind.L2sq,
      dimensions: dim,
      connectivity: 32,
      quantization: ScalarKind.F32,
      expansion_add: 256,
      expansion_search: Math.max(512, 8 * count),
      multi: false,
    });
    const rows = Array.from({ length: n }, (_, j) => points.subarray(j * dim, (j + 1) * dim));
    index.add(
      BigUint64Array.from({ length: n }, (_, j) => BigInt(j)),
      rows,
      threads,
    );
    const found = index.search(rows, count, threads);
    return Array.from({ length: n }, (_, i) => {
      const keys = found.keys.subarray(i * count, i * count + Math.min(count, Number(found.counts[i])));
      return Int32Array.from(keys, (key) => Number(key));
    });
  };
}
