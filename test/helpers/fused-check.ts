// checkFusedKernel: a FusedKernel's forward and BPTT against the generic TF.js path (unroll + autodiff) on random data.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { defaultsOf, type Config } from '../../core/api/params.ts';
import { Rng } from '../../core/engine/rng.ts';
import * as tf from '../../core/engine/tf.ts';
import { referenceGemm, type Gemm } from '../../core/engine/kernels/gemm.ts';
import { createWasmGemm, type WasmGemm } from '../../core/engine/kernels/wasm-gemm.ts';
import type { CellSpec } from '../../core/models/cell.ts';
import type { FusedKernel, FusedShape } from '../../core/models/fused/kernel.ts';
import { stepContext, unroll } from '../../core/models/unroll.ts';
import { assertAllClose, type CloseReport } from './all-close.ts';

export interface FusedCheckOptions {
  /** Seeds the weights, the input, the random loss weights R and the noise stream (default 1). */
  seed?: number;
  /** GEMM the kernel runs on (default: the plain-JS reference). */
  gemm?: Gemm;
  /** Training mode: noise draws active (default true). */
  training?: boolean;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /**
   * Absolute tolerance, as a multiple of the largest |expected| of each compared tensor (default 1e-6): float32
   * sums in another order differ by about 1e-7 of the largest term, which an element near zero cannot absorb.
   */
  atolScale?: number;
  /** Standard deviation of the random input x (default 1). */
  inputStd?: number;
  /** Also run the kernel a second time and require bit-identical outputs and gradients (default true). */
  repeat?: boolean;
}

/** The worst comparison of each compared tensor, by label ('features', 'dx', 'dw <name>', 'grad <weight>'). */
export type FusedCheckReport = Record<string, CloseReport>;

/** The cell's weights for input width `inputDim`, drawn by each spec's initialiser from `rng`. */
export function randomWeights(
  cell: CellSpec,
  inputDim: number,
  config: Config,
  rng: Rng,
): Record<string, { shape: number[]; values: Float32Array }> {
  const out: Record<string, { shape: number[]; values: Float32Array }> = {};
  for (const spec of cell.weights(inputDim, config))
    out[spec.name] = { shape: [...spec.shape], values: spec.init(rng) };
  return out;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.length === ub.length && ua.every((v, i) => v === ub[i]);
}

/**
 * Compare `kernel` with the generic path for `cell` at `config` and `shape` (shape.D is the input width; the hidden
 * size is config.units). Random weights come from the cell's own initialisers, x ~ N(0, inputStd²) [T, B, D], and
 * the loss is L = Σ features ⊙ R with a random R. The generic side runs unroll() under tf.variableGrads on the
 * active TF.js backend (select one first, e.g. `before(() => selectBackend('cpu'))`).
 *
 * Asserted, each within rtol (1e-5) and atol = atolScale · max|expected|:
 * - features (the readout's input, [B, F] or [T, B, F]);
 * - dL/dx and dL/d(each kernel input), against the TF.js gradients with respect to the very tensors the kernel
 *   reads (a weight, or a `derived.*` tensor of `prepare`, taken as given);
 * - for cells with `prepare`, dL/d(each cell weight): the kernel's gradients carried back through prepare by TF.js
 *   (what the fused op does in training), against unroll's end-to-end gradients;
 * - the tape is released (a second release is harmless) and no TF.js tensor leaks;
 * - with `repeat`, a second forward + backward on the same arena is bit-identical to the first.
 *
 * Noise: both sides get an Rng in the same state, so a kernel that draws in step()'s order sees the same noise.
 */
