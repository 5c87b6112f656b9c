// Fused AntisymmetricRNN kernels, plain and gated (cells/antisymmetric.ts): Euler steps with K = W_h − W_hᵀ − γI.
import type { Config } from '../../api/params.ts';
import { unitsOf } from '../cell.ts';
import type { FusedKernel, FusedShape } from './kernel.ts';
import { Buffers, closureTape, flush, runBackward, timeChunks } from './buffers.ts';
import {
  addFeatureGrad,
  addRecurrentGrad,
  bytes,
  checkFeatureGrad,
  chunkFeatures,
  chunkFeaturesFloats,
  chunksBackward,
  fromF64,
  input,
  num,
  project,
  projectBackward,
  sigmoid,
} from './common.ts';

/**
 * plain: h′ = h + ε tanh(h Kᵀ + x V_hᵀ + b_h);  gated: h′ = h + ε σ(h Kᵀ + x V_zᵀ + b_z) ⊙ tanh(h Kᵀ + x V_hᵀ + b_h),
 * with K the cell's derived.K. Forward: the input terms of every step in one GEMM each (all rows of a chunk of
 * steps); per step the one product h Kᵀ, shared by both pre-activations. The tape keeps the states, tanh and the
 * gate of every step.
 * Backward, with g = ∂L/∂h′: ∂S_h = ε g z (1 − tanh²), ∂S_z = ε g tanh z(1 − z) (plain: z = 1, no ∂S_z),
 * ∂(hKᵀ) = ∂S_h + ∂S_z, ∂h = g + ∂(hKᵀ) K; then ∂K = Σ ∂(hKᵀ)ᵀ h, ∂V = ∂Sᵀ X, ∂b = Σ ∂S, ∂X = Σ ∂S V, one GEMM
 * each over all rows of a chunk. Chunks: all T steps as one unless shape.chunk asks for checkpointing; then only
 * each chunk's first state is kept and the backward recomputes the chunk before running back through it.
 */
function makeAntisymmetricKernel(gated: boolean): FusedKernel {
  const cell = gated ? 'antisymmetric-gated' : 'antisymmetric';
  return {
    cell,
    inputs: () => (gated ? ['derived.K', 'V_h', 'b_h', 'V_z', 'b_z'] : ['derived.K', 'V_h', 'b_h']),
    tapeBytes(shape: FusedShape, config: Config) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const BN = B * N;
      const { C } = timeChunks(shape);
      const paths = gated ? 2 : 1;
      const weights = N * N + paths * (N * D + N);
      // x, a chunk's states, tanh (and gate), chunk starts, features, h Kᵀ; backward: a chunk's ∂(hKᵀ) when gated
      // (∂S_h, ∂S_z are written over tanh and the gate), g, dx, weight gradients.
      const forward = T * B * D + chunkFeaturesFloats(shape, BN) + paths * C * BN + BN;
      return bytes(forward + (gated ? C * BN : 0) + BN + T * B * D + 3 * weights);
    },
    forward(gemm, shape, xIn, w, config) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const BN = B * N;
      const { C } = timeChunks(shape);
      const eps = num(config, 'eps');
      const buf = new Buffers(gemm);
      const x = buf.copy(xIn);
      const K = input(buf, w, 'derived.K', N * N);
      const Vh = input(buf, w, 'V_h', N * D);
      const bh = input(buf, w, 'b_h', N);
      const Vz = gated ? input(buf, w, 'V_z', N * D) : null;
      const bz = gated ? input(buf, w, 'b_z', N) : null;
      // A chunk's states [(C+1), B, N] (block 0: the state before it); the input terms of its steps [C, B, N],
      // replaced step by step by tanh(S_h) and σ(S_z).
      const H = buf.take((C + 1) * BN);
      const TH = buf.take(C * BN);
      const Z = gated ? buf.take(C * BN) : null;
      const KH = buf.take(BN);

      const runChunk = (t0: number, c: number) => {
        const xc = x.subarray(t0 * B * D);
        project(gemm, c * B, N, D, xc, Vh, true, bh, TH);
        if (Z) project(gemm, c * B, N, D, xc, Vz!, true, bz, Z);
        for (let t = 0; t < c; t++) {
          const o = t * BN;
          // h_0 = 0: no product at the sequence's first step.
          const product = t0 + t > 0;
          if (product) gemm.gemm(false, true, B, N, N, H.subarray(o, o + BN), K, 0, KH);
          for (let i = 0; i < BN; i++) {
            const kh = product ? KH[i]! : 0;
            const th = Math.tanh(TH[o + i]! + kh);
            TH[o + i] = th;
            let upd = th;
            if (Z) {
              const z = sigmoid(Z[o + i]! + kh);
              Z[o + i] = z;
              upd = z * th;
            }
            H[o + BN + i] = H[o + i]! + eps * upd;
          }
        }
      };
      const { features, starts } = chunkFeatures(buf, shape, BN, H, runChunk);

      const backward = (dF: Float32Array) => {
        checkFeatureGrad(dF, shape, N);
        const g = buf.take(BN);
        // ∂S_h and ∂S_z written over tanh and the gate (each entry read just before).
        const dSh = TH;
        const dSz = Z;
        const dKH = Z ? buf.take(C * BN) : dSh;
        const dK = buf.take(N * N);
        const dVh = buf.take(N * D);
        const dVz = Z ? buf.take(N * D) : null;
        const dbh = new Float64Array(N);
        const dbz = new Float64Array(N);
        const dx = buf.take(T * B * D);
        chunksBackward(shape, BN, H, starts, runChunk, (t0, c) => {
          for (let t = c - 1; t >= 0; t--) {
            addFeatureGrad(g, dF, shape, t0 + t, N);
            const o = t * BN;
            for (let i = 0; i < BN; i++) {
              const du = eps * g[i]!;
              const th = TH[o + i]!;
              if (Z) {
                const z = Z[o + i]!;
                const sh = flush(du * z * (1 - th * th));
                const sz = flush(du * th * z * (1 - z));
                dSh[o + i] = sh;
                dSz![o + i] = sz;
                dKH[o + i] = sh + sz;
              } else dSh[o + i] = flush(du * (1 - th * th));
              g[i] = flush(g[i]!);
            }
            if (t0 + t > 0) gemm.gemm(false, false, B, N, N, dKH.subarray(o, o + BN), K, 1, g);
          }
          const rows = c * B;
          const xc = x.subarray(t0 * B * D);
          const dxc = dx.subarray(t0 * B * D, (t0 + c) * B * D);
          addRecurrentGrad(gemm, t0, c, B, dKH, N, H, N, dK);
          projectBackward(gemm, rows, N, D, xc, Vh, true, dSh, dVh, dbh, dxc);
          if (dSz) projectBackward(gemm, rows, N, D, xc, Vz!, true, dSz, dVz!, dbz, dxc, true);
        });
        const dw: Record<string, Float32Array> = { 'derived.K': dK, V_h: dVh, b_h: fromF64(buf, dbh) };
        if (dVz) {
          dw['V_z'] = dVz;
          dw['b_z'] = fromF64(buf, dbz);
        }
        return { dx, dw };
      };
      return { features, tape: closureTape(cell, buf, backward) };
    },
    backward: (tape, dFeatures) => runBackward(tape, cell, dFeatures),
  };
}

export const antisymmetricKernel: FusedKernel = makeAntisymmetricKernel(false);
export const antisymmetricGatedKernel: FusedKernel = makeAntisymmetricKernel(true);
