// NumPy .npy arrays (format versions 1–3): numeric dtypes, either byte order, C order.
import { npyFile, readNpyHeader } from '../../engine/npy.ts';
import { badFile } from './files.ts';

export interface NpyArray {
  shape: number[];
  /** The dtype string of the header, e.g. '<f4'. */
  descr: string;
  /** 'f' float, 'i' signed integer, 'u' unsigned integer, 'b' boolean. */
  kind: 'f' | 'i' | 'u' | 'b';
  /** The values in row-major order (integers exact up to 2⁵³). */
  values: Float32Array | Float64Array;
}

const KIND_NAMES: Record<string, string> = {
  c: 'complex',
  O: 'Python object',
  U: 'unicode string',
  S: 'byte string',
  a: 'byte string',
  V: 'void / structured',
  M: 'datetime',
  m: 'timedelta',
};

/**
 * Reads a .npy file (the container through engine/npy.ts), then its data. Accepts float16/32/64, (un)signed
 * integers of 1–8 bytes and booleans in either byte order and C order; refuses every other dtype, Fortran order,
 * and data shorter or longer than the shape.
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const { descr, fortran, shape, dataStart } = readNpyHeader(bytes, (problem) => badFile(file, problem));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = /^([<>|=])([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) throw badFile(file, `unsupported dtype '${descr}'`);
  const [, order, kindChar, sizeText] = m as unknown as [string, string, string, string];
  const size = Number(sizeText);
  const little = order !== '>';
  const ok =
    (kindChar === 'f' && [2, 4, 8].includes(size)) ||
    ((kindChar === 'i' || kindChar === 'u') && [1, 2, 4, 8].includes(size)) ||
    (kindChar === 'b' && size === 1);
  if (!ok)
    throw badFile(
      file,
      `unsupported dtype '${descr}' (${KIND_NAMES[kindChar] ?? `${kindChar}${size}`}): use float16/32/64, integers or booleans`,
    );
  if (fortran) throw badFile(file, 'is stored in Fortran order; save it with np.ascontiguousarray (C order)');
  const count = shape.reduce((a, b) => a * b, 1);
  const have = bytes.length - dataStart;
  if (have < count * size)
    throw badFile(
      file,
      `truncated: shape (${shape.join(', ')}) of ${descr} needs ${count * size} data bytes, the file has ${have}`,
    );
  if (have > count * size)
    throw badFile(
      file,
      `has ${have - count * size} bytes after the data its shape (${shape.join(', ')}) announces`,
    );
  const kind: NpyArray['kind'] =
    kindChar === 'f' ? 'f' : kindChar === 'i' ? 'i' : kindChar === 'u' ? 'u' : 'b';
  const values = kind === 'f' && size <= 4 ? new Float32Array(count) : new Float64Array(count);
  const at = (i: number) => dataStart + i * size;
  for (let i = 0; i < count; i++) {
    const o = at(i);
    let v: number;
    if (kind === 'f')
      v =
        size === 8
          ? view.getFloat64(o, little)
          : size === 4
            ? view.getFloat32(o, little)
            : half(view.getUint16(o, little));
    else if (kind === 'b') v = bytes[o]! !== 0 ? 1 : 0;
    else if (size === 1) v = kind === 'i' ? view.getInt8(o) : view.getUint8(o);
    else if (size === 2) v = kind === 'i' ? view.getInt16(o, little) : view.getUint16(o, little);
    else if (size === 4) v = kind === 'i' ? view.getInt32(o, little) : view.getUint32(o, little);
    else v = Number(kind === 'i' ? view.getBigInt64(o, little) : view.getBigUint64(o, little));
    values[i] = v;
  }
  return { shape, descr, kind, values };
}

/** IEEE 754 half precision to a number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** A .npy file in memory (version 1.0, little-endian) of `values`, for tests. */
export function encodeNpy(
  values: ArrayLike<number>,
  shape: number[],
  descr: '<f4' | '<f8' | '<i8' | '<i4' = '<f4',
): Uint8Array {
  const size = Number(descr.slice(2));
  const data = new Uint8Array(values.length * size);
  const view = new DataView(data.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (descr === '<f4') view.setFloat32(i * 4, v, true);
    else if (descr === '<f8') view.setFloat64(i * 8, v, true);
    else if (descr === '<i4') view.setInt32(i * 4, v, true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  }
  return npyFile(descr, shape, data);
}
