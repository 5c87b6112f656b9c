// SIMD element-wise passes of the coRNN and LSTM kernels (WAT, assembled on the GEMM engine's memory).
import type { Gemm } from '../../engine/kernels/gemm.ts';
import { pointwiseModule, rowLoops, v } from '../../engine/kernels/wat-math.ts';

const N = '(local.get $N)';
const N2 = '(i32.shl (local.get $N) (i32.const 1))';
const N3 = '(i32.mul (local.get $N) (i32.const 3))';
const N4 = '(i32.shl (local.get $N) (i32.const 2))';
const one = v.const(1);

/** coRNN's forward and backward steps (cornn.ts documents the equations; the JS loops there are the same math). */
const CORNN_WAT = pointwiseModule(`
  (func (export "fwd") (param $s i32) (param $bias i32) (param $hp i32) (param $hn i32) (param $B i32) (param $N i32)
      (param $dt f32) (param $gamma f32) (param $eps f32)
    (local $row i32) (local $n i32) (local $st v128) (local $z v128) (local $y v128) (local $zn v128)
    ${rowLoops({
      rows: '(local.get $B)',
      cols: N,
      rowPointers: { s: N, hp: N2, hn: N2 },
      body: (a) => `
        ${v.set('st', v.tanh(v.add(a.load('s'), a.load('bias'))))}
        ${a.store('s', v.get('st'))}
        ${v.set('z', a.load('hp'))}
        ${v.set('y', a.load('hp', N))}
        ${v.set('zn', v.add(v.get('z'), v.mul(v.splat('dt'), v.sub(v.sub(v.get('st'), v.mul(v.splat('gamma'), v.get('y'))), v.mul(v.splat('eps'), v.get('z'))))))}
        ${a.store('hn', v.get('zn'))}
        ${a.store('hn', v.add(v.get('y'), v.mul(v.splat('dt'), v.get('zn'))), N)}`,
    })})
  ${[false, true]
    .map(
      (withDF) => `
  (func (export "${withDF ? 'bwdF' : 'bwd'}") (param $s i32) (param $g i32) (param $df i32) (param $B i32) (param $N i32)
      (param $dt f32) (param $cz f32) (param $cy f32)
    (local $row i32) (local $n i32) (local $gy v128) (local $gg v128) (local $st v128)
    ${rowLoops({
      rows: '(local.get $B)',
      cols: N,
      rowPointers: { s: N, g: N2, df: N },
      body: (a) => `
        ${v.set('gy', withDF ? v.add(a.load('g', N), a.load('df')) : a.load('g', N))}
        ${v.set('gg', v.add(a.load('g'), v.mul(v.splat('dt'), v.get('gy'))))}
        ${v.set('st', a.load('s'))}
        ${a.store('s', v.flush(v.mul(v.mul(v.splat('dt'), v.get('gg')), v.sub(one, v.mul(v.get('st'), v.get('st'))))))}
        ${a.store('g', v.flush(v.mul(v.splat('cz'), v.get('gg'))))}
        ${a.store('g', v.flush(v.sub(v.get('gy'), v.mul(v.splat('cy'), v.get('gg')))), N)}`,
    })})`,
    )
    .join('\n')}`);

