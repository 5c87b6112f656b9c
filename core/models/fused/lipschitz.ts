// Fused kernels of the Lipschitz drift (cells/lipschitz.ts): the Lipschitz RNN here, the Noisy RNN in noisy-rnn.ts.
import type { Config } from '../../api/params.ts';
import { Rng, type RngState } from '../../engine/rng.ts';
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
} from './common.ts';

/**
 * f_k = α·(h_k A) + tanh(h_k W + U x_k + b) (row vectors, as the official code; A, W the cell's derived tensors).
 * Lipschitz: h_{k+1} = h_k + ε f_k. Noisy RNN (`noisy`): h_{k+1} = h_k + (d ⊙ f_k) ⊙ m_k + σ_add ξ_k while
 * training, with ξ then m drawn from `rng` as the cell's step draws them (each only when its σ > 0), and
 * h_k + d ⊙ f_k otherwise. Forward: U x + b for all rows of a chunk of steps in one GEMM; per step the products
 * h W and h A. The tape keeps the states, tanh(·) of every step and, for the Noisy RNN, f and m of every step.
 * Backward, with g = ∂L/∂h_{k+1}: ∂f = ε g (Noisy: d ⊙ m ⊙ g, and ∂d += Σ m g f), ∂S = ∂f (1 − tanh²),
 * ∂L = α ∂f; ∂h_k = g + ∂S Wᵀ + ∂L Aᵀ; then ∂W = H_prevᵀ ∂S, ∂A = H_prevᵀ ∂L, ∂U = ∂Sᵀ X, ∂b = Σ ∂S, ∂X = ∂S U,
 * one GEMM each over all rows of a chunk. Chunks: all T steps as one unless shape.chunk asks for checkpointing;
 * then only each chunk's first state (and the noise generator's state) is kept, and the backward recomputes the
 * chunk, drawing the same noise again, before running back through it.
 */