export function checkFusedKernel(
  kernel: FusedKernel,
  cell: CellSpec,
  config: Config,
  shape: FusedShape,
  options: FusedCheckOptions = {},
): FusedCheckReport {
  const seed = options.seed ?? 1;
  const training = options.training ?? true;
  const rtol = options.rtol ?? 1e-5;
  const atolScale = options.atolScale ?? 1e-6;
  const gemm = options.gemm ?? referenceGemm();
  const { T, B, D, every } = shape;
  assert.equal(kernel.cell, cell.name, 'kernel and cell disagree on the cell name');
  const F = cell.featureSize(config);
  const featShape = every ? [T, B, F] : [B, F];
  const featSize = featShape.reduce((a, b) => a * b, 1);

  const rng = Rng.stream(seed, 'fused-check');
  const weights = randomWeights(cell, D, config, rng);
  const x = rng.normalArray(T * B * D, 0, options.inputStd ?? 1);
  const R = rng.normalArray(featSize);
  const noiseState = Rng.stream(seed, 'fused-check noise').state();
  const names = kernel.inputs(config);
  const report: FusedCheckReport = {};
  const compare = (label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, shp: number[]) => {
    report[label] = assertAllClose(actual, expected, {
      rtol,
      atol: atolScale * maxAbs(expected),
      shape: shp,
      label: `${cell.name} ${label}`,
    });
  };

  const tensorsBefore = tf.memory().numTensors;

  // Generic side, 1: features and gradients with respect to the kernel's inputs (derived tensors taken as given).
  const wT: Record<string, tf.Tensor> = {};
  for (const [n, v] of Object.entries(weights)) wT[n] = tf.tensor(v.values, v.shape, 'float32');
  const derived = cell.prepare ? cell.prepare(wT, config) : {};
  const inputT: Record<string, tf.Tensor> = {};
  for (const n of names) {
    const t = n.startsWith('derived.') ? derived[n] : wT[n];
    assert.ok(t, `${cell.name}: kernel input '${n}' is neither a weight nor a derived tensor`);
    inputT[n] = t;
  }
  const inputValues: Record<string, Float32Array> = {};
  for (const n of names) inputValues[n] = Float32Array.from(inputT[n]!.dataSync() as Float32Array);

  const xT = tf.tensor3d(x, [T, B, D]);
  const xVar = tf.variable(xT, true, `fused-check-x-${seed}`);
  xT.dispose();
  const inVars = names.map((n, i) => tf.variable(inputT[n]!, true, `fused-check-in${i}-${seed}`));
  const noPrepare: CellSpec = { ...cell, prepare: undefined };
  const genericInputs = tf.tidy(() => {
    const allW: Record<string, tf.Tensor> = { ...wT, ...derived };
    names.forEach((n, i) => (allW[n] = inVars[i]!));
    const kept: { features?: Float32Array } = {};
    const { grads } = tf.variableGrads(
      () => {
        const ctx = stepContext(training, new Rng(noiseState));
        const { features } = unroll(noPrepare, allW, config, xVar, ctx, every);
        kept.features = Float32Array.from(features.dataSync() as Float32Array);
        return tf.sum(tf.mul(features, tf.tensor(R, featShape)));
        // T = 1: tfjs's unstack gradient fails on a single slice (it stacks a lone tensor), so x is left out there.
      },
      T > 1 ? [xVar, ...inVars] : inVars,
    );
    const read = (v: tf.Variable, size: number) => {
      const g = grads[v.name];
      return g ? Float32Array.from(g.dataSync() as Float32Array) : new Float32Array(size);
    };
    return {
      features: kept.features!,
      dx: read(xVar, T * B * D),
      dw: names.map((n, i) => read(inVars[i]!, inputValues[n]!.length)),
    };
  });
  xVar.dispose();
  inVars.forEach((v) => v.dispose());

  // Kernel side.
  const runKernel = () => {
    const xBuf = gemm.alloc(T * B * D);
    xBuf.set(x);
    const wBuf: Record<string, Float32Array> = {};
    for (const n of names) {
      wBuf[n] = gemm.alloc(inputValues[n]!.length);
      wBuf[n].set(inputValues[n]!);
    }
    const { features, tape } = kernel.forward(gemm, shape, xBuf, wBuf, config, new Rng(noiseState), training);
    const feats = Float32Array.from(features);
    const dF = gemm.alloc(featSize);
    dF.set(R);
    const { dx, dw } = kernel.backward(tape, dF);
    const out = {
      features: feats,
      dx: Float32Array.from(dx),
      dw: Object.fromEntries(Object.entries(dw).map(([k, v]) => [k, Float32Array.from(v)])),
    };
    tape.release();
    tape.release();
    gemm.free(xBuf);
    gemm.free(dF);
    for (const n of names) gemm.free(wBuf[n]!);
    return out;
  };
  const got = runKernel();

  assert.equal(got.features.length, featSize, `${cell.name}: features have ${got.features.length} values`);
  compare('features', got.features, genericInputs.features, featShape);
  if (T > 1) compare('dx', got.dx, genericInputs.dx, [T, B, D]);
  names.forEach((n, i) => {
    const d = got.dw[n];
    assert.ok(d, `${cell.name}: backward returned no gradient for '${n}'`);
    compare(`dw ${n}`, d, genericInputs.dw[i]!, weightsShape(n, inputT));
  });
  for (const n of Object.keys(got.dw))
    assert.ok(names.includes(n), `${cell.name}: backward returned a gradient for '${n}', not an input`);

  // Generic side, 2: with prepare, every cell weight's gradient end to end vs the kernel's carried through prepare.
  if (cell.prepare) {
    const wNames = Object.keys(weights);
    const wVars = wNames.map((n, i) => tf.variable(wT[n]!, true, `fused-check-w${i}-${seed}`));
    const byName = (): Record<string, tf.Tensor> => Object.fromEntries(wNames.map((n, i) => [n, wVars[i]!]));
    const [endToEnd, chained] = tf.tidy(() => {
      const e2e = tf.variableGrads(() => {
        const ctx = stepContext(training, new Rng(noiseState));
        const xT = tf.tensor3d(x, [T, B, D]);
        const { features } = unroll(cell, byName(), config, xT, ctx, every);
        return tf.sum(tf.mul(features, tf.tensor(R, featShape)));
      }, wVars).grads;
      const ch = tf.variableGrads(() => {
        const w = byName();
        const d = cell.prepare!(w, config);
        const terms = names.map((n) => {
          const t = n.startsWith('derived.') ? d[n]! : w[n]!;
          return tf.sum(tf.mul(t, tf.tensor(got.dw[n]!, t.shape)));
        });
        return tf.addN(terms) as tf.Scalar;
      }, wVars).grads;
      const read = (g: Record<string, tf.Tensor>) =>
        wVars.map((v) => {
          const t = g[v.name];
          return t ? Float32Array.from(t.dataSync() as Float32Array) : new Float32Array(v.size);
        });
      return [read(e2e), read(ch)];
    });
    wNames.forEach((n, i) => compare(`grad ${n}`, chained[i]!, endToEnd[i]!, weights[n]!.shape));
    wVars.forEach((v) => v.dispose());
  }

  for (const t of Object.values(wT)) t.dispose();
  for (const t of Object.values(derived)) t.dispose();
  assert.equal(tf.memory().numTensors, tensorsBefore, `${cell.name}: the check leaked TF.js tensors`);

  if (options.repeat ?? true) {
    const again = runKernel();
    assert.ok(bitsEqual(again.features, got.features), `${cell.name}: a second run gave other features`);
    assert.ok(bitsEqual(again.dx, got.dx), `${cell.name}: a second run gave another dx`);
    for (const n of names)
      assert.ok(bitsEqual(again.dw[n]!, got.dw[n]!), `${cell.name}: a second run gave another dw ${n}`);
  }
  return report;
}

