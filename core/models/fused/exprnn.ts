// Fused modReLU kernels with a derived recurrent matrix: expRNN here; scoRNN and the vector-field RNN reuse it.
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
  project,
  projectBackward,
} from './common.ts';

/** Names and layouts of one modReLU cell's inputs. */
export interface ModReluOptions {
  cell: string;
  /** The derived recurrent matrix [N, N]; the step adds h W, or h Wᵀ when `transW`. */
  W: string;
  transW: boolean;
  /** The input matrix: [N, d] read as x Uᵀ (nn.Linear layout) when `uOutIn`, else [d, N] read as x U. */
  U: string;
  uOutIn: boolean;
  /** The modReLU bias [N]. */
  b: string;
}

/**
 * h′ = modReLU(x op(U) + h op(W)), modReLU(z) = sign(z) · ReLU(|z| + b), with W the cell's derived orthogonal (or
 * general) matrix taken as given: its gradient is carried through `prepare` (expm, Cayley) by TF.js. Forward: the
 * input terms of every step in one GEMM; per step the one product h op(W). The tape keeps the states and the
 * pre-activations z. Backward, with g = ∂L/∂h′: ∂z = g ⊙ [z ≠ 0][|z| + b > 0] (sign² = 1; TF.js's gradient is 0 at
 * z = 0 too), ∂b = Σ g sign(z) [|z| + b > 0], ∂h = ∂z op(W)ᵀ; then ∂W, ∂U, ∂X, one GEMM each over all rows of a
 * chunk of steps. Chunks: all T steps as one unless shape.chunk asks for checkpointing; then only each chunk's
 * first state is kept and the backward recomputes the chunk before running back through it.
 */
export function modReluKernel(o: ModReluOptions): FusedKernel {
  return {
    cell: o.cell,
    inputs: () => [o.W, o.U, o.b],
    tapeBytes(shape: FusedShape, config: Config) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const BN = B * N;
      const { C } = timeChunks(shape);
      const weights = N * N + N * D + N;
      // x, a chunk's states and pre-activations, chunk starts, features; backward: g, dx, weight gradients (∂z is
      // written over z).
      const forward = T * B * D + chunkFeaturesFloats(shape, BN) + C * BN;
      return bytes(forward + BN + T * B * D + 3 * weights);
    },
    forward(gemm, shape, xIn, w, config) {
      const { T, B, D } = shape;
      const N = unitsOf(config);
      const BN = B * N;
      const { C } = timeChunks(shape);
      const buf = new Buffers(gemm);
      const x = buf.copy(xIn);
      const W = input(buf, w, o.W, N * N);
      const U = input(buf, w, o.U, N * D);
      const b = input(buf, w, o.b, N);
      // A chunk's states [(C+1), B, N] (block 0: the state before it) and pre-activations [C, B, N].
      const H = buf.take((C + 1) * BN);
      const P = buf.take(C * BN);

      const runChunk = (t0: number, c: number) => {
        project(gemm, c * B, N, D, x.subarray(t0 * B * D), U, o.uOutIn, null, P);
        for (let t = 0; t < c; t++) {
          const z = P.subarray(t * BN, (t + 1) * BN);
          // h_0 = 0: no product at the sequence's first step.
          if (t0 + t > 0) gemm.gemm(false, o.transW, B, N, N, H.subarray(t * BN, (t + 1) * BN), W, 1, z);
          const out = (t + 1) * BN;
          for (let i = 0; i < BN; i++) {
            const v = z[i]!;
            const m = Math.abs(v) + b[i % N]!;
            H[out + i] = m > 0 ? Math.sign(v) * m : 0;
          }
        }
      };
      const { features, starts } = chunkFeatures(buf, shape, BN, H, runChunk);

      const backward = (dF: Float32Array) => {
        checkFeatureGrad(dF, shape, N);
        const g = buf.take(BN);
        // ∂z written over z (each entry read just before).
        const dP = P;
        const dW = buf.take(N * N);
        const dU = buf.take(N * D);
        const db = new Float64Array(N);
        const dx = buf.take(T * B * D);
        chunksBackward(shape, BN, H, starts, runChunk, (t0, c) => {
          for (let t = c - 1; t >= 0; t--) {
            addFeatureGrad(g, dF, shape, t0 + t, N);
            const off = t * BN;
            for (let i = 0; i < BN; i++) {
              const v = P[off + i]!;
              const j = i % N;
              const live = v !== 0 && Math.abs(v) + b[j]! > 0;
              const gi = g[i]!;
              dP[off + i] = live ? flush(gi) : 0;
              if (live) db[j]! += v > 0 ? gi : -gi;
            }
            if (t0 + t > 0) gemm.gemm(false, !o.transW, B, N, N, dP.subarray(off, off + BN), W, 0, g);
          }
          // ∂W = Σ ∂zᵀ h_prev for h Wᵀ, Σ h_prevᵀ ∂z for h W.
          if (o.transW) addRecurrentGrad(gemm, t0, c, B, dP, N, H, N, dW);
          else addRecurrentGrad(gemm, t0, c, B, H, N, dP, N, dW);
          const dxc = dx.subarray(t0 * B * D, (t0 + c) * B * D);
          projectBackward(gemm, c * B, N, D, x.subarray(t0 * B * D), U, o.uOutIn, dP, dU, null, dxc);
        });
        return { dx, dw: { [o.W]: dW, [o.U]: dU, [o.b]: fromF64(buf, db) } };
      };
      return { features, tape: closureTape(o.cell, buf, backward) };
    },
    backward: (tape, dFeatures) => runBackward(tape, o.cell, dFeatures),
  };
}

/** expRNN: h′ = modReLU(x Tᵀ + h exp(A)), W = derived.W = exp(A) (cells/exprnn.ts). */
export const exprnnKernel: FusedKernel = modReluKernel({
  cell: 'exprnn',
  W: 'derived.W',
  transW: false,
  U: 'input_kernel.weight',
  uOutIn: true,
  b: 'nonlinearity.b',
});