/** The LSTM's forward and backward steps (lstm.ts documents the equations; the JS loops there are the same math). */
const LSTM_WAT = pointwiseModule(`
  (func (export "fwd") (param $a i32) (param $bias i32) (param $cp i32) (param $cn i32) (param $hn i32)
      (param $B i32) (param $N i32)
    (local $row i32) (local $n i32) (local $ig v128) (local $fg v128) (local $gg v128) (local $og v128) (local $c v128)
    ${rowLoops({
      rows: '(local.get $B)',
      cols: N,
      rowPointers: { a: N4, cp: N, cn: N, hn: N },
      body: (a) => `
        ${v.set('ig', v.sigmoid(v.add(a.load('a'), a.load('bias'))))}
        ${v.set('fg', v.sigmoid(v.add(a.load('a', N), a.load('bias', N))))}
        ${v.set('gg', v.tanh(v.add(a.load('a', N2), a.load('bias', N2))))}
        ${v.set('og', v.sigmoid(v.add(a.load('a', N3), a.load('bias', N3))))}
        ${a.store('a', v.get('ig'))}
        ${a.store('a', v.get('fg'), N)}
        ${a.store('a', v.get('gg'), N2)}
        ${a.store('a', v.get('og'), N3)}
        ${v.set('c', v.add(v.mul(v.get('fg'), a.load('cp')), v.mul(v.get('ig'), v.get('gg'))))}
        ${a.store('cn', v.get('c'))}
        ${a.store('hn', v.mul(v.get('og'), v.tanh(v.get('c'))))}`,
    })})
  ${[false, true]
    .map(
      (withDF) => `
  (func (export "${withDF ? 'bwdF' : 'bwd'}") (param $a i32) (param $cp i32) (param $cn i32) (param $dh i32) (param $dc i32)
      (param $df i32) (param $B i32) (param $N i32)
    (local $row i32) (local $n i32) (local $ig v128) (local $fg v128) (local $gg v128) (local $og v128)
    (local $tc v128) (local $dhv v128) (local $ch v128)
    ${rowLoops({
      rows: '(local.get $B)',
      cols: N,
      rowPointers: { a: N4, cp: N, cn: N, dh: N, dc: N, df: N },
      body: (a) => `
        ${v.set('ig', a.load('a'))}
        ${v.set('fg', a.load('a', N))}
        ${v.set('gg', a.load('a', N2))}
        ${v.set('og', a.load('a', N3))}
        ${v.set('tc', v.tanh(a.load('cn')))}
        ${v.set('dhv', withDF ? v.add(a.load('dh'), a.load('df')) : a.load('dh'))}
        ${v.set('ch', v.add(a.load('dc'), v.mul(v.mul(v.get('dhv'), v.get('og')), v.sub(one, v.mul(v.get('tc'), v.get('tc'))))))}
        ${a.store('a', v.flush(v.mul(v.mul(v.mul(v.get('ch'), v.get('gg')), v.get('ig')), v.sub(one, v.get('ig')))))}
        ${a.store('a', v.flush(v.mul(v.mul(v.mul(v.get('ch'), a.load('cp')), v.get('fg')), v.sub(one, v.get('fg')))), N)}
        ${a.store('a', v.flush(v.mul(v.mul(v.get('ch'), v.get('ig')), v.sub(one, v.mul(v.get('gg'), v.get('gg'))))), N2)}
        ${a.store('a', v.flush(v.mul(v.mul(v.mul(v.get('dhv'), v.get('tc')), v.get('og')), v.sub(one, v.get('og')))), N3)}
        ${a.store('dc', v.flush(v.mul(v.get('ch'), v.get('fg'))))}`,
    })})`,
    )
    .join('\n')}`);

type Fn = (...args: number[]) => void;
const p = (a: Float32Array) => a.byteOffset;

export interface CornnOps {
  /** One forward step over B rows: s ← tanh(s + b); h_n ← the new [z | y] from h_p. */
  forward(
    s: Float32Array,
    bias: Float32Array,
    hp: Float32Array,
    hn: Float32Array,
    B: number,
    N: number,
    dt: number,
    gamma: number,
    eps: number,
  ): void;
  /** One backward step: s ← δ, g ← ∂L/∂[z | y] of the previous step (before the GEMM); dF added to g_y first. */
  backward(
    s: Float32Array,
    g: Float32Array,
    dF: Float32Array | null,
    B: number,
    N: number,
    dt: number,
    cz: number,
    cy: number,
  ): void;
}

export interface LstmOps {
  forward(
    a: Float32Array,
    bias: Float32Array,
    cp: Float32Array,
    cn: Float32Array,
    hn: Float32Array,
    B: number,
    N: number,
  ): void;
  backward(
    a: Float32Array,
    cp: Float32Array,
    cn: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dF: Float32Array | null,
    B: number,
    N: number,
  ): void;
}

/** The SIMD coRNN steps on `gemm`'s memory, or null where it has none (then cornn.ts runs its JS loops). */
export function cornnOps(gemm: Gemm): CornnOps | null {
  const m = gemm.wasmModule?.(CORNN_WAT);
  if (!m) return null;
  const [fwd, bwd, bwdF] = [m['fwd'], m['bwd'], m['bwdF']] as Fn[];
  return {
    forward: (s, bias, hp, hn, B, n, dt, gamma, eps) =>
      fwd!(p(s), p(bias), p(hp), p(hn), B, n, dt, gamma, eps),
    backward: (s, g, dF, B, n, dt, cz, cy) =>
      dF ? bwdF!(p(s), p(g), p(dF), B, n, dt, cz, cy) : bwd!(p(s), p(g), 0, B, n, dt, cz, cy),
  };
}

/** The SIMD LSTM steps on `gemm`'s memory, or null where it has none (then lstm.ts runs its JS loops). */
export function lstmOps(gemm: Gemm): LstmOps | null {
  const m = gemm.wasmModule?.(LSTM_WAT);
  if (!m) return null;
  const [fwd, bwd, bwdF] = [m['fwd'], m['bwd'], m['bwdF']] as Fn[];
  return {
    forward: (a, bias, cp, cn, hn, B, n) => fwd!(p(a), p(bias), p(cp), p(cn), p(hn), B, n),
    backward: (a, cp, cn, dh, dc, dF, B, n) =>
      dF
        ? bwdF!(p(a), p(cp), p(cn), p(dh), p(dc), p(dF), B, n)
        : bwd!(p(a), p(cp), p(cn), p(dh), p(dc), 0, B, n),
  };
}