/**
 * checkFusedKernel with time-chunk checkpointing: chunks of 1, 3 and 4 of T = 7 steps, in both readout modes
 * (seed `seed0` + the chunk length).
 */
export function checkFusedChunks(kernel: FusedKernel, cell: CellSpec, config: Config, seed0: number): void {
  for (const chunk of [1, 3, 4])
    for (const every of [false, true])
      checkFusedKernel(kernel, cell, config, { T: 7, B: 5, D: 3, every, chunk }, { seed: seed0 + chunk });
}

/**
 * Registers, inside a describe, the checks of a kernel with WebAssembly SIMD element-wise passes: one test per
 * FUSED_CHECK_SHAPES entry (the cell's defaults, units H) on the reference GEMM, and one on the WebAssembly engine
 * (2 threads), unchunked and in time chunks of 3.
 */
export function itEqualsOnBothEngines(kernel: FusedKernel, cell: CellSpec): void {
  let wasm: WasmGemm;
  before(async () => {
    wasm = await createWasmGemm({ threads: 2 });
  });
  after(() => wasm.dispose());

  for (const s of FUSED_CHECK_SHAPES)
    it(`equals the generic path at H=${s.H} B=${s.B} T=${s.T} D=${s.D} every=${s.every}`, () => {
      const config: Config = { ...defaultsOf(cell.config), units: s.H };
      checkFusedKernel(kernel, cell, config, s, { seed: s.H + s.T });
    });

  for (const s of FUSED_CHECK_SHAPES)
    it(`on the WebAssembly engine (SIMD element-wise passes, 2 threads) at H=${s.H} B=${s.B} T=${s.T} every=${s.every}`, () => {
      const config: Config = { ...defaultsOf(cell.config), units: s.H };
      checkFusedKernel(kernel, cell, config, s, { seed: s.H + s.T, gemm: wasm });
      checkFusedKernel(kernel, cell, config, { ...s, chunk: 3 }, { seed: s.H, gemm: wasm });
    });
}

function weightsShape(name: string, tensors: Record<string, tf.Tensor>): number[] {
  return tensors[name]!.shape;
}

/**
 * Shapes every fused kernel is checked at: odd sizes (no multiple of the GEMM's 4×8 blocks), a single step, a
 * single sequence, and both readout modes. `H` goes into the config's `units`.
 */
export const FUSED_CHECK_SHAPES: readonly (FusedShape & { H: number })[] = [
  { H: 13, B: 5, T: 7, D: 3, every: false },
  { H: 13, B: 5, T: 7, D: 3, every: true },
  { H: 8, B: 4, T: 1, D: 1, every: false },
  { H: 17, B: 1, T: 9, D: 2, every: true },
  { H: 32, B: 9, T: 12, D: 5, every: false },
];