export function driftKernel(cell: string, noisy: boolean): FusedKernel {
  return {
    cell,
    inputs: () =>
      noisy
        ? ['derived.A', 'derived.W', 'd', 'E.weight', 'E.bias']
        : ['derived.A', 'derived.W', 'E.weight', 'E.bias'],
    tapeBytes(shape: FusedShape, config: Config) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const BN = B * N;
      const { C } = timeChunks(shape);
      const perStep = noisy ? (num(config, 'multNoise') > 0 ? 3 : 2) : 1;
      const weights = 2 * N * N + N * D + 2 * N;
      // x, a chunk's states and per-step records, chunk starts, features, a step product; backward: a chunk's ∂L
      // (∂S is written over tanh), g, dx, weight gradients.
      const forward = T * B * D + chunkFeaturesFloats(shape, BN) + perStep * C * BN + BN;
      return bytes(forward + C * BN + BN + T * B * D + 3 * weights);
    },
    forward(gemm, shape, xIn, w, config, rng: Rng | null, training) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const BN = B * N;
      const { C, count } = timeChunks(shape);
      const alpha = num(config, 'alpha');
      const buf = new Buffers(gemm);
      const x = buf.copy(xIn);
      const A = input(buf, w, 'derived.A', N * N);
      const W = input(buf, w, 'derived.W', N * N);
      const E = input(buf, w, 'E.weight', N * D);
      const bias = input(buf, w, 'E.bias', N);
      const d = noisy ? input(buf, w, 'd', N) : null;
      const eps = noisy ? 0 : num(config, 'eps');
      const sAdd = noisy && training ? num(config, 'addNoise') : 0;
      const sMult = noisy && training ? num(config, 'multNoise') : 0;
      const draws = sAdd > 0 || sMult > 0;
      if (draws && !rng)
        throw new Error('this cell draws random numbers while training, but no RNG was given');
      // A chunk's states [(C+1), B, N] (block 0: the state before it); tanh(·), f and m of its steps [C, B, N].
      const H = buf.take((C + 1) * BN);
      const TH = buf.take(C * BN);
      const F = noisy ? buf.take(C * BN) : null;
      const M = sMult > 0 ? buf.take(C * BN) : null;
      const L = buf.take(BN);
      // The noise generator's state at each chunk's start: a recomputed chunk draws its noise again from there.
      const rngStates: RngState[] = [];

      const runChunk = (t0: number, c: number, noise: Rng | null) => {
        // Pre-activations: U x + b for the chunk now, + h W step by step (in place; tanh overwrites them).
        project(gemm, c * B, N, D, x.subarray(t0 * B * D), E, true, bias, TH);
        for (let t = 0; t < c; t++) {
          const o = t * BN;
          const h = H.subarray(o, o + BN);
          const S = TH.subarray(o, o + BN);
          // h_0 = 0: no products at the sequence's first step.
          const linear = t0 + t > 0 && alpha !== 0;
          if (t0 + t > 0) gemm.gemm(false, false, B, N, N, h, W, 1, S);
          if (linear) gemm.gemm(false, false, B, N, N, h, A, 0, L);
          const xi = sAdd > 0 ? noise!.normalArray(BN) : null;
          if (M) M.set(noise!.uniformArray(BN, 1 - sMult, 1), o);
          for (let i = 0; i < BN; i++) {
            const th = Math.tanh(S[i]!);
            S[i] = th;
            const f = linear ? alpha * L[i]! + th : th;
            let next: number;
            if (F) {
              F[o + i] = f;
              const step = d![i % N]! * f;
              next = h[i]! + (M ? step * M[o + i]! : step);
              if (xi) next += sAdd * xi[i]!;
            } else next = h[i]! + eps * f;
            H[o + BN + i] = next;
          }
        }
      };
      const { features, starts } = chunkFeatures(
        buf,
        shape,
        BN,
        H,
        (t0, c) => runChunk(t0, c, draws ? rng : null),
        (k) => {
          if (draws && count > 1) rngStates[k] = rng!.state();
        },
      );

      const backward = (dF: Float32Array) => {
        checkFeatureGrad(dF, shape, N);
        const g = buf.take(BN);
        // ∂S written over tanh(·) (each entry read just before), as the recomputed chunks refill it.
        const dS = TH;
        const dL = buf.take(C * BN);
        const dW = buf.take(N * N);
        const dA = buf.take(N * N);
        const dE = buf.take(N * D);
        const db = new Float64Array(N);
        const dd = new Float64Array(N);
        const dx = buf.take(T * B * D);
        const rerun = (t0: number, c: number, k: number) =>
          runChunk(t0, c, draws ? new Rng(rngStates[k]!) : null);
        chunksBackward(shape, BN, H, starts, rerun, (t0, c) => {
          for (let t = c - 1; t >= 0; t--) {
            addFeatureGrad(g, dF, shape, t0 + t, N);
            const o = t * BN;
            for (let i = 0; i < BN; i++) {
              let df: number;
              if (F) {
                const dstep = M ? g[i]! * M[o + i]! : g[i]!;
                dd[i % N]! += dstep * F[o + i]!;
                df = dstep * d![i % N]!;
              } else df = eps * g[i]!;
              const th = TH[o + i]!;
              dS[o + i] = flush(df * (1 - th * th));
              dL[o + i] = flush(alpha * df);
              g[i] = flush(g[i]!);
            }
            if (t0 + t > 0) {
              gemm.gemm(false, true, B, N, N, dS.subarray(o, o + BN), W, 1, g);
              if (alpha !== 0) gemm.gemm(false, true, B, N, N, dL.subarray(o, o + BN), A, 1, g);
            }
          }
          addRecurrentGrad(gemm, t0, c, B, H, N, dS, N, dW);
          if (alpha !== 0) addRecurrentGrad(gemm, t0, c, B, H, N, dL, N, dA);
          const dxc = dx.subarray(t0 * B * D, (t0 + c) * B * D);
          projectBackward(gemm, c * B, N, D, x.subarray(t0 * B * D), E, true, dS, dE, db, dxc);
        });
        const dw: Record<string, Float32Array> = {
          'derived.A': dA,
          'derived.W': dW,
          'E.weight': dE,
          'E.bias': fromF64(buf, db),
        };
        if (noisy) dw['d'] = fromF64(buf, dd);
        return { dx, dw };
      };
      return { features, tape: closureTape(cell, buf, backward) };
    },
    backward: (tape, dFeatures) => runBackward(tape, cell, dFeatures),
  };
}

export const lipschitzKernel: FusedKernel = driftKernel('lipschitz', false);
