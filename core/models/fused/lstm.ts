// LSTM fused kernel: the whole sequence forward and its analytic BPTT on Float32Arrays (equals cells/lstm.ts).
import type { Config } from '../../api/params.ts';
import type { Gemm } from '../../engine/kernels/gemm.ts';
import { unitsOf } from '../cell.ts';
import type { FusedKernel, FusedShape } from './kernel.ts';
import {
  Buffers,
  closureTape,
  flush,
  forwardShape,
  runBackward,
  timeChunks,
  transposeInto,
} from './buffers.ts';
import { chunksBackward, fromF64, input, inputSum, project, projectBackward, sigmoid } from './common.ts';
import { lstmOps } from './pointwise.ts';

/**
 * Forward, step t (cells/lstm.ts, torch.nn.LSTMCell; gate blocks [i; f; g; o] of N):
 *   a_t = x_t W_ihᵀ + h_{t−1} W_hhᵀ + b_ih + b_hh
 *   i, f, o = σ(a_i, a_f, a_o), g = tanh(a_g);  c_t = f c_{t−1} + i g;  h_t = o tanh(c_t)
 * x W_ihᵀ is one GEMM over all T·B rows; the [B, N]·[N, 4N] product runs step by step. The tape keeps the gate
 * activations [T, B, 4N] and the states h_t, c_t ([T+1, B, N] each).
 *
 * Backward, with δh = ∂L/∂h_t (readout gradient added where it reads), δc = ∂L/∂c_t from step t+1:
 *   τ = tanh(c_t), ĉ = δc + δh o (1 − τ²)
 *   ∂a = [ĉ g i(1−i), ĉ c_{t−1} f(1−f), ĉ i (1−g²), δh τ o(1−o)]   (written over the activations)
 *   ∂L/∂c_{t−1} = ĉ f,   ∂L/∂h_{t−1} = ∂a W_hh   (the [B,4N]·[4N,N] step GEMM)
 * then, batched over all steps: ∂W_hh = Σ ∂a_tᵀ h_{t−1}, ∂W_ih = Σ ∂a_tᵀ x_t, ∂b_ih = ∂b_hh = Σ ∂a_t, ∂x_t = ∂a_t W_ih.
 * With shape.chunk, the states at chunk starts are kept and each chunk's forward is recomputed in the backward.
 */
