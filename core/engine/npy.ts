// The NumPy .npy container (numpy/lib/format.py), shared by the dataset reader (core/tasks/datasets/npy.ts) and the
// weight export (core/export/npz.ts): the magic, version, header length and header dict. What a dtype means, and
// which dtypes are accepted, is each caller's business.

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  /** The dtype string, e.g. '<f4'. */
  descr: string;
  fortran: boolean;
  shape: number[];
  /** Offset of the first data byte. */
  dataStart: number;
}

/**
 * Reads the container of a .npy file, versions 1–3: magic `\x93NUMPY`, version, header length (uint16 for v1,
 * uint32 for v2/v3), a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. `fail`
 * turns a problem into the caller's error.
 */
export function readNpyHeader(bytes: Uint8Array, fail: (problem: string) => Error): NpyHeader {
  if (bytes.length < 10 || NPY_MAGIC.some((m, i) => bytes[i] !== m))
    throw fail('is not a .npy file (it does not start with \\x93NUMPY)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw fail(`has .npy format version ${major}.${bytes[7]}, not 1–3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) throw fail('truncated inside its .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < start + headerLen)
    throw fail(`truncated inside its .npy header (header length ${headerLen} runs past the end of the file)`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + headerLen),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined) {
    if (/'descr'\s*:\s*\[/.test(text))
      throw fail(
        'unsupported dtype: structured (record) arrays are not supported; save a plain numeric array',
      );
    throw fail(`has a malformed .npy header (no 'descr'): ${text.trim()}`);
  }
  if (fortran === undefined || shapeText === undefined)
    throw fail(`has a malformed .npy header: ${text.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw fail(`has a malformed shape (${shapeText}) in its .npy header`);
  return { descr, fortran: fortran === 'True', shape, dataStart: start + headerLen };
}

/**
 * One .npy file, format version 1.0: the magic, version 1.0, a u16 LE header length, the header dict padded with
 * spaces and ended by '\n' so that the data starts at a multiple of 64 bytes, then `data` (C order) as given.
 */
export function npyFile(descr: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}
