// Small data files in the real formats (IDX, CIFAR-10 binary, .npz, CSV), made by the tests themselves.
import fs from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { Rng } from '../../core/engine/rng.ts';

/** An IDX file of unsigned bytes: magic 00 00 08 ndims, big-endian sizes, data. */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export interface TinyImages {
  train: { images: Uint8Array; labels: Uint8Array };
  test: { images: Uint8Array; labels: Uint8Array };
}

/** Random 28×28 digits (each image's pixels depend on its label, so a model can learn them) and labels 0–9. */
export function tinyMnist(nTrain: number, nTest: number, seed = 1): TinyImages {
  const rng = Rng.stream(seed, 'tiny-mnist');
  const make = (n: number) => {
    const labels = Uint8Array.from({ length: n }, () => rng.int(10));
    const images = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < 784; p++) images[i * 784 + p] = (p * 7 + labels[i]! * 31 + rng.int(40)) % 256;
    return { images, labels };
  };
  return { train: make(nTrain), test: make(nTest) };
}

/** Writes the four MNIST IDX files of `im` into `dir` (gzipped when asked). */
export function writeMnistFolder(dir: string, im: TinyImages, gzip = false): string {
  fs.mkdirSync(dir, { recursive: true });
  const put = (name: string, bytes: Uint8Array) =>
    fs.writeFileSync(path.join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  put('train-images-idx3-ubyte', idxBytes([im.train.labels.length, 28, 28], im.train.images));
  put('train-labels-idx1-ubyte', idxBytes([im.train.labels.length], im.train.labels));
  put('t10k-images-idx3-ubyte', idxBytes([im.test.labels.length, 28, 28], im.test.images));
  put('t10k-labels-idx1-ubyte', idxBytes([im.test.labels.length], im.test.labels));
  return dir;
}

/**
 * A CIFAR-10 binary folder: data_batch_1..5.bin with `perBatch` records each and test_batch.bin with `nTest`;
 * record = label byte + R, G, B planes. Pixel values encode (image, channel, position) so tests can check packing:
 * value = (i·13 + c·80 + p) mod 256 for image i (over all files), channel c, position p.
 */
export function writeCifarFolder(dir: string, perBatch: number, nTest: number): string {
  fs.mkdirSync(dir, { recursive: true });
  let image = 0;
  const file = (name: string, n: number) => {
    const out = new Uint8Array(n * 3073);
    for (let k = 0; k < n; k++, image++) {
      out[k * 3073] = image % 10;
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < 1024; p++) out[k * 3073 + 1 + c * 1024 + p] = cifarPixel(image, c, p);
    }
    fs.writeFileSync(path.join(dir, name), out);
  };
  for (let b = 1; b <= 5; b++) file(`data_batch_${b}.bin`, perBatch);
  file('test_batch.bin', nTest);
  return dir;
}

export const cifarPixel = (image: number, c: number, p: number): number => (image * 13 + c * 80 + p) % 256;

/** A zip archive of `entries` (stored, or deflated as np.savez_compressed does), for .npz files. */
export function zipBytes(entries: Record<string, Uint8Array>, deflate: boolean): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const body = deflate ? deflateRawSync(data) : Buffer.from(data);
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}
