// Weights as exported tensors and back: the one place that maps a model's weights onto a file's tensors.
import { WorkbenchError } from '../api/errors.ts';
import type { WeightSpec } from '../models/cell.ts';
import type { WeightValues } from '../models/model.ts';

/** One tensor of a weight file: float32, or complex64 with interleaved (re, im) values (2 floats per element). */
export interface RawTensor {
  dtype: 'float32' | 'complex64';
  shape: number[];
  values: Float32Array;
}

/** One file of an export or import (the hosts move the bytes; core never picks paths). */
export interface ExportFile {
  name: string;
  data: Uint8Array;
}

/**
 * How a format holds a complex weight (WeightSpec.complex: its last axis is [Re | Im], 2n wide):
 * - 'native': as the workbench does, one float32 tensor [..., 2n] (TF.js, which the workbench reads back);
 * - 'split': two float32 tensors `<name>.real` and `<name>.imag` [..., n] (safetensors, which has no complex dtype
 *   that PyTorch's reader and Netron agree on);
 * - 'complex': one complex64 tensor [..., n] (NumPy .npz).
 */
export type ComplexMode = 'native' | 'split' | 'complex';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const fmtShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The halves' shape of a complex weight of stored shape [..., 2n]: [..., n]. */
function halfShape(spec: WeightSpec): number[] {
  const last = spec.shape[spec.shape.length - 1]!;
  return [...spec.shape.slice(0, -1), last / 2];
}

/** The file's tensors of a model's weights (`specs`, in their order) under `mode`. */
export function exportTensors(
  specs: readonly WeightSpec[],
  weights: Readonly<Record<string, WeightValues>>,
  mode: ComplexMode,
): Record<string, RawTensor> {
  const out: Record<string, RawTensor> = {};
  for (const spec of specs) {
    const w = weights[spec.name];
    if (!w || w.values.length !== size(spec.shape))
      throw new Error(`export: weight '${spec.name}' is missing or does not fill ${fmtShape(spec.shape)}`);
    if (!spec.complex || mode === 'native') {
      out[spec.name] = { dtype: 'float32', shape: [...spec.shape], values: w.values };
      continue;
    }
    const shape = halfShape(spec);
    const n = shape[shape.length - 1]!;
    const rows = size(shape) / n;
    const re = new Float32Array(rows * n);
    const im = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      re.set(w.values.subarray(r * 2 * n, r * 2 * n + n), r * n);
      im.set(w.values.subarray(r * 2 * n + n, (r + 1) * 2 * n), r * n);
    }
    if (mode === 'split') {
      out[`${spec.name}.real`] = { dtype: 'float32', shape, values: re };
      out[`${spec.name}.imag`] = { dtype: 'float32', shape: [...shape], values: im };
    } else {
      const values = new Float32Array(2 * rows * n);
      for (let i = 0; i < rows * n; i++) {
        values[2 * i] = re[i]!;
        values[2 * i + 1] = im[i]!;
      }
      out[spec.name] = { dtype: 'complex64', shape, values };
    }
  }
  return out;
}

/**
 * A model's weights from a file's tensors, whatever the complex mode of the file, checked against the architecture:
 * every weight present with its exact shape and dtype, and nothing else. Refused with invalid_input, naming the
 * tensor, what the file has and what `arch` expects; `what` names the file.
 */
export function importTensors(
  specs: readonly WeightSpec[],
  tensors: Readonly<Record<string, RawTensor>>,
  what: string,
  arch: string,
): Record<string, WeightValues> {
  const bad = (why: string) => new WorkbenchError('invalid_input', `${what}: ${why}`);
  const expected = specs.map((s) => `${s.name} ${fmtShape(s.shape)}`).join(', ');
  const used = new Set<string>();
  const out: Record<string, WeightValues> = {};
  const take = (name: string): RawTensor | undefined => {
    const t = tensors[name];
    if (t) used.add(name);
    return t;
  };
  const checkShape = (name: string, t: RawTensor, shape: readonly number[]) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw bad(
        `tensor '${name}' has shape ${fmtShape(t.shape)}, but ${arch} with this config expects ${fmtShape(shape)}`,
      );
  };
  for (const spec of specs) {
    const whole = take(spec.name);
    if (whole && (whole.dtype === 'float32' || !spec.complex)) {
      if (whole.dtype !== 'float32')
        throw bad(`tensor '${spec.name}' is ${whole.dtype}; ${arch} expects a real (float32) tensor`);
      checkShape(spec.name, whole, spec.shape);
      out[spec.name] = { shape: [...spec.shape], values: whole.values };
      continue;
    }
    if (!spec.complex)
      throw bad(`lacks tensor '${spec.name}' ${fmtShape(spec.shape)} (${arch} has: ${expected})`);
    const shape = halfShape(spec);
    const n = shape[shape.length - 1]!;
    const rows = size(shape) / n;
    let re: Float32Array;
    let im: Float32Array;
    if (whole) {
      checkShape(spec.name, whole, shape);
      re = new Float32Array(rows * n);
      im = new Float32Array(rows * n);
      for (let i = 0; i < rows * n; i++) {
        re[i] = whole.values[2 * i]!;
        im[i] = whole.values[2 * i + 1]!;
      }
    } else {
      const r = take(`${spec.name}.real`);
      const i = take(`${spec.name}.imag`);
      if (!r || !i)
        throw bad(
          `lacks the complex tensor '${spec.name}' ${fmtShape(shape)} (as complex64, or as '${spec.name}.real' and '${spec.name}.imag')`,
        );
      for (const [name, t] of [
        [`${spec.name}.real`, r],
        [`${spec.name}.imag`, i],
      ] as const) {
        if (t.dtype !== 'float32') throw bad(`tensor '${name}' is ${t.dtype}; expected float32`);
        checkShape(name, t, shape);
      }
      re = r.values;
      im = i.values;
    }
    const values = new Float32Array(size(spec.shape));
    for (let row = 0; row < rows; row++) {
      values.set(re.subarray(row * n, (row + 1) * n), row * 2 * n);
      values.set(im.subarray(row * n, (row + 1) * n), row * 2 * n + n);
    }
    out[spec.name] = { shape: [...spec.shape], values };
  }
  const extra = Object.keys(tensors).filter((name) => !used.has(name));
  if (extra.length > 0)
    throw bad(
      `has tensor${extra.length > 1 ? 's' : ''} ${extra.map((e) => `'${e}'`).join(', ')} that ${arch} does not (it has: ${expected})`,
    );
  return out;
}
