// NumPy .npy arrays (format versions 1–3): numeric dtypes, either byte order, C order.
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

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

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

/** Parses the header dict `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. */
function parseHeader(text: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined) {
    if (/'descr'\s*:\s*\[/.test(text))
      throw badFile(
        file,
        'unsupported dtype: structured (record) arrays are not supported; save a plain numeric array',
      );
    throw badFile(file, `has a malformed .npy header (no 'descr'): ${text.trim()}`);
  }
  if (fortran === undefined || shapeText === undefined)
    throw badFile(file, `has a malformed .npy header: ${text.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw badFile(file, `has a malformed shape (${shapeText}) in its .npy header`);
  return { descr, fortran: fortran === 'True', shape };
}

/**
 * Reads a .npy file: magic `\x93NUMPY`, version, header length (uint16 for v1, uint32 for v2/v3), a Python dict
 * literal header, then the raw data. Accepts float16/32/64, (un)signed integers of 1–8 bytes and booleans in
 * either byte order and C order; refuses every other dtype, Fortran order, and data shorter or longer than the shape.
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m))
    throw badFile(file, 'is not a .npy file (it does not start with \\x93NUMPY)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw badFile(file, `has .npy format version ${major}.${bytes[7]}, not 1–3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start + headerLen) throw badFile(file, 'truncated inside its .npy header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + headerLen),
  );
  const { descr, fortran, shape } = parseHeader(text, file);
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
  const dataStart = start + headerLen;
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

/** A .npy file in memory (version 1.0, little-endian), for tests and exports. */
export function encodeNpy(
  values: ArrayLike<number>,
  shape: number[],
  descr: '<f4' | '<f8' | '<i8' | '<i4' = '<f4',
): Uint8Array {
  const size = Number(descr.slice(2));
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const o = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (descr === '<f4') view.setFloat32(o + i * 4, v, true);
    else if (descr === '<f8') view.setFloat64(o + i * 8, v, true);
    else if (descr === '<i4') view.setInt32(o + i * 4, v, true);
    else view.setBigInt64(o + i * 8, BigInt(v), true);
  }
  return out;
}
