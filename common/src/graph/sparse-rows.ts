/** A row-sparse n × n matrix: row i holds (column, weight) pairs. Used for S'' and S''^L. */
export interface SparseRows {
  readonly n: number;
  readonly columns: readonly Int32Array[];
  readonly weights: readonly Float64Array[];
}

/** (a · b) for row-sparse a and b, both n × n. */
export function multiplySparse(a: SparseRows, b: SparseRows): SparseRows {
  const n = a.n;
  const accumulator = new Float64Array(n);
  const seen = new Uint8Array(n);
  const columns: Int32Array[] = [];
  const weights: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const touched: number[] = [];
    const aCols = a.columns[i]!;
    const aW = a.weights[i]!;
    for (let p = 0; p < aCols.length; p++) {
      const k = aCols[p]!;
      const bCols = b.columns[k]!;
      const bW = b.weights[k]!;
      for (let q = 0; q < bCols.length; q++) {
        const j = bCols[q]!;
        if (!seen[j]) {
          seen[j] = 1;
          touched.push(j);
        }
        accumulator[j] += aW[p]! * bW[q]!;
      }
    }
    touched.sort((x, y) => x - y);
    columns.push(Int32Array.from(touched));
    weights.push(Float64Array.from(touched, (j) => accumulator[j]!));
    for (const j of touched) {
      accumulator[j] = 0;
      seen[j] = 0;
    }
  }
  return { n, columns, weights };
}

/** S^layers for layers ≥ 1 (message passing over `layers` hops). */
export function sparsePower(s: SparseRows, layers: number): SparseRows {
  if (!Number.isInteger(layers) || layers < 1) throw new Error(`propagation layers must be an integer ≥ 1, got ${layers}`);
  let result = s;
  for (let l = 1; l < layers; l++) result = multiplySparse(s, result);
  return result;
}

/** Column sums weighted by row: c_j = Σ_i w_i · M_ij. */
export function weightedColumnSums(m: SparseRows, rowWeights: Float64Array): Float64Array {
  const c = new Float64Array(m.n);
  for (let i = 0; i < m.n; i++) {
    const w = rowWeights[i]!;
    if (w === 0) continue;
    const cols = m.columns[i]!;
    const ws = m.weights[i]!;
    for (let p = 0; p < cols.length; p++) c[cols[p]!] += w * ws[p]!;
  }
  return c;
}
