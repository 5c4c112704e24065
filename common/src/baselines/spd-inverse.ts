/**
 * Inverse of a symmetric positive definite matrix through its Cholesky factor (Golub & Van Loan,
 * Matrix Computations, §4.2), all in Float64:
 *   A = L·Lᵀ:  L_jj = √(A_jj − Σ_{k<j} L_jk²),  L_ij = (A_ij − Σ_{k<j} L_ik·L_jk) / L_jj   (i > j)
 *   M = L⁻¹:   M_ii = 1 / L_ii,  M_ij = −(1 / L_ii)·Σ_{j≤k<i} L_ik·M_kj                   (i > j)
 *   A⁻¹ = (L·Lᵀ)⁻¹ = Mᵀ·M:  (A⁻¹)_ij = Σ_{k ≥ max(i, j)} M_ki·M_kj
 * About n³/2 multiply-adds, every inner loop over a contiguous row. Reads only the lower triangle
 * of `a` (row-major n × n) and never mutates it. Throws when a pivot is not positive.
 */

export function spdInverse(a: Float64Array, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n) {
    throw new RangeError(`spdInverse: expected ${n} × ${n} = ${n * n} entries, got ${a.length}`);
  }
  const inverse = triangularInverse(choleskyFactor(a, n), n);
  return gramOfRows(inverse, n);
}

/** The lower-triangular L with A = L·Lᵀ (row-major; the upper triangle is 0). */
export function choleskyFactor(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      if (j < i) {
        l[ri + j] = s / l[rj + j]!;
      } else if (s > 0) {
        l[ri + i] = Math.sqrt(s);
      } else {
        throw new RangeError(`spdInverse: the matrix is not positive definite (pivot ${i} is ${s})`);
      }
    }
  }
  return l;
}

/** M = L⁻¹ of a lower-triangular L with a positive diagonal, built row by row. */
function triangularInverse(l: Float64Array, n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const c = l[ri + k]!;
      if (c === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) m[ri + j] -= c * m[rk + j]!;
    }
    const pivot = 1 / l[ri + i]!;
    for (let j = 0; j < i; j++) m[ri + j] *= pivot;
    m[ri + i] = pivot;
  }
  return m;
}

/** Mᵀ·M of a lower-triangular M, as a sum of the outer products of its rows; returned symmetric. */
function gramOfRows(m: Float64Array, n: number): Float64Array {
  const p = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const c = m[rk + i]!;
      if (c === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) p[ri + j] += c * m[rk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) p[j * n + i] = p[i * n + j]!;
  return p;
}
