// Fused UnICORNN kernel (cells/unicornn.ts): layer by layer over the whole sequence, as the official CUDA kernel.
import type { Config } from '../../api/params.ts';
import type { Rng } from '../../engine/rng.ts';
import { unitsOf } from '../cell.ts';
import type { FusedKernel, FusedShape } from './kernel.ts';
import { Buffers, closureTape, flush, runBackward, timeChunks } from './buffers.ts';
import { bytes, checkFeatureGrad, fromF64, input, num, project, projectBackward, sigmoid } from './common.ts';

interface Layer {
  V: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  /** sigmoid(c) and the per-unit step Δt·sigmoid(c) [N]. */
  sig: Float64Array;
  step: Float64Array;
  /** y and z over a chunk [(C+1), B, N] (block 0: before the chunk), tanh of its steps [C, B, N]. */
  Y: Float32Array;
  Z: Float32Array;
  TH: Float32Array;
  /** The layer's output over the chunk [C, B, N]: y_1..y_c masked (a buffer of its own) or Y's blocks 1..c. */
  out: Float32Array;
  /** The dropout mask of the layer's output [B, N], or null. */
  mask: Float32Array | null;
  /** y and z at each chunk's start [count, B, N] (null with one chunk). */
  startY: Float32Array | null;
  startZ: Float32Array | null;
}

function layersOf(config: Config): number {
  const L = num(config, 'layers');
  if (!Number.isInteger(L) || L < 1) throw new Error('unicornn: config.layers must be a positive integer');
  return L;
}

/**
 * Layer-major within a chunk of steps (all T unless shape.chunk asks for checkpointing), as the official code:
 * layer ℓ runs over the chunk's steps before layer ℓ + 1, whose input projection V^{ℓ+1} u + b for all rows of the
 * chunk is then one GEMM (the cell's time-major order computes the same numbers: every layer is causal and the
 * dropout masks are constant in time). The recurrence is diagonal, so each step is elementwise:
 * z′ = z − ŝ ⊙ (tanh(w ⊙ y + d_t) + α y), y′ = y + ŝ ⊙ z′, ŝ = Δt·sigmoid(c). Dropout masks (training, p > 0) are
 * drawn first, one uniform [B, N] per layer in layer order, as the cell's first step draws them.
 * Backward per chunk (last first) and per layer (last first), with (g_y, g_z) = ∂L/∂(y′, z′) carried across chunks
 * in float64 (nothing multiplies them by a matrix): ĝ_z = g_z + ŝ g_y, ∂F = −ŝ ĝ_z, ∂a = ∂F (1 − tanh²),
 * ∂ŝ += g_y z′ − F ĝ_z, ∂w += ∂a y, g_y ← g_y + α ∂F + w ∂a, g_z ← ĝ_z, ∂d_t = ∂a; then ∂V += ∂Dᵀ U, ∂b += Σ ∂D,
 * ∂U = ∂D V (one GEMM each over the chunk's rows), which, masked, is the output gradient of the layer below.
 * With checkpointing only each layer's (y, z) at each chunk's start is kept; the backward recomputes the chunk.
 */
