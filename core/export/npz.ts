// NumPy .npz weight files: a zip archive (stored, read also deflated) of .npy v1.0 arrays, written without dependencies;
// the .npy container and zip reading are engine/npy.ts and engine/zip.ts.
import zlib from 'node:zlib';
import { npyFile, readNpyHeader } from '../engine/npy.ts';
import { readZip } from '../engine/zip.ts';
import { WorkbenchError } from '../api/errors.ts';
import type { WeightFile, WeightFormat } from './format.ts';
import type { ExportFile, RawTensor } from './tensors.ts';

/** The archive member holding the metadata: the JSON text of an object of strings, as a uint8 array. */
export const NPZ_METADATA = '__metadata__';

const DESCR: Record<RawTensor['dtype'], string> = { float32: '<f4', complex64: '<c8' };

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
  const { descr, fortran, shape, dataStart } = readNpyHeader(bytes, bad);
  if (fortran) throw bad('Fortran-ordered arrays are not supported (save with C order)');
  const item = ITEM_SIZE[descr];
  if (item === undefined)
    throw bad(
      `dtype '${descr}' is not supported (float32 '<f4', float64 '<f8', complex64 '<c8', complex128 '<c16')`,
    );
  const need = shape.reduce((a, b) => a * b, 1) * item;
  const data = bytes.subarray(dataStart);
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
      data: npyFile(DESCR[t.dtype], t.shape, le32(t.values)),
    }));
    const meta = Buffer.from(JSON.stringify(file.metadata), 'utf8');
    members.push({ name: `${NPZ_METADATA}.npy`, data: npyFile('|u1', [meta.length], meta) });
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
    const members = readZip(
      files[0]!.data,
      (why) => new WorkbenchError('invalid_input', `${what}: not a valid .npz (zip) file (${why})`),
    );
    for (const member of members) {
      const m = { name: member.name, data: member.read() };
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
