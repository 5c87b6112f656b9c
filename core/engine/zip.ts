// Reading zip archives (PKWARE APPNOTE 6.3.x), as NumPy's .npz files are: stored or deflated members, zip64
// sizes and offsets, every member checked against its size and CRC-32. Shared by the dataset reader
// (core/tasks/datasets/npz.ts) and the weight import (core/export/npz.ts).
import { crc32, inflateRawSync } from 'node:zlib';

/** A member by name; `read` inflates and checks it (one at a time, so a large archive is never held twice). */
export interface ZipMember {
  name: string;
  read(): Uint8Array;
}

interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** The central directory (APPNOTE §4.3), with zip64 sizes and offsets where present. */
function centralDirectory(bytes: Uint8Array, fail: (problem: string) => Error): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--)
    if (view.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw fail('no end-of-central-directory record: truncated or not a zip');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== SIG_EOCD64_LOCATOR)
      throw fail('a zip64 archive without its zip64 locator');
    const at = Number(view.getBigUint64(loc + 8, true));
    if (at + 56 > bytes.length || view.getUint32(at, true) !== SIG_EOCD64)
      throw fail('a broken zip64 end-of-central-directory record');
    count = Number(view.getBigUint64(at + 32, true));
    cdSize = Number(view.getBigUint64(at + 40, true));
    cdOffset = Number(view.getBigUint64(at + 48, true));
  }
  if (cdOffset + cdSize > bytes.length) throw fail('truncated: its central directory lies past the end');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== SIG_CENTRAL)
      throw fail(`a broken central directory (entry ${k})`);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const e: ZipEntry = {
      name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen)),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
    };
    // The zip64 extra field (id 1) holds, in this order, those of the three that were 0xffffffff.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (id === 1) {
        let q = x + 4;
        const next = () => {
          const v = Number(view.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (e.size === 0xffffffff) e.size = next();
        if (e.compressedSize === 0xffffffff) e.compressedSize = next();
        if (e.localOffset === 0xffffffff) e.localOffset = next();
      }
      x += 4 + len;
    }
    entries.push(e);
    p = xEnd + commentLen;
  }
  return entries;
}

/** The uncompressed bytes of one member, checked against its size and CRC-32. */
function memberBytes(bytes: Uint8Array, e: ZipEntry, fail: (problem: string) => Error): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = e.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== SIG_LOCAL)
    throw fail(`member '${e.name}' has a broken local header`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + e.compressedSize > bytes.length) throw fail(`member '${e.name}' runs past the end of the file`);
  const raw = bytes.subarray(start, start + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) out = raw;
  else if (e.method === 8) {
    try {
      const b = inflateRawSync(raw);
      out = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (err) {
      throw fail(`member '${e.name}' does not inflate (${(err as Error).message})`);
    }
  } else throw fail(`member '${e.name}' uses compression method ${e.method} (stored and deflated are read)`);
  if (out.length !== e.size)
    throw fail(`member '${e.name}' has ${out.length} bytes, its header says ${e.size}`);
  if (crc32(out) >>> 0 !== e.crc) throw fail(`member '${e.name}' fails its CRC-32 check`);
  return out;
}

/** The members of a zip archive, in directory order (directories included). */
export function readZip(bytes: Uint8Array, fail: (problem: string) => Error): ZipMember[] {
  return centralDirectory(bytes, fail).map((e) => ({
    name: e.name,
    read: () => memberBytes(bytes, e, fail),
  }));
}
