// coRNN fused kernel: the whole sequence forward and its analytic BPTT on Float32Arrays (equals cells/cornn.ts).
import type { Config } from '../../api/params.ts';
import type { Gemm } from '../../engine/kernels/gemm.ts';
import { unitsOf } from '../cell.ts';
import type { FusedKernel, FusedShape } from './kernel.ts';
import {
  Buffers,
  closureTape,
  columnsInto,
  flush,
  forwardShape,
  putColumns,
  runBackward,
  timeChunks,
  transposeInto,
} from './buffers.ts';
import { checkedInput, chunksBackward, fromF64, input, num, project, projectBackward } from './common.ts';
import { cornnOps } from './pointwise.ts';

/**
 * Forward, step t (cells/cornn.ts; i2h.weight = [V | 𝒲 | W], columns D | N | N):
 *   a_t = x_t Vᵀ + [z_{t−1}, y_{t−1}] [𝒲 | W]ᵀ + b,  s_t = tanh(a_t)
 *   z_t = z_{t−1} + Δt (s_t − γ y_{t−1} − ε z_{t−1}),   y_t = y_{t−1} + Δt z_t
 * x Vᵀ is one GEMM over all T·B rows; only the [B, 2N]·[2N, N] product runs step by step. The tape keeps the
 * states h_t = [z_t | y_t] ([T+1, B, 2N]) and s_t ([T, B, N]).
 *
 * Backward, with g_z = ∂L/∂z_t, g_y = ∂L/∂y_t (readout gradient added at the steps it reads):
 *   ĝ = g_z + Δt g_y,   δ_t = Δt ĝ (1 − s_t²)   (∂L/∂a_t, written over s_t)
 *   ∂L/∂z_{t−1} = (1 − Δt ε) ĝ + δ_t 𝒲,   ∂L/∂y_{t−1} = g_y − Δt γ ĝ + δ_t W   (the [B,N]·[N,2N] step GEMM)
 * then, batched over all steps: ∂L/∂[𝒲 | W] = Σ_t δ_tᵀ h_{t−1}, ∂L/∂V = Σ_t δ_tᵀ x_t, ∂L/∂b = Σ δ_t, ∂L/∂x_t = δ_t V.
 * With shape.chunk, only the state at each chunk's start is kept; the backward recomputes the chunk's forward
 * (the same operations, so the same bits) and runs the weight-gradient GEMMs per chunk.
 */
