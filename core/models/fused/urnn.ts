// Fused uRNN kernel (cells/urnn.ts): the unitary factor chain folded into one real 2n×2n matrix per sequence.
import type { Config } from '../../api/params.ts';
import type { Gemm } from '../../engine/kernels/gemm.ts';
import { unitsOf } from '../cell.ts';
import { urnnPermutation } from '../cells/urnn.ts';
import type { FusedKernel, FusedShape } from './kernel.ts';
import { Buffers, closureTape, flush, runBackward, timeChunks } from './buffers.ts';
import {
  addFeatureGrad,
  bytes,
  checkFeatureGrad,
  chunkFeatures,
  chunkFeaturesFloats,
  chunksBackward,
  fromF64,
  input,
  num,
  projectBackward,
} from './common.ts';

/**
 * The DFT of cells/urnn.ts as one real matrix on rows [Re | Im]: F(a + ib) = (aC + bS) + i(bC − aS) is
 * [a | b] · Fm with Fm = [[C, −S], [S, C]] (C_jk = cos(2πjk/n)/√n, S_jk = sin(2πjk/n)/√n, both symmetric), and
 * F⁻¹ is [a | b] · Fmᵀ. The last size's matrix is kept (4n² floats), as the cell keeps its C and S.
 */
let dftCache: { n: number; Fm: Float32Array } | null = null;

