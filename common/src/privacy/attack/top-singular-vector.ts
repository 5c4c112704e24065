/**
 * The top right singular vector of a row-major matrix M (rows × cols): the unit v maximising
 * ‖M·v‖, found by power iteration on MᵀM (applied as Mᵀ(M·v), never formed), started from M's
 * longest row so the result is deterministic. Its sign is arbitrary. null when M is zero.
 * The attacks use it twice: to read the profile direction out of a θ_user change (rank one) and
 * the common direction of a client's item-row changes.
 */
export function topRightSingularVector(matrix: Float32Array, rows: number, cols: number, iterations = 40): Float64Array | null {
  if (matrix.length !== rows * cols) throw new Error(`matrix has ${matrix.length} values, expected ${rows} × ${cols}`);
  let start = -1;
  let longest = 0;
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += matrix[r * cols + c]! ** 2;
    if (norm > longest) [start, longest] = [r, norm];
  }
  if (start < 0) return null;
  let v = Float64Array.from(matrix.subarray(start * cols, (start + 1) * cols));
  normalise(v);
  const mv = new Float64Array(rows);
  for (let t = 0; t < iterations; t++) {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += matrix[r * cols + c]! * v[c]!;
      mv[r] = s;
    }
    const next = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const w = mv[r]!;
      if (w !== 0) for (let c = 0; c < cols; c++) next[c] += w * matrix[r * cols + c]!;
    }
    if (!normalise(next)) return v;
    v = next;
  }
  return v;
}

/** Scales `v` to unit length in place; false when it is zero. */
function normalise(v: Float64Array): boolean {
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm === 0) return false;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i]! *= scale;
  return true;
}

/** |cos(a, b)|: the recovered direction's sign is arbitrary. 0 when either vector is zero. */
export function absoluteCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`vectors of lengths ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? Math.abs(dot) / Math.sqrt(na * nb) : 0;
}