export const unicornnKernel: FusedKernel = {
  cell: 'unicornn',
  inputs(config) {
    const names: string[] = [];
    for (let l = 0; l < layersOf(config); l++)
      names.push(`DIs.${l}.fc.weight`, `DIs.${l}.fc.bias`, `RNNs.${l}.c_`, `RNNs.${l}.weight_hh`);
    return names;
  },
  tapeBytes(shape: FusedShape, config: Config) {
    const { T, B, D, every } = shape;
    const N = unitsOf(config);
    const BN = B * N;
    const L = layersOf(config);
    const { C, count } = timeChunks(shape);
    const masks = num(config, 'dropout') > 0 ? 1 : 0;
    const weights = N * D + (L - 1) * N * N + 3 * L * N;
    // Per layer: a chunk's y, z, tanh and masked output, the mask, chunk starts; x, features; backward: two output
    // gradients of a chunk (∂D is written over tanh), dx, weight gradients.
    const perLayer = 2 * (C + 1) * BN + C * BN + masks * (BN + C * BN) + (count > 1 ? 2 * count * BN : 0);
    const forward = L * perLayer + T * B * D + (every ? T : 1) * BN;
    return bytes(forward + 2 * C * BN + T * B * D + 3 * weights);
  },
  forward(gemm, shape, xIn, w, config, rng: Rng | null, training) {
    const { T, B, D } = shape;
    const N = unitsOf(config);
    const BN = B * N;
    const L = layersOf(config);
    const { C, count } = timeChunks(shape);
    const dt = num(config, 'dt');
    const alpha = num(config, 'alpha');
    const p = num(config, 'dropout');
    const buf = new Buffers(gemm);
    let masks: Float32Array[] | null = null;
    if (training && p > 0) {
      if (!rng) throw new Error('this cell draws random numbers while training, but no RNG was given');
      // As the cell: u < 1 − p compared in float32, then scaled by 1/(1 − p) in float32.
      const keep = Math.fround(1 - p);
      const scale = Math.fround(1 / keep);
      masks = Array.from({ length: L }, () => {
        const u = rng.uniformArray(BN, 0, 1);
        const m = buf.take(BN);
        for (let i = 0; i < BN; i++) m[i] = u[i]! < keep ? scale : 0;
        return m;
      });
    }
    const x = buf.copy(xIn);
    const layers: Layer[] = [];
    for (let l = 0; l < L; l++) {
      const fanIn = l === 0 ? D : N;
      const c = input(buf, w, `RNNs.${l}.c_`, N);
      const sig = new Float64Array(N);
      const step = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        sig[j] = sigmoid(c[j]!);
        step[j] = dt * sig[j]!;
      }
      const Y = buf.take((C + 1) * BN);
      const mask = masks ? masks[l]! : null;
      layers.push({
        V: input(buf, w, `DIs.${l}.fc.weight`, N * fanIn),
        bias: input(buf, w, `DIs.${l}.fc.bias`, N),
        w: input(buf, w, `RNNs.${l}.weight_hh`, N),
        sig,
        step,
        Y,
        Z: buf.take((C + 1) * BN),
        TH: buf.take(C * BN),
        out: mask ? buf.take(C * BN) : Y.subarray(BN),
        mask,
        startY: count > 1 ? buf.take(count * BN) : null,
        startZ: count > 1 ? buf.take(count * BN) : null,
      });
    }

    /** Steps t0 .. t0+c−1 of every layer from the (y, z) in block 0 of each layer's Y, Z. */
    const runChunk = (t0: number, c: number) => {
      let U = x.subarray(t0 * B * D);
      layers.forEach((layer, l) => {
        const { V, bias, w: wh, step, Y, Z, TH, out, mask } = layer;
        // The drive V u + b of every step, replaced step by step by its tanh.
        project(gemm, c * B, N, l === 0 ? D : N, U, V, true, bias, TH);
        for (let t = 0; t < c; t++) {
          const o = t * BN;
          for (let i = 0, j = 0; i < BN; i++, j = j + 1 === N ? 0 : j + 1) {
            const y = Y[o + i]!;
            const th = Math.tanh(wh[j]! * y + TH[o + i]!);
            TH[o + i] = th;
            const z = Z[o + i]! - step[j]! * (th + alpha * y);
            Z[o + BN + i] = z;
            Y[o + BN + i] = y + step[j]! * z;
            if (mask) out[o + i] = Y[o + BN + i]! * mask[i]!;
          }
        }
        U = out;
      });
    };
    const last = layers[L - 1]!;
    const features = buf.take((shape.every ? T : 1) * BN);
    let c = 0;
    for (let k = 0; k < count; k++) {
      const t0 = k * C;
      c = Math.min(C, T - t0);
      for (const { Y, Z, startY, startZ } of layers)
        if (startY) {
          startY.set(Y.subarray(0, BN), k * BN);
          startZ!.set(Z.subarray(0, BN), k * BN);
        }
      runChunk(t0, c);
      if (shape.every) features.set(last.out.subarray(0, c * BN), t0 * BN);
      if (k < count - 1)
        for (const { Y, Z } of layers) {
          Y.copyWithin(0, c * BN, (c + 1) * BN);
          Z.copyWithin(0, c * BN, (c + 1) * BN);
        }
    }
    if (!shape.every) features.set(last.out.subarray((c - 1) * BN, c * BN));

    const backward = (dF: Float32Array) => {
      checkFeatureGrad(dF, shape, N);
      const gy = layers.map(() => new Float64Array(BN));
      const gz = layers.map(() => new Float64Array(BN));
      const dStep = layers.map(() => new Float64Array(N));
      const dW = layers.map(() => new Float64Array(N));
      const db = layers.map(() => new Float64Array(N));
      const dV = layers.map((_, l) => buf.take(N * (l === 0 ? D : N)));
      // ∂L/∂(a layer's unmasked outputs y) over a chunk [C, B, N], and the one for the layer below.
      let dOut = buf.take(C * BN);
      let dBelow = buf.take(C * BN);
      const dx = buf.take(T * B * D);
      for (let k = count - 1; k >= 0; k--) {
        const t0 = k * C;
        const c = Math.min(C, T - t0);
        if (k < count - 1) {
          for (const { Y, Z, startY, startZ } of layers) {
            Y.set(startY!.subarray(k * BN, (k + 1) * BN));
            Z.set(startZ!.subarray(k * BN, (k + 1) * BN));
          }
          runChunk(t0, c);
        }
        dOut.fill(0);
        if (shape.every) dOut.set(dF.subarray(t0 * BN, (t0 + c) * BN));
        else if (k === count - 1) dOut.set(dF, (c - 1) * BN);
        if (last.mask)
          for (let t = 0; t < c; t++) for (let i = 0; i < BN; i++) dOut[t * BN + i]! *= last.mask[i]!;
        for (let l = L - 1; l >= 0; l--) {
          const { V, w: wh, step, Y, Z, TH } = layers[l]!;
          // ∂(drive) written over the layer's tanh (each entry read just before).
          const dDrive = TH;
          const gY64 = gy[l]!;
          const gZ64 = gz[l]!;
          const dS = dStep[l]!;
          const dWl = dW[l]!;
          for (let t = c - 1; t >= 0; t--) {
            const o = t * BN;
            for (let i = 0, j = 0; i < BN; i++, j = j + 1 === N ? 0 : j + 1) {
              const y = Y[o + i]!;
              const th = TH[o + i]!;
              const s = step[j]!;
              const gY = gY64[i]! + dOut[o + i]!;
              const gZ = gZ64[i]! + s * gY;
              const dFo = -s * gZ;
              const da = flush(dFo * (1 - th * th));
              dS[j]! += gY * Z[o + BN + i]! - (th + alpha * y) * gZ;
              dWl[j]! += da * y;
              dDrive[o + i] = da;
              gY64[i] = flush(gY + alpha * dFo + wh[j]! * da);
              gZ64[i] = flush(gZ);
            }
          }
          const rows = c * B;
          if (l > 0) {
            const below = layers[l - 1]!;
            projectBackward(gemm, rows, N, N, below.out, V, true, dDrive, dV[l]!, db[l]!, dBelow);
            if (below.mask)
              for (let t = 0; t < c; t++) for (let i = 0; i < BN; i++) dBelow[t * BN + i]! *= below.mask[i]!;
            [dOut, dBelow] = [dBelow, dOut];
          } else {
            const dxc = dx.subarray(t0 * B * D, (t0 + c) * B * D);
            projectBackward(gemm, rows, N, D, x.subarray(t0 * B * D), V, true, dDrive, dV[0]!, db[0]!, dxc);
          }
        }
      }
      const dw: Record<string, Float32Array> = {};
      layers.forEach(({ sig }, l) => {
        const dc = new Float64Array(N);
        for (let j = 0; j < N; j++) dc[j] = dStep[l]![j]! * dt * sig[j]! * (1 - sig[j]!);
        dw[`DIs.${l}.fc.weight`] = dV[l]!;
        dw[`DIs.${l}.fc.bias`] = fromF64(buf, db[l]!);
        dw[`RNNs.${l}.c_`] = fromF64(buf, dc);
        dw[`RNNs.${l}.weight_hh`] = fromF64(buf, dW[l]!);
      });
      return { dx, dw };
    };
    return { features, tape: closureTape('unicornn', buf, backward) };
  },
  backward: (tape, dFeatures) => runBackward(tape, 'unicornn', dFeatures),
};
