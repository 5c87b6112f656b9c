// WAT building blocks for the fused kernels' element-wise passes: f32x4 tanh, sigmoid, flush-to-zero, row loops.
//
// A kernel writes its per-element step once as a function of `load(array, column)` / `store(array, column, value)`;
// `rowLoops` emits it twice, over 4 columns at a time (v128 loads and stores) and for the remaining columns one at
// a time (the same f32x4 arithmetic on a splatted value, lane 0 stored), so every element sees the same operations
// whatever its column: results do not depend on N mod 4. The module imports the GEMM engine's shared memory as
// env.memory (Gemm.wasmModule assembles it); pointers are byte offsets of buffers from Gemm.alloc.

/** |v| below this is flushed to zero in the backward passes (see models/fused/buffers.ts TINY). */
const TINY = 1e-30;
/** Beyond ±this, tanh rounds to ±1 in float32 (Eigen's ptanh_float clamp). */
const TANH_CLAMP = 7.90531110763549805;
/** Below this |x|, tanh(x) = x to float32 precision. */
const TANH_LINEAR = 0.0004;

const f4 = (x: number) => `(f32x4.splat (f32.const ${x}))`;

/**
 * $tanh: the rational 13/6 minimax approximation of Eigen's ptanh_float (maximum relative error about 2 ulp,
 * 1.3e-7, against Math.tanh): tanh x ≈ x·P(x²)/Q(x²) on the clamped x, x itself where |x| < 4e-4.
 * $sigmoid: σ(x) = ½ tanh(x/2) + ½ (absolute error ≤ 1e-7, the same operations for every lane).
 * $flush: v with lanes |v| < 1e-30 set to 0 (WebAssembly has no flush-to-zero mode; see buffers.ts TINY).
 */
export const WAT_MATH = `
  (func $tanh (param $x v128) (result v128) (local $c v128) (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $c (f32x4.min (f32x4.max (local.get $x) ${f4(-TANH_CLAMP)}) ${f4(TANH_CLAMP)}))
    (local.set $x2 (f32x4.mul (local.get $c) (local.get $c)))
    (local.set $p ${f4(-2.76076847742355e-16)})
    ${[
      2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5,
      6.37261928875436e-4, 4.89352455891786e-3,
    ]
      .map((a) => `(local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) ${f4(a)}))`)
      .join('\n    ')}
    (local.set $p (f32x4.mul (local.get $p) (local.get $c)))
    (local.set $q ${f4(1.19825839466702e-6)})
    ${[1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3]
      .map((b) => `(local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) ${f4(b)}))`)
      .join('\n    ')}
    (v128.bitselect (local.get $x) (f32x4.div (local.get $p) (local.get $q))
      (f32x4.lt (f32x4.abs (local.get $x)) ${f4(TANH_LINEAR)})))
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.add (f32x4.mul (call $tanh (f32x4.mul (local.get $x) ${f4(0.5)})) ${f4(0.5)}) ${f4(0.5)}))
  (func $flush (param $v v128) (result v128)
    (v128.and (local.get $v) (f32x4.ge (f32x4.abs (local.get $v)) ${f4(TINY)})))`;

/** A v128 expression. */
export type V = string;

export interface ElementAccess {
  /** The value(s) of `array` (a pointer local of the row) at column n (+ `offset` floats), as a v128. */
  load(array: string, offset?: number | string): V;
  /** Store v at `array`'s column n (+ offset floats). */
  store(array: string, v: V, offset?: number | string): string;
}

/** f32x4 arithmetic shorthands for kernel bodies. */
export const v = {
  add: (a: V, b: V): V => `(f32x4.add ${a} ${b})`,
  sub: (a: V, b: V): V => `(f32x4.sub ${a} ${b})`,
  mul: (a: V, b: V): V => `(f32x4.mul ${a} ${b})`,
  tanh: (a: V): V => `(call $tanh ${a})`,
  sigmoid: (a: V): V => `(call $sigmoid ${a})`,
  flush: (a: V): V => `(call $flush ${a})`,
  get: (name: string): V => `(local.get $${name})`,
  /** A scalar f32 parameter splatted (the local must hold an f32). */
  splat: (name: string): V => `(f32x4.splat (local.get $${name}))`,
  const: (x: number): V => f4(x),
  /** Set a v128 local. */
  set: (name: string, a: V): string => `(local.set $${name} ${a})`,
};

/**
 * The loops of an element-wise pass over `rows` rows of `cols` columns: for each row, the pointer locals named in
 * `rowPointers` (byte pointers) are advanced by their row strides (in floats) after the row; `body` runs on
 * columns [n, n+4) with v128 access and then on each remaining column alone. The function must declare the i32
 * locals $row and $n, and v128 locals used by the body.
 */
export function rowLoops(o: {
  rows: string;
  cols: string;
  rowPointers: Record<string, string>;
  body: (access: ElementAccess) => string;
}): string {
  const at = (array: string, offset: number | string | undefined) => {
    const base = `(i32.add (local.get $${array}) (i32.shl (local.get $n) (i32.const 2)))`;
    if (offset === undefined || offset === 0) return base;
    const off =
      typeof offset === 'number' ? `(i32.const ${4 * offset})` : `(i32.shl ${offset} (i32.const 2))`;
    return `(i32.add ${base} ${off})`;
  };
  const vec: ElementAccess = {
    load: (a, off) => `(v128.load ${at(a, off)})`,
    store: (a, val, off) => `(v128.store ${at(a, off)} ${val})`,
  };
  const one: ElementAccess = {
    load: (a, off) => `(v128.load32_splat ${at(a, off)})`,
    store: (a, val, off) => `(f32.store ${at(a, off)} (f32x4.extract_lane 0 ${val}))`,
  };
  const advance = Object.entries(o.rowPointers)
    .map(([p, stride]) => `(local.set $${p} (i32.add (local.get $${p}) (i32.shl ${stride} (i32.const 2))))`)
    .join('\n      ');
  return `(local.set $row (i32.const 0))
    (block $rows_end (loop $rows
      (br_if $rows_end (i32.ge_u (local.get $row) ${o.rows}))
      (local.set $n (i32.const 0))
      (block $vec_end (loop $vec
        (br_if $vec_end (i32.gt_u (i32.add (local.get $n) (i32.const 4)) ${o.cols}))
        ${o.body(vec)}
        (local.set $n (i32.add (local.get $n) (i32.const 4)))
        (br $vec)))
      (block $one_end (loop $one
        (br_if $one_end (i32.ge_u (local.get $n) ${o.cols}))
        ${o.body(one)}
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $one)))
      ${advance}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows)))`;
}

/** A whole module: the shared memory import, WAT_MATH, and the given functions. */
export function pointwiseModule(functions: string): string {
  return `(module
  (import "env" "memory" (memory 1 65536 shared))
  ${WAT_MATH}
  ${functions})`;
}