export const cornnKernel: FusedKernel = {
  cell: 'cornn',
  inputs: () => ['i2h.weight', 'i2h.bias'],

  tapeBytes(shape: FusedShape, config: Config): number {
    const { T, B, D, every } = shape;
    const N = unitsOf(config);
    const { C, count } = timeChunks(shape);
    const K = D + 2 * N;
    const floats =
      (C + 1) * B * 2 * N + // states of a chunk (every step when not chunked)
      C * B * N + // s_t, then δ_t
      (count > 1 ? count * B * 2 * N : 0) + // chunk-start states
      2 * T * B * D + // x and dx
      (every ? T : 1) * B * N + // features
      3 * N * K +
      N + // V, Vᵀ, 𝒲W and its transpose; b
      B * 2 * N +
      2 * N * K +
      N + // backward: running gradient, dV + d[𝒲|W], dW, db
      4 * N * (N + 8); // [𝒲 | W]ᵀ and [𝒲 | W] packed for the step GEMMs (forward, backward)
    return 4 * floats;
  },

  forward(gemm: Gemm, shape: FusedShape, x, w, config, _rng, training) {
    const { T, B, D, every } = shape;
    const N = unitsOf(config);
    const N2 = 2 * N;
    const K = D + N2;
    const dt = num(config, 'dt');
    const gamma = num(config, 'gamma');
    const eps = num(config, 'epsilon');
    const W = checkedInput(w, 'i2h.weight', N * K);
    const buf = new Buffers(gemm);
    const ops = cornnOps(gemm);
    const V = columnsInto(W, N, K, 0, D, buf.take(N * D));
    const VT = transposeInto(V, N, D, buf.take(D * N));
    const Wzy = columnsInto(W, N, K, D, K, buf.take(N * N2));
    const WzyT = transposeInto(Wzy, N, N2, buf.take(N2 * N));
    const bias = input(buf, w, 'i2h.bias', N);
    const X = buf.copy(x);
    const fShape = forwardShape(shape, training);
    const { C, count } = timeChunks(fShape);
    const Hs = buf.take((C + 1) * B * N2);
    const S = buf.take(C * B * N);
    const starts = count > 1 ? buf.take(count * B * N2) : null;
    const features = buf.take((every ? T : 1) * B * N);
    const BN2 = B * N2;
    const BN = B * N;
    const recur = buf.product(false, N2, N, WzyT); // s += h_{t−1} [𝒲 | W]ᵀ, the weight packed once

    /** Steps t0 .. t0+c−1 from the state in Hs[0]: fills Hs[1..c] and S[0..c−1] (s_t). */
    const runChunk = (t0: number, c: number) => {
      project(gemm, c * B, N, D, X.subarray(t0 * B * D), VT, false, null, S);
      for (let j = 0; j < c; j++) {
        const s = S.subarray(j * BN, (j + 1) * BN);
        const hp = j * BN2;
        const hn = hp + BN2;
        recur(B, Hs.subarray(hp, hn), 1, s);
        if (ops) {
          ops.forward(s, bias, Hs.subarray(hp, hn), Hs.subarray(hn, hn + BN2), B, N, dt, gamma, eps);
          continue;
        }
        for (let i = 0; i < B; i++) {
          const si = i * N;
          const pi = hp + i * N2;
          const ni = hn + i * N2;
          for (let n = 0; n < N; n++) {
            const st = Math.tanh(s[si + n]! + bias[n]!);
            s[si + n] = st;
            const z = Hs[pi + n]!;
            const y = Hs[pi + N + n]!;
            const zn = z + dt * (st - gamma * y - eps * z);
            Hs[ni + n] = zn;
            Hs[ni + N + n] = y + dt * zn;
          }
        }
      }
    };
    const copyY = (from: number, to: Float32Array, at: number) => {
      for (let i = 0; i < B; i++) to.set(Hs.subarray(from + i * N2 + N, from + (i + 1) * N2), at + i * N);
    };

    Hs.fill(0, 0, BN2);
    for (let k = 0; k < count; k++) {
      const t0 = k * C;
      const c = Math.min(C, T - t0);
      if (starts) starts.set(Hs.subarray(0, BN2), k * BN2);
      runChunk(t0, c);
      if (every) for (let j = 0; j < c; j++) copyY((j + 1) * BN2, features, (t0 + j) * BN);
      if (k < count - 1) Hs.copyWithin(0, c * BN2, (c + 1) * BN2);
    }
    if (!every) copyY((T - (count - 1) * C) * BN2, features, 0);

    const backward = (dFeatures: Float32Array) => {
      const dF = buf.copy(dFeatures); // in the arena: the SIMD pass reads it by address
      const G = buf.take(BN2);
      const dV = buf.take(N * D);
      const dWzy = buf.take(N * N2);
      const dX = buf.take(T * B * D);
      const db = new Float64Array(N);
      if (!every) for (let i = 0; i < B; i++) G.set(dF.subarray(i * N, (i + 1) * N), i * N2 + N);
      const cz = 1 - dt * eps;
      const cy = dt * gamma;
      const recurBack = buf.product(false, N, N2, Wzy); // G += δ_t [𝒲 | W], the weight packed once
      chunksBackward(fShape, BN2, Hs, starts, runChunk, (t0, c) => {
        for (let j = c - 1; j >= 0; j--) {
          const s = S.subarray(j * BN, (j + 1) * BN);
          const fo = (t0 + j) * BN;
          if (ops) {
            ops.backward(s, G, every ? dF.subarray(fo, fo + BN) : null, B, N, dt, cz, cy);
            recurBack(B, s, 1, G);
            continue;
          }
          for (let i = 0; i < B; i++) {
            const gi = i * N2;
            const si = i * N;
            for (let n = 0; n < N; n++) {
              const gy = every ? G[gi + N + n]! + dF[fo + si + n]! : G[gi + N + n]!;
              const g = G[gi + n]! + dt * gy;
              const st = s[si + n]!;
              s[si + n] = flush(dt * g * (1 - st * st));
              G[gi + n] = flush(cz * g);
              G[gi + N + n] = flush(gy - cy * g);
            }
          }
          recurBack(B, s, 1, G);
        }
        const rows = c * B;
        const Sc = S.subarray(0, rows * N);
        gemm.gemm(true, false, N, N2, rows, Sc, Hs.subarray(0, rows * N2), 1, dWzy);
        const dXc = dX.subarray(t0 * B * D, (t0 + c) * B * D);
        projectBackward(gemm, rows, N, D, X.subarray(t0 * B * D, (t0 + c) * B * D), V, true, Sc, dV, db, dXc);
      });
      const dW = buf.take(N * K);
      putColumns(dV, N, D, dW, K, 0);
      putColumns(dWzy, N, N2, dW, K, D);
      return { dx: dX, dw: { 'i2h.weight': dW, 'i2h.bias': fromF64(buf, db) } };
    };
    return { features, tape: closureTape('cornn', buf, backward) };
  },

  backward: (tape, dFeatures) => runBackward(tape, 'cornn', dFeatures),
};