export const lstmKernel: FusedKernel = {
  cell: 'lstm',
  inputs: () => ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'],

  tapeBytes(shape: FusedShape, config: Config): number {
    const { T, B, D, every } = shape;
    const N = unitsOf(config);
    const { C, count } = timeChunks(shape);
    const floats =
      C * B * 4 * N + // gate activations, then ∂a
      2 * (C + 1) * B * N + // h and c of a chunk
      (count > 1 ? 2 * count * B * N : 0) + // chunk-start states
      2 * T * B * D + // x and dx
      (every ? T : 1) * B * N + // features
      2 * 4 * N * (D + N) +
      2 * 4 * N + // W_ih, W_hh, their transposes; biases
      2 * B * N +
      4 * N * (D + N) +
      2 * 4 * N + // backward: δh, δc, weight and bias gradients
      2 * 4 * N * (N + 8); // W_hhᵀ and W_hh packed for the step GEMMs (forward, backward)
    return 4 * floats;
  },

  forward(gemm: Gemm, shape: FusedShape, x, w, config, _rng, training) {
    const { T, B, D, every } = shape;
    const N = unitsOf(config);
    const N4 = 4 * N;
    const buf = new Buffers(gemm);
    const ops = lstmOps(gemm);
    const Wih = input(buf, w, 'weight_ih', N4 * D);
    const Whh = input(buf, w, 'weight_hh', N4 * N);
    const WihT = transposeInto(Wih, N4, D, buf.take(D * N4));
    const WhhT = transposeInto(Whh, N4, N, buf.take(N * N4));
    const bias = inputSum(buf, w, 'bias_ih', 'bias_hh', N4);
    const X = buf.copy(x);
    const fShape = forwardShape(shape, training);
    const { C, count } = timeChunks(fShape);
    const BN = B * N;
    const BN4 = B * N4;
    const A = buf.take(C * BN4);
    const Hh = buf.take((C + 1) * BN);
    const Hc = buf.take((C + 1) * BN);
    const startsH = count > 1 ? buf.take(count * BN) : null;
    const startsC = count > 1 ? buf.take(count * BN) : null;
    const features = buf.take((every ? T : 1) * BN);
    const recur = buf.product(false, N, N4, WhhT); // a += h_{t−1} W_hhᵀ, the weight packed once

    /** Steps t0 .. t0+c−1 from the state in Hh[0], Hc[0]: fills Hh, Hc [1..c] and the activations A[0..c−1]. */
    const runChunk = (t0: number, c: number) => {
      project(gemm, c * B, N4, D, X.subarray(t0 * B * D), WihT, false, null, A);
      for (let j = 0; j < c; j++) {
        const a = A.subarray(j * BN4, (j + 1) * BN4);
        const hp = j * BN;
        recur(B, Hh.subarray(hp, hp + BN), 1, a);
        if (ops) {
          const hn = hp + BN;
          ops.forward(a, bias, Hc.subarray(hp, hn), Hc.subarray(hn, hn + BN), Hh.subarray(hn, hn + BN), B, N);
          continue;
        }
        for (let r = 0; r < B; r++) {
          const ar = r * N4;
          const sp = hp + r * N;
          const sn = sp + BN;
          for (let n = 0; n < N; n++) {
            const ig = sigmoid(a[ar + n]! + bias[n]!);
            const fg = sigmoid(a[ar + N + n]! + bias[N + n]!);
            const gg = Math.tanh(a[ar + 2 * N + n]! + bias[2 * N + n]!);
            const og = sigmoid(a[ar + 3 * N + n]! + bias[3 * N + n]!);
            a[ar + n] = ig;
            a[ar + N + n] = fg;
            a[ar + 2 * N + n] = gg;
            a[ar + 3 * N + n] = og;
            const cn = fg * Hc[sp + n]! + ig * gg;
            Hc[sn + n] = cn;
            Hh[sn + n] = og * Math.tanh(Math.fround(cn));
          }
        }
      }
    };

    Hh.fill(0, 0, BN);
    Hc.fill(0, 0, BN);
    for (let k = 0; k < count; k++) {
      const t0 = k * C;
      const c = Math.min(C, T - t0);
      if (startsH && startsC) {
        startsH.set(Hh.subarray(0, BN), k * BN);
        startsC.set(Hc.subarray(0, BN), k * BN);
      }
      runChunk(t0, c);
      if (every) features.set(Hh.subarray(BN, (c + 1) * BN), t0 * BN);
      if (k < count - 1) {
        Hh.copyWithin(0, c * BN, (c + 1) * BN);
        Hc.copyWithin(0, c * BN, (c + 1) * BN);
      }
    }
    const cLast = T - (count - 1) * C;
    if (!every) features.set(Hh.subarray(cLast * BN, (cLast + 1) * BN));

    const backward = (dFeatures: Float32Array) => {
      const dF = buf.copy(dFeatures); // in the arena: the SIMD pass reads it by address
      const dh = buf.take(BN);
      const dc = buf.take(BN);
      const dWih = buf.take(N4 * D);
      const dWhh = buf.take(N4 * N);
      const dX = buf.take(T * B * D);
      const db = new Float64Array(N4);
      if (!every) dh.set(dF);
      const recurBack = buf.product(false, N4, N, Whh); // δh = ∂a W_hh, the weight packed once
      const rerun = (t0: number, c: number, k: number) => {
        Hc.set(startsC!.subarray(k * BN, (k + 1) * BN));
        runChunk(t0, c);
      };
      chunksBackward(fShape, BN, Hh, startsH, rerun, (t0, c) => {
        for (let j = c - 1; j >= 0; j--) {
          const a = A.subarray(j * BN4, (j + 1) * BN4);
          const sp = j * BN; // c_{t−1}
          const sn = sp + BN; // c_t
          const fo = (t0 + j) * BN;
          if (ops) {
            const dFt = every ? dF.subarray(fo, fo + BN) : null;
            ops.backward(a, Hc.subarray(sp, sn), Hc.subarray(sn, sn + BN), dh, dc, dFt, B, N);
            recurBack(B, a, 0, dh);
            continue;
          }
          for (let r = 0; r < B; r++) {
            const ar = r * N4;
            const rn = r * N;
            for (let n = 0; n < N; n++) {
              const ig = a[ar + n]!;
              const fg = a[ar + N + n]!;
              const gg = a[ar + 2 * N + n]!;
              const og = a[ar + 3 * N + n]!;
              const tc = Math.tanh(Hc[sn + rn + n]!);
              const dhv = every ? dh[rn + n]! + dF[fo + rn + n]! : dh[rn + n]!;
              const ch = dc[rn + n]! + dhv * og * (1 - tc * tc);
              a[ar + n] = flush(ch * gg * ig * (1 - ig));
              a[ar + N + n] = flush(ch * Hc[sp + rn + n]! * fg * (1 - fg));
              a[ar + 2 * N + n] = flush(ch * ig * (1 - gg * gg));
              a[ar + 3 * N + n] = flush(dhv * tc * og * (1 - og));
              dc[rn + n] = flush(ch * fg);
            }
          }
          recurBack(B, a, 0, dh);
        }
        const rows = c * B;
        const Ac = A.subarray(0, rows * N4);
        gemm.gemm(true, false, N4, N, rows, Ac, Hh.subarray(0, rows * N), 1, dWhh);
        const Xc = X.subarray(t0 * B * D, (t0 + c) * B * D);
        const dXc = dX.subarray(t0 * B * D, (t0 + c) * B * D);
        projectBackward(gemm, rows, N4, D, Xc, Wih, true, Ac, dWih, db, dXc);
      });
      return {
        dx: dX,
        dw: { weight_ih: dWih, weight_hh: dWhh, bias_ih: fromF64(buf, db), bias_hh: fromF64(buf, db) },
      };
    };
    return { features, tape: closureTape('lstm', buf, backward) };
  },

  backward: (tape, dFeatures) => runBackward(tape, 'lstm', dFeatures),
};
