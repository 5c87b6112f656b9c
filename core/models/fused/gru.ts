// Fused GRU kernel (torch.nn.GRUCell semantics, cells/gru.ts): forward over the whole sequence and BPTT.
import type { Config } from '../../api/params.ts';
import { unitsOf } from '../cell.ts';
import type { FusedKernel, FusedShape } from './kernel.ts';
import { Buffers, addColumnSums, closureTape, flush, runBackward, timeChunks } from './buffers.ts';
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
  project,
  projectBackward,
  sigmoid,
} from './common.ts';

/**
 * Forward: G_i = X W_ihᵀ + b_ih for all rows of a chunk of steps in one GEMM; per step G_h = h W_hhᵀ + b_hh
 * (one GEMM), r = σ(i_r + h_r), z = σ(i_z + h_z), n = tanh(i_n + r ⊙ h_n), h′ = n + z ⊙ (h − n). The tape keeps
 * the states and r, z, n, h_n of every step ([B, N] each).
 * Backward, with g = ∂L/∂h′: ∂aₙ = g(1 − z)(1 − n²), ∂a_r = ∂aₙ h_n r(1 − r), ∂a_z = g(h − n) z(1 − z);
 * ∂G_i = [∂a_r, ∂a_z, ∂aₙ], ∂G_h = [∂a_r, ∂a_z, ∂aₙ ⊙ r]; ∂h = g z + ∂G_h W_hh. Then ∂W_ih = ∂G_iᵀ X,
 * ∂W_hh = ∂G_hᵀ H_prev, ∂b = Σ rows, ∂X = ∂G_i W_ih: one GEMM each over all rows of a chunk of steps (all T
 * steps unless shape.chunk asks for checkpointing: then only each chunk's first state is kept and the backward
 * recomputes the chunk, the same arithmetic, before running back through it).
 */
export const gruKernel: FusedKernel = {
  cell: 'gru',
  inputs: () => ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'],
  tapeBytes(shape: FusedShape, config: Config) {
    const { T, B, D } = shape;
    const N = unitsOf(config);
    const { C } = timeChunks(shape);
    const BN = B * N;
    const weights = 3 * N * (D + N + 2);
    // x, a chunk's states, r/z/n/h_n and G_i, G_h, chunk starts, features; backward: a chunk's ∂G_h (∂G_i is
    // written over G_i), g, dx, weight gradients.
    const forward = T * B * D + chunkFeaturesFloats(shape, BN) + 7 * C * BN + 3 * BN;
    return bytes(forward + 3 * C * BN + BN + T * B * D + 3 * weights);
  },
  forward(gemm, shape, xIn, w, config) {
    const { T, B, D } = shape;
    const N = unitsOf(config);
    const N3 = 3 * N;
    const BN = B * N;
    const { C } = timeChunks(shape);
    const buf = new Buffers(gemm);
    const x = buf.copy(xIn);
    const Wih = input(buf, w, 'weight_ih', N3 * D);
    const Whh = input(buf, w, 'weight_hh', N3 * N);
    const bih = input(buf, w, 'bias_ih', N3);
    const bhh = input(buf, w, 'bias_hh', N3);
    // A chunk's states [(C+1), B, N] (block 0: the state before it) and r, z, n, h_n of its steps [C, B, N].
    const H = buf.take((C + 1) * BN);
    const R = buf.take(C * BN);
    const Z = buf.take(C * BN);
    const Cn = buf.take(C * BN);
    const HN = buf.take(C * BN);
    const GI = buf.take(C * B * N3);
    const GH = buf.take(B * N3);

    const runChunk = (t0: number, c: number) => {
      project(gemm, c * B, N3, D, x.subarray(t0 * B * D), Wih, true, bih, GI);
      for (let t = 0; t < c; t++) {
        // h_0 = 0: the sequence's first hidden product is the bias alone.
        project(gemm, B, N3, t0 + t > 0 ? N : 0, H.subarray(t * BN, (t + 1) * BN), Whh, true, bhh, GH);
        for (let b = 0; b < B; b++) {
          const gi = (t * B + b) * N3;
          const gh = b * N3;
          const o = t * BN + b * N;
          for (let j = 0; j < N; j++) {
            const r = sigmoid(GI[gi + j]! + GH[gh + j]!);
            const z = sigmoid(GI[gi + N + j]! + GH[gh + N + j]!);
            const hn = GH[gh + 2 * N + j]!;
            const n = Math.tanh(GI[gi + 2 * N + j]! + r * hn);
            R[o + j] = r;
            Z[o + j] = z;
            Cn[o + j] = n;
            HN[o + j] = hn;
            H[o + BN + j] = n + z * (H[o + j]! - n);
          }
        }
      }
    };
    const { features, starts } = chunkFeatures(buf, shape, BN, H, runChunk);

    const backward = (dF: Float32Array) => {
      checkFeatureGrad(dF, shape, N);
      const g = buf.take(BN);
      // ∂G_i written over G_i (a chunk's G_i is spent once its states are computed).
      const dGI = GI;
      const dGH = buf.take(C * B * N3);
      const dWih = buf.take(N3 * D);
      const dWhh = buf.take(N3 * N);
      const dbih = new Float64Array(N3);
      const dbhh = new Float64Array(N3);
      const dx = buf.take(T * B * D);
      chunksBackward(shape, BN, H, starts, runChunk, (t0, c) => {
        for (let t = c - 1; t >= 0; t--) {
          addFeatureGrad(g, dF, shape, t0 + t, N);
          for (let b = 0; b < B; b++) {
            const o = t * BN + b * N;
            const gi = (t * B + b) * N3;
            for (let j = 0; j < N; j++) {
              const gj = g[b * N + j]!;
              const r = R[o + j]!;
              const z = Z[o + j]!;
              const n = Cn[o + j]!;
              const dan = gj * (1 - z) * (1 - n * n);
              const dar = flush(dan * HN[o + j]! * r * (1 - r));
              const daz = flush(gj * (H[o + j]! - n) * z * (1 - z));
              dGI[gi + j] = dGH[gi + j] = dar;
              dGI[gi + N + j] = dGH[gi + N + j] = daz;
              dGI[gi + 2 * N + j] = flush(dan);
              dGH[gi + 2 * N + j] = flush(dan * r);
              g[b * N + j] = flush(gj * z);
            }
          }
          if (t0 + t > 0)
            gemm.gemm(false, false, B, N, N3, dGH.subarray(t * B * N3, (t + 1) * B * N3), Whh, 1, g);
        }
        const rows = c * B;
        addRecurrentGrad(gemm, t0, c, B, dGH, N3, H, N, dWhh);
        addColumnSums(dGH, rows, N3, dbhh);
        const dxc = dx.subarray(t0 * B * D, (t0 + c) * B * D);
        projectBackward(gemm, rows, N3, D, x.subarray(t0 * B * D), Wih, true, dGI, dWih, dbih, dxc);
      });
      return {
        dx,
        dw: { weight_ih: dWih, weight_hh: dWhh, bias_ih: fromF64(buf, dbih), bias_hh: fromF64(buf, dbhh) },
      };
    };
    return { features, tape: closureTape('gru', buf, backward) };
  },
  backward: (tape, dFeatures) => runBackward(tape, 'gru', dFeatures),
};
