/**
 * A CandidateSearch on usearch's HNSW index (inner product on the unit sketches; multi-threaded
 * native code from the npm package's prebuilt binary): O(n log n) instead of the O(n²) scan, for
 * federations of tens of thousands of participants per round.
 */
import usearch from "usearch";
import type { CandidateSearch } from "@fedrec/common";

const { Index, MetricKind, ScalarKind } = usearch;

export function usearchCandidates(threads: number): CandidateSearch {
  return (rows, n, dim, count) => {
    const index = new Index({
      metric: MetricKind.IP,
      dimensions: dim,
      connectivity: 16,
      quantization: ScalarKind.F32,
      expansion_add: 128,
      expansion_search: Math.max(64, 2 * count),
      multi: false,
    });
    const matrix = Array.from({ length: n }, (_, i) => rows.subarray(i * dim, (i + 1) * dim));
    index.add(
      BigUint64Array.from({ length: n }, (_, i) => BigInt(i)),
      matrix,
      threads,
    );
    const found = index.search(matrix, count, threads);
    return Array.from({ length: n }, (_, i) => {
      const keys = found.keys.subarray(i * count, i * count + Math.min(count, Number(found.counts[i])));
      return Int32Array.from(keys, (key) => Number(key));
    });
  };
}
