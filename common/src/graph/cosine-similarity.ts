/**
 * Pairwise cosine similarity S_ij = <x_i, x_j> / (‖x_i‖ ‖x_j‖) (algorithm.md, server step 1) —
 * the true similarity, not the reference code's cosine distance 1 − cos.
 *
 * θ_user vectors of one federation share a large common part (every client starts from one
 * model), so their cosines lie within ≈ 1e-4 of 1 and a float32 Gram matrix of the unit rows
 * (error ≈ 1e-6 over 12,288 terms) reorders neighbours. The unit rows x_i are therefore split
 * around their mean m, x_i = m + r_i, and, exactly,
 *   <x_i, x_j> = <m, x_i> + <m, x_j> − ‖m‖² + <r_i, r_j>,
 * with the first three terms in float64 and only the small <r_i, r_j> left to the GramKernel: its
 * float32 error is relative to ‖r‖², not to 1. S is returned in float64 for the same reason.
 * The GramKernel is by default a register-blocked JS kernel (4 × 2 dot products per pass over a
 * column block, accumulated in float64; ≈ 2 GMAC/s here). Shells may inject a faster one (the
 * server uses XNNPACK through tfjs-wasm, ≈ 2× faster on 943 × 12,288).
 * A zero vector has no direction: its similarity is 0 to every other row and 1 to itself.
 */

/** X·Xᵀ of row-major X (n × dim), returned as a full row-major n × n matrix. */
export type GramKernel = (rows: Float32Array, n: number, dim: number) => Float32Array;

/** Symmetric n × n similarity matrix, row-major, of the given equal-length vectors. */
export function cosineSimilarityMatrix(vectors: readonly Float32Array[], gram: GramKernel = blockedGram): Float64Array {
  const n = vectors.length;
  if (n === 0) return new Float64Array(0);
  const dim = vectors[0]!.length;
  const { residuals, towardsMean, meanSquared, zero } = centredUnitRows(vectors);
  const residualGram = gram(residuals, n, dim);
  const similarity = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      similarity[i * n + j] =
        i === j ? 1 : zero[i] || zero[j] ? 0 : towardsMean[i]! + towardsMean[j]! - meanSquared + residualGram[i * n + j]!;
    }
  }
  return similarity;
}

/** r_i = x_i − m (row-major float32), <m, x_i> and ‖m‖² in float64; x_i the unit rows, m their mean. */
function centredUnitRows(vectors: readonly Float32Array[]): {
  residuals: Float32Array;
  towardsMean: Float64Array;
  meanSquared: number;
  zero: Uint8Array;
} {
  const n = vectors.length;
  const dim = vectors[0]?.length ?? 0;
  const scale = new Float64Array(n);
  const zero = new Uint8Array(n);
  const mean = new Float64Array(dim);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new Error(`vector ${i} has length ${v.length}, expected ${dim}`);
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += v[k]! * v[k]!;
    scale[i] = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    zero[i] = norm > 0 ? 0 : 1;
    for (let k = 0; k < dim; k++) mean[k] += (v[k]! * scale[i]!) / n;
  });
  let meanSquared = 0;
  for (let k = 0; k < dim; k++) meanSquared += mean[k]! * mean[k]!;
  const residuals = new Float32Array(n * dim);
  const towardsMean = new Float64Array(n);
  vectors.forEach((v, i) => {
    let along = 0;
    for (let k = 0; k < dim; k++) {
      const x = v[k]! * scale[i]!;
      along += mean[k]! * x;
      residuals[i * dim + k] = x - mean[k]!;
    }
    towardsMean[i] = along;
  });
  return { residuals, towardsMean, meanSquared, zero };
}

const COLUMN_BLOCK = 1024;

/** The default GramKernel: the upper triangle of X·Xᵀ, mirrored to the lower one. */
export function blockedGram(x: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float64Array(n * n);
  for (let c0 = 0; c0 < dim; c0 += COLUMN_BLOCK) {
    const c1 = Math.min(dim, c0 + COLUMN_BLOCK);
    for (let i = 0; i < n; i += 4) {
      const rows = Math.min(4, n - i);
      for (let j = i; j < n; j += 2) {
        if (rows === 4 && j + 1 < n) dot4x2(x, dim, i, j, c0, c1, out, n);
        else
          for (let a = i; a < i + rows; a++)
            for (let b = j; b < Math.min(j + 2, n); b++) {
              if (b >= a) out[a * n + b] += dot(x, a * dim, b * dim, c0, c1);
            }
      }
    }
  }
  const result = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = out[i * n + j]!;
      result[i * n + j] = v;
      result[j * n + i] = v;
    }
  }
  return result;
}

function dot(x: Float32Array, a: number, b: number, c0: number, c1: number): number {
  let s = 0;
  for (let k = c0; k < c1; k++) s += x[a + k]! * x[b + k]!;
  return s;
}

/** The 4 × 2 block of dot products rows i..i+3 × rows j..j+1 over columns [c0, c1). */
function dot4x2(x: Float32Array, dim: number, i: number, j: number, c0: number, c1: number, out: Float64Array, n: number): void {
  const a0 = i * dim,
    a1 = a0 + dim,
    a2 = a1 + dim,
    a3 = a2 + dim;
  const b0 = j * dim,
    b1 = b0 + dim;
  let s00 = 0,
    s01 = 0,
    s10 = 0,
    s11 = 0,
    s20 = 0,
    s21 = 0,
    s30 = 0,
    s31 = 0;
  for (let k = c0; k < c1; k++) {
    const y0 = x[b0 + k]!,
      y1 = x[b1 + k]!;
    const x0 = x[a0 + k]!,
      x1 = x[a1 + k]!,
      x2 = x[a2 + k]!,
      x3 = x[a3 + k]!;
    s00 += x0 * y0;
    s01 += x0 * y1;
    s10 += x1 * y0;
    s11 += x1 * y1;
    s20 += x2 * y0;
    s21 += x2 * y1;
    s30 += x3 * y0;
    s31 += x3 * y1;
  }
  // Only the upper triangle (column ≥ row) is kept; the mirror fills the rest.
  const add = (r: number, c: number, v: number): void => {
    if (c >= r) out[r * n + c] += v;
  };
  add(i, j, s00);
  add(i, j + 1, s01);
  add(i + 1, j, s10);
  add(i + 1, j + 1, s11);
  add(i + 2, j, s20);
  add(i + 2, j + 1, s21);
  add(i + 3, j, s30);
  add(i + 3, j + 1, s31);
}
