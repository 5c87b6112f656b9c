// NumPy .npz weight files: a zip archive (stored, read also deflated) of .npy v1.0 arrays, written without dependencies.
import zlib from 'node:zlib';
import { WorkbenchError } from '../api/errors.ts';
import type { WeightFile, WeightFormat } from './format.ts';
import type { ExportFile, RawTensor } from './tensors.ts';

/** The archive member holding the metadata: the JSON text of an object of strings, as a uint8 array. */
export const NPZ_METADATA = '__metadata__';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<RawTensor['dtype'], string> = { float32: '<f4', complex64: '<c8' };

/**
 * One .npy file, format version 1.0 (numpy/lib/format.py): the magic, version 1.0, a u16 LE header length, the
 * header — a Python dict literal {'descr', 'fortran_order': False, 'shape'} padded with spaces and ended by '\n' so
 * that the data starts at a multiple of 64 bytes — then the data in C order, little-endian.
 */
export function encodeNpy(descr: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

const le32 = (values: Float32Array): Uint8Array => {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(4 * i, values[i]!, true);
  return out;
};

/** A parsed .npy array: its dtype descriptor, shape and the raw data bytes. */
export interface NpyArray {
  descr: string;
  shape: number[];
  data: Uint8Array;
}

const ITEM_SIZE: Record<string, number> = { '<f4': 4, '<f8': 8, '<c8': 8, '<c16': 16, '|u1': 1, '<u1': 1 };

/** Parse a .npy file (versions 1.0 to 3.0); refuses Fortran order, unknown dtypes and short data. */
export function decodeNpy(bytes: Uint8Array, what: string): NpyArray {
  const bad = (why: string) => new WorkbenchError('invalid_input', `${what}: ${why}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw bad('not a .npy array (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw bad(`.npy format version ${major} is not supported`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) throw bad('truncated .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + headerLen > bytes.length)
    throw bad(`.npy header length ${headerLen} runs past the end of the file`);
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || dims === undefined)
    throw bad(`unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw bad('Fortran-ordered arrays are not supported (save with C order)');
  const item = ITEM_SIZE[descr];
  if (item === undefined)
    throw bad(
      `dtype '${descr}' is not supported (float32 '<f4', float64 '<f8', complex64 '<c8', complex128 '<c16')`,
    );
  const shape = dims
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`invalid shape (${dims})`);
  const need = shape.reduce((a, b) => a * b, 1) * item;
  const data = bytes.subarray(start + headerLen);
  if (data.length < need) throw bad(`holds ${data.length} data bytes, its shape and dtype need ${need}`);
  return { descr, shape, data: data.subarray(0, need) };
}

/** The array as float32 (float32/float64) or interleaved complex64 (complex64/complex128) values. */
function toRawTensor(a: NpyArray, what: string): RawTensor {
  const dv = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const complex = a.descr === '<c8' || a.descr === '<c16';
  const wide = a.descr === '<f8' || a.descr === '<c16';
  if (!['<f4', '<f8', '<c8', '<c16'].includes(a.descr))
    throw new WorkbenchError('invalid_input', `${what}: dtype '${a.descr}' is not a weight dtype`);
  const count = a.data.length / (wide ? 8 : 4);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = wide ? dv.getFloat64(8 * i, true) : dv.getFloat32(4 * i, true);
  return { dtype: complex ? 'complex64' : 'float32', shape: a.shape, values };
}

// ---- zip (PKWARE APPNOTE 6.3.x): local headers, data, central directory, end record; no zip64. ----

/** 1980-01-01 00:00 in MS-DOS form: a fixed time, so the same weights always give the same bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** A zip archive of `entries`, each stored (method 0) with its CRC-32. */
export function encodeZip(entries: readonly ExportFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(e.data);
    if (e.data.length >= 0xffffffff) throw new Error(`zip: '${e.name}' is 4 GiB or more (no zip64 here)`);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(6, 0x0800, true); // flags: UTF-8 names
    lv.setUint16(8, 0, true); // stored
    lv.setUint16(10, DOS_TIME, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true); // made by: 2.0
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, DOS_TIME, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    parts.push(local, e.data);
    central.push(cd);
    offset += local.length + e.data.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return Buffer.concat([...parts, ...central, end]);
}

/** The members of a zip archive (stored or deflated), each checked against its CRC-32. */
export function decodeZip(bytes: Uint8Array, what: string): ExportFile[] {
  const bad = (why: string) =>
    new WorkbenchError('invalid_input', `${what}: not a valid .npz (zip) file (${why})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--)
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw bad('no end-of-central-directory record: truncated or not a zip');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  let p = view.getUint32(eocd + 16, true);
  if (p + cdSize > eocd) throw bad('its central directory runs past the end record');
  const out: ExportFile[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50)
      throw bad('damaged central directory');
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localAt = view.getUint32(p + 42, true);
    const name = Buffer.from(bytes.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (localAt + 30 > bytes.length || view.getUint32(localAt, true) !== 0x04034b50)
      throw bad(`member '${name}' has no local header`);
    const dataAt = localAt + 30 + view.getUint16(localAt + 26, true) + view.getUint16(localAt + 28, true);
    if (dataAt + compressed > bytes.length) throw bad(`member '${name}' runs past the end of the file`);
    const raw = bytes.subarray(dataAt, dataAt + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw);
      } catch {
        throw bad(`member '${name}' does not inflate`);
      }
    } else throw bad(`member '${name}' uses compression method ${method} (stored and deflate are read)`);
    if (data.length !== size || zlib.crc32(data) !== crc)
      throw bad(`member '${name}' fails its CRC-32 check`);
    out.push({ name, data });
  }
  return out;
}

/**
 * One `<base>.npz`, as numpy.savez writes it: a zip of `<tensor name>.npy` members (stored), float32 arrays and
 * complex weights as complex64; the metadata (the run's config) in `__metadata__.npy`, a uint8 array of JSON text
 * (`json.loads(bytes(npz['__metadata__']))`). Reading also takes float64 and complex128 arrays (narrowed to 32 bits)
 * and deflated archives (numpy.savez_compressed).
 */
export const npzFormat: WeightFormat = {
  name: 'npz',
  complex: 'complex',
  encode(file, base) {
    const members: ExportFile[] = Object.entries(file.tensors).map(([name, t]) => ({
      name: `${name}.npy`,
      data: encodeNpy(DESCR[t.dtype], t.shape, le32(t.values)),
    }));
    const meta = Buffer.from(JSON.stringify(file.metadata), 'utf8');
    members.push({ name: `${NPZ_METADATA}.npy`, data: encodeNpy('|u1', [meta.length], meta) });
    return [{ name: `${base}.npz`, data: encodeZip(members) }];
  },
  recognises(files) {
    const d = files.length === 1 ? files[0]!.data : undefined;
    return d !== undefined && d.length >= 4 && d[0] === 0x50 && d[1] === 0x4b && (d[2] === 3 || d[2] === 5);
  },
  decode(files, what): WeightFile {
    if (files.length !== 1)
      throw new WorkbenchError('invalid_input', `${what}: an .npz export is one file, got ${files.length}`);
    const tensors: Record<string, RawTensor> = {};
    let metadata: Record<string, string> = {};
    for (const m of decodeZip(files[0]!.data, what)) {
      if (!m.name.endsWith('.npy'))
        throw new WorkbenchError('invalid_input', `${what}: member '${m.name}' is not a .npy array`);
      const name = m.name.slice(0, -'.npy'.length);
      const arr = decodeNpy(m.data, `${what}: array '${name}'`);
      if (name === NPZ_METADATA) {
        try {
          const parsed = JSON.parse(Buffer.from(arr.data).toString('utf8')) as unknown;
          if (typeof parsed === 'object' && parsed !== null) metadata = parsed as Record<string, string>;
        } catch {
          throw new WorkbenchError('invalid_input', `${what}: ${NPZ_METADATA} is not JSON text`);
        }
        continue;
      }
      tensors[name] = toRawTensor(arr, `${what}: array '${name}'`);
    }
    return { tensors, metadata };
  },
};
