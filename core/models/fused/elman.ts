// Fused Elman kernels (rnn-tanh, irnn): h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) over a whole sequence, with BPTT.
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
  inputSum,
  project,
  projectBackward,
} from './common.ts';

/**
 * The cells/elman.ts step (torch.nn.RNNCell) for a whole sequence. Forward: P = X W_ihᵀ + b_ih + b_hh for all
 * rows of a chunk of steps in one GEMM, then per step a_t = P_t + h_{t−1} W_hhᵀ (one [B, N]·[N, N] GEMM),
 * h_t = φ(a_t). The tape keeps the states (φ′ is a function of h: tanh′ = 1 − h², ReLU′ = [h > 0]).
 * Backward, with g_t = ∂L/∂h_t: δ_t = g_t ⊙ φ′, g_{t−1} = δ_t W_hh (+ the readout's part); then
 * ∂W_ih = Δᵀ X, ∂W_hh = Δᵀ H_prev, ∂b_ih = ∂b_hh = Σ δ, ∂X = Δ W_ih, one GEMM each over all rows of a chunk.
 * With shape.chunk only each chunk's first state is kept, and the backward recomputes the chunk (the same
 * arithmetic, so the same bits) before running back through it.
 */
function elmanKernel(cell: string, relu: boolean): FusedKernel {
  return {
    cell,
    inputs: () => ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'],
    tapeBytes(shape: FusedShape, config: Config) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const { C } = timeChunks(shape);
      const weights = N * D + N * N + 2 * N;
      // x, a chunk's states, chunk starts, features; backward: δ of a chunk, g, dx, weight gradients.
      const forward = T * B * D + chunkFeaturesFloats(shape, B * N);
      return bytes(forward + C * B * N + B * N + T * B * D + 3 * weights);
    },
    forward(gemm, shape, xIn, w, config) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const BN = B * N;
      const { C } = timeChunks(shape);
      const buf = new Buffers(gemm);
      const x = buf.copy(xIn);
      const Wih = input(buf, w, 'weight_ih', N * D);
      const Whh = input(buf, w, 'weight_hh', N * N);
      const bias = inputSum(buf, w, 'bias_ih', 'bias_hh', N);
      /** A chunk's states [(C+1), B, N]: block 0 the state before the chunk. */
      const H = buf.take((C + 1) * BN);

      /** Steps t0 .. t0+c−1 from the state in block 0 of H. */
      const runChunk = (t0: number, c: number) => {
        // Pre-activations of every step of the chunk, written into the state blocks and made states in place.
        project(gemm, c * B, N, D, x.subarray(t0 * B * D), Wih, true, bias, H.subarray(BN));
        for (let j = 0; j < c; j++) {
          const a = H.subarray((j + 1) * BN, (j + 2) * BN);
          // h_0 = 0: no product at the sequence's first step.
          if (t0 + j > 0) gemm.gemm(false, true, B, N, N, H.subarray(j * BN, (j + 1) * BN), Whh, 1, a);
          if (relu) for (let i = 0; i < BN; i++) a[i] = a[i]! > 0 ? a[i]! : 0;
          else for (let i = 0; i < BN; i++) a[i] = Math.tanh(a[i]!);
        }
      };
      const { features, starts } = chunkFeatures(buf, shape, BN, H, runChunk);

      const backward = (dF: Float32Array) => {
        checkFeatureGrad(dF, shape, N);
        const g = buf.take(BN);
        const delta = buf.take(C * BN);
        const dWih = buf.take(N * D);
        const dWhh = buf.take(N * N);
        const db = new Float64Array(N);
        const dx = buf.take(T * B * D);
        chunksBackward(shape, BN, H, starts, runChunk, (t0, c) => {
          for (let j = c - 1; j >= 0; j--) {
            addFeatureGrad(g, dF, shape, t0 + j, N);
            const h = H.subarray((j + 1) * BN, (j + 2) * BN);
            const d = delta.subarray(j * BN, (j + 1) * BN);
            if (relu) for (let i = 0; i < BN; i++) d[i] = h[i]! > 0 ? flush(g[i]!) : 0;
            else for (let i = 0; i < BN; i++) d[i] = flush(g[i]! * (1 - h[i]! * h[i]!));
            if (t0 + j > 0) gemm.gemm(false, false, B, N, N, d, Whh, 0, g);
          }
          addRecurrentGrad(gemm, t0, c, B, delta, N, H, N, dWhh);
          const dxc = dx.subarray(t0 * B * D, (t0 + c) * B * D);
          projectBackward(gemm, c * B, N, D, x.subarray(t0 * B * D), Wih, true, delta, dWih, db, dxc);
        });
        return {
          dx,
          dw: { weight_ih: dWih, weight_hh: dWhh, bias_ih: fromF64(buf, db), bias_hh: fromF64(buf, db) },
        };
      };
      return { features, tape: closureTape(cell, buf, backward) };
    },
    backward: (tape, dFeatures) => runBackward(tape, cell, dFeatures),
  };
}

export const rnnTanhKernel: FusedKernel = elmanKernel('rnn-tanh', false);
export const irnnKernel: FusedKernel = elmanKernel('irnn', true);