function dftMatrix(n: number): Float32Array {
  if (dftCache?.n === n) return dftCache.Fm;
  const n2 = 2 * n;
  const Fm = new Float32Array(n2 * n2);
  const norm = 1 / Math.sqrt(n);
  for (let j = 0; j < n; j++)
    for (let k = 0; k < n; k++) {
      // (j·k mod n) keeps the angle in [0, 2π), as the cell computes it.
      const phi = (2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.fround(Math.cos(phi) * norm);
      const s = Math.fround(Math.sin(phi) * norm);
      Fm[j * n2 + k] = c;
      Fm[j * n2 + n + k] = -s;
      Fm[(n + j) * n2 + k] = s;
      Fm[(n + j) * n2 + n + k] = c;
    }
  dftCache = { n, Fm };
  return Fm;
}

/** Rows [K, 2n] of [Re | Im] times the phases e^{iθ} (θ = row r of theta [3, n]), in place. */
function timesDiag(
  X: Float32Array,
  K: number,
  n: number,
  cos: Float64Array,
  sin: Float64Array,
  r: number,
): void {
  for (let k = 0; k < K; k++) {
    const o = k * 2 * n;
    for (let j = 0; j < n; j++) {
      const a = X[o + j]!;
      const b = X[o + n + j]!;
      const c = cos[r * n + j]!;
      const s = sin[r * n + j]!;
      X[o + j] = a * c - b * s;
      X[o + n + j] = a * s + b * c;
    }
  }
}

/**
 * Backward of timesDiag given its output Y and the output gradient G (rows [K, 2n]): G becomes the input
 * gradient in place, and dθ[r] += Σ_rows (g_b Re y − g_a Im y) (∂y/∂θ = i·y).
 */
function timesDiagBack(
  Y: Float32Array,
  G: Float32Array,
  K: number,
  n: number,
  cos: Float64Array,
  sin: Float64Array,
  r: number,
  dTheta: Float64Array,
): void {
  for (let k = 0; k < K; k++) {
    const o = k * 2 * n;
    for (let j = 0; j < n; j++) {
      const ga = G[o + j]!;
      const gb = G[o + n + j]!;
      const c = cos[r * n + j]!;
      const s = sin[r * n + j]!;
      dTheta[r * n + j]! += gb * Y[o + j]! - ga * Y[o + n + j]!;
      G[o + j] = ga * c + gb * s;
      G[o + n + j] = gb * c - ga * s;
    }
  }
}

/** The reflection vector v_r = reflection[r] = [Re v | Im v] and 2/‖v‖². */
function reflector(refl: Float32Array, n: number, r: number): { v: Float32Array; scale: number } {
  const v = refl.subarray(r * 2 * n, (r + 1) * 2 * n);
  let q = 0;
  for (let j = 0; j < 2 * n; j++) q += v[j]! * v[j]!;
  return { v, scale: 2 / q };
}

/**
 * h − 2 v̄ (vᵀh)/‖v‖² on rows [K, 2n] (cells/urnn.ts timesReflection): with s = scale·vᵀh per row,
 * Re: a − (s_re vr + s_im vi), Im: b − (s_im vr − s_re vi). From X into Y.
 */
function reflect(
  X: Float32Array,
  Y: Float32Array,
  K: number,
  n: number,
  refl: Float32Array,
  r: number,
): void {
  const { v, scale } = reflector(refl, n, r);
  for (let k = 0; k < K; k++) {
    const o = k * 2 * n;
    let pRe = 0;
    let pIm = 0;
    for (let j = 0; j < n; j++) {
      const a = X[o + j]!;
      const b = X[o + n + j]!;
      pRe += a * v[j]! - b * v[n + j]!;
      pIm += a * v[n + j]! + b * v[j]!;
    }
    const sRe = scale * pRe;
    const sIm = scale * pIm;
    for (let j = 0; j < n; j++) {
      const vr = v[j]!;
      const vi = v[n + j]!;
      Y[o + j] = X[o + j]! - (sRe * vr + sIm * vi);
      Y[o + n + j] = X[o + n + j]! - (sIm * vr - sRe * vi);
    }
  }
}

/**
 * Backward of reflect given its input X and output gradient G: G becomes the input gradient in place, and
 * ∂reflection[r] is accumulated into dRefl [2, 2n] (through v directly, through vᵀh and through 2/‖v‖²).
 */
function reflectBack(
  X: Float32Array,
  G: Float32Array,
  K: number,
  n: number,
  refl: Float32Array,
  r: number,
  dRefl: Float64Array,
): void {
  const { v, scale } = reflector(refl, n, r);
  const dv = dRefl.subarray(r * 2 * n, (r + 1) * 2 * n);
  let dScale = 0;
  for (let k = 0; k < K; k++) {
    const o = k * 2 * n;
    let pRe = 0;
    let pIm = 0;
    let dsRe = 0;
    let dsIm = 0;
    for (let j = 0; j < n; j++) {
      const a = X[o + j]!;
      const b = X[o + n + j]!;
      const vr = v[j]!;
      const vi = v[n + j]!;
      const gRe = G[o + j]!;
      const gIm = G[o + n + j]!;
      pRe += a * vr - b * vi;
      pIm += a * vi + b * vr;
      dsRe += -gRe * vr + gIm * vi;
      dsIm += -gRe * vi - gIm * vr;
    }
    const sRe = scale * pRe;
    const sIm = scale * pIm;
    dScale += dsRe * pRe + dsIm * pIm;
    const dpRe = scale * dsRe;
    const dpIm = scale * dsIm;
    for (let j = 0; j < n; j++) {
      const a = X[o + j]!;
      const b = X[o + n + j]!;
      const vr = v[j]!;
      const vi = v[n + j]!;
      const gRe = G[o + j]!;
      const gIm = G[o + n + j]!;
      dv[j]! += -gRe * sRe - gIm * sIm + dpRe * a + dpIm * b;
      dv[n + j]! += -gRe * sIm + gIm * sRe - dpRe * b + dpIm * a;
      G[o + j] = gRe + dpRe * vr + dpIm * vi;
      G[o + n + j] = gIm - dpRe * vi + dpIm * vr;
    }
  }
  // scale = 2/q, q = ‖v‖²: ∂q = −(2/q²) ∂scale = −(scale²/2) ∂scale, ∂v += 2 v ∂q.
  const dq = -0.5 * scale * scale * dScale;
  for (let j = 0; j < 2 * n; j++) dv[j]! += 2 * v[j]! * dq;
}

/** (Πh)_j = h_{π(j)} on rows [K, 2n], from X into Y (Re and Im halves alike). */
function permute(X: Float32Array, Y: Float32Array, K: number, n: number, perm: Int32Array): void {
  for (let k = 0; k < K; k++) {
    const o = k * 2 * n;
    for (let j = 0; j < n; j++) {
      Y[o + j] = X[o + perm[j]!]!;
      Y[o + n + j] = X[o + n + perm[j]!]!;
    }
  }
}

/** The input gradient of permute: G_in[π(j)] = G_out[j], from G into Gin. */
function permuteBack(G: Float32Array, Gin: Float32Array, K: number, n: number, perm: Int32Array): void {
  for (let k = 0; k < K; k++) {
    const o = k * 2 * n;
    for (let j = 0; j < n; j++) {
      Gin[o + perm[j]!] = G[o + j]!;
      Gin[o + n + perm[j]!] = G[o + n + j]!;
    }
  }
}

/** The chain's saved rows: after D₁ (s1), after F (s2, R₁'s input), after D₂ (s5), after F⁻¹ (s6, R₂'s input). */
interface Chain {
  s1: Float32Array;
  s2: Float32Array;
  s5: Float32Array;
  s6: Float32Array;
  /** The result rows: M = W as a right factor on rows [Re h | Im h] (after D₃). */
  M: Float32Array;
}

/**
 * M [2n, 2n] with [Re h | Im h] · M = [Re Wh | Im Wh], W = D₃R₂F⁻¹D₂ΠR₁FD₁: the chain applied to the 2n identity
 * rows (F and F⁻¹ are GEMMs with Fm, the rest is O(n) per row).
 */
function buildChain(
  gemm: Gemm,
  buf: Buffers,
  n: number,
  Fm: Float32Array,
  cos: Float64Array,
  sin: Float64Array,
  refl: Float32Array,
  perm: Int32Array,
): Chain {
  const K = 2 * n;
  const s1 = buf.take(K * K);
  for (let k = 0; k < K; k++) s1[k * K + k] = 1;
  timesDiag(s1, K, n, cos, sin, 0); // D₁
  const s2 = buf.take(K * K);
  gemm.gemm(false, false, K, K, K, s1, Fm, 0, s2); // F
  const s3 = buf.take(K * K);
  reflect(s2, s3, K, n, refl, 0); // R₁
  const s5 = buf.take(K * K);
  permute(s3, s5, K, n, perm); // Π
  timesDiag(s5, K, n, cos, sin, 1); // D₂
  const s6 = buf.take(K * K);
  gemm.gemm(false, true, K, K, K, s5, Fm, 0, s6); // F⁻¹
  reflect(s6, s3, K, n, refl, 1); // R₂ (s3 reused)
  timesDiag(s3, K, n, cos, sin, 2); // D₃
  return { s1, s2, s5, s6, M: s3 };
}

/**
 * Forward: M (the unitary W as a real 2n×2n right factor on rows [Re | Im]) is built once per sequence from
 * theta and reflection; then z_t = h_{t−1} M + x_t V, with x V for all rows of a chunk of steps in one GEMM and one
 * [B, 2n]·[2n, 2n] GEMM per step (half the flops of the factor chain per step, which costs two n×n DFT products
 * per half), and h_t = modReLU(z_t) = z · ReLU(|z| + b)/(|z| + 1e−5) per complex unit; h_0 is learned.
 * Backward: modReLU's adjoint per unit, ∂h_{t−1} = ∂z_t Mᵀ; then ∂M = Σ_t h_{t−1}ᵀ ∂z_t (one GEMM over all rows
 * of a chunk), ∂V = Xᵀ ∂Z, ∂X = ∂Z Vᵀ, ∂h_0 = Σ_batch ∂h_0; and ∂M is carried back through the chain once (its
 * adjoint applied to the 2n rows of ∂M with the saved rows of the forward chain), giving ∂theta and ∂reflection.
 * Chunks: all T steps as one unless shape.chunk asks for checkpointing; then only each chunk's first state is
 * kept and the backward recomputes the chunk before running back through it.
 */
export const urnnKernel: FusedKernel = {
  cell: 'urnn',
  inputs: () => ['V', 'hidden_bias', 'reflection', 'theta', 'h_0'],
  tapeBytes(shape: FusedShape, config: Config) {
    const { T, B, D } = shape;
    const n = unitsOf(config);
    const F = 2 * n;
    const BF = B * F;
    const { C } = timeChunks(shape);
    const weights = D * F + n + 2 * F + 3 * n + F;
    // x, Fm and the chain's rows (6 × 4n²), a chunk's states and pre-activations, chunk starts, features;
    // backward (∂Z written over Z): g, ∂M, a chain temporary, dx, gradients.
    const forward = T * B * D + 6 * F * F + chunkFeaturesFloats(shape, BF) + C * BF;
    return bytes(forward + BF + 2 * F * F + T * B * D + 3 * weights);
  },
  forward(gemm, shape, xIn, w, config) {
    const { T, B, D } = shape;
    const n = unitsOf(config);
    const F = 2 * n;
    const BF = B * F;
    const { C } = timeChunks(shape);
    const buf = new Buffers(gemm);
    const x = buf.copy(xIn);
    const V = input(buf, w, 'V', D * F);
    const bias = input(buf, w, 'hidden_bias', n);
    const refl = input(buf, w, 'reflection', 2 * F);
    const theta = input(buf, w, 'theta', 3 * n);
    const h0 = input(buf, w, 'h_0', F);
    const perm = urnnPermutation(n, num(config, 'permSeed'));
    const Fm = buf.copy(dftMatrix(n));
    // cos/sin of θ rounded to float32, as the cell's tf.cos / tf.sin.
    const cos = new Float64Array(3 * n);
    const sin = new Float64Array(3 * n);
    for (let i = 0; i < 3 * n; i++) {
      cos[i] = Math.fround(Math.cos(theta[i]!));
      sin[i] = Math.fround(Math.sin(theta[i]!));
    }
    const chain = buildChain(gemm, buf, n, Fm, cos, sin, refl, perm);
    const M = chain.M;
    // A chunk's states [(C+1), B, 2n] (block 0: the state before it; h_0 tiled at first) and pre-activations.
    const H = buf.take((C + 1) * BF);
    for (let b = 0; b < B; b++) H.set(h0, b * F);
    const Z = buf.take(C * BF);

    const runChunk = (t0: number, c: number) => {
      gemm.gemm(false, false, c * B, F, D, x.subarray(t0 * B * D), V, 0, Z);
      for (let t = 0; t < c; t++) {
        const z = Z.subarray(t * BF, (t + 1) * BF);
        gemm.gemm(false, false, B, F, F, H.subarray(t * BF, (t + 1) * BF), M, 1, z);
        const out = (t + 1) * BF;
        for (let b = 0; b < B; b++)
          for (let j = 0; j < n; j++) {
            const ia = b * F + j;
            const ib = ia + n;
            const a = z[ia]!;
            const c2 = z[ib]!;
            const m = Math.sqrt(a * a + c2 * c2);
            const u = m + bias[j]!;
            const r = (u > 0 ? u : 0) / (m + 1e-5);
            H[out + ia] = a * r;
            H[out + ib] = c2 * r;
          }
      }
    };
    const { features, starts } = chunkFeatures(buf, shape, BF, H, runChunk);

    const backward = (dF: Float32Array) => {
      checkFeatureGrad(dF, shape, F);
      const g = buf.take(BF);
      // ∂Z written over Z (each pair read just before).
      const dZ = Z;
      const dM = buf.take(F * F);
      const dV = buf.take(D * F);
      const dx = buf.take(T * B * D);
      const dBias = new Float64Array(n);
      chunksBackward(shape, BF, H, starts, runChunk, (t0, c) => {
        for (let t = c - 1; t >= 0; t--) {
          addFeatureGrad(g, dF, shape, t0 + t, F);
          const o = t * BF;
          for (let b = 0; b < B; b++)
            for (let j = 0; j < n; j++) {
              const ia = b * F + j;
              const ib = ia + n;
              const a = Z[o + ia]!;
              const c2 = Z[o + ib]!;
              const ga = g[ia]!;
              const gc = g[ib]!;
              const m = Math.sqrt(a * a + c2 * c2);
              const u = m + bias[j]!;
              const q = m + 1e-5;
              const relu = u > 0 ? u : 0;
              const r = relu / q;
              // out = (a, c)·r, r = ReLU(u)/q, u = m + b, q = m + 1e−5, m = √(a² + c²).
              const dr = ga * a + gc * c2;
              const du = u > 0 ? dr / q : 0;
              const dm = du - (dr * relu) / (q * q);
              dBias[j]! += du;
              dZ[o + ia] = flush(ga * r + (dm * a) / m);
              dZ[o + ib] = flush(gc * r + (dm * c2) / m);
            }
          // h_0 is learned: the product runs at the first step too.
          gemm.gemm(false, true, B, F, F, dZ.subarray(o, o + BF), M, 0, g);
        }
        const rows = c * B;
        gemm.gemm(true, false, F, F, rows, H, dZ, 1, dM);
        const dxc = dx.subarray(t0 * B * D, (t0 + c) * B * D);
        projectBackward(gemm, rows, F, D, x.subarray(t0 * B * D), V, false, dZ, dV, null, dxc);
      });
      const dh0 = new Float64Array(F);
      for (let b = 0; b < B; b++) for (let j = 0; j < F; j++) dh0[j]! += g[b * F + j]!;
      // ∂M through the chain, last factor first; dM's rows become the gradients of each stage's rows in place.
      const dTheta = new Float64Array(3 * n);
      const dRefl = new Float64Array(2 * F);
      const K = F;
      timesDiagBack(M, dM, K, n, cos, sin, 2, dTheta); // D₃
      reflectBack(chain.s6, dM, K, n, refl, 1, dRefl); // R₂
      const g5 = buf.take(K * K);
      gemm.gemm(false, false, K, K, K, dM, Fm, 0, g5); // F⁻¹ = · Fmᵀ, adjoint · Fm
      timesDiagBack(chain.s5, g5, K, n, cos, sin, 1, dTheta); // D₂
      permuteBack(g5, dM, K, n, perm); // Π
      reflectBack(chain.s2, dM, K, n, refl, 0, dRefl); // R₁
      gemm.gemm(false, true, K, K, K, dM, Fm, 0, g5); // F = · Fm, adjoint · Fmᵀ
      timesDiagBack(chain.s1, g5, K, n, cos, sin, 0, dTheta); // D₁ (its input gradient is not needed)
      return {
        dx,
        dw: {
          V: dV,
          hidden_bias: fromF64(buf, dBias),
          reflection: fromF64(buf, dRefl),
          theta: fromF64(buf, dTheta),
          h_0: fromF64(buf, dh0),
        },
      };
    };
    return { features, tape: closureTape('urnn', buf, backward) };
  },
  backward: (tape, dFeatures) => runBackward(tape, 'urnn', dFeatures),
};
