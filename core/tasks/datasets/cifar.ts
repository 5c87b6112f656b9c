// CIFAR-10 binary version: data_batch_1..5.bin and test_batch.bin, records of 1 label byte + 3072 pixel bytes.
import fs from 'node:fs';
import path from 'node:path';
import { badFile, readHashed } from './files.ts';
import type { ImageSplit } from './idx.ts';

/** One record: the label (0–9), then the red, green and blue planes of 32×32 pixels, each row-major. */
export const CIFAR_RECORD = 1 + 3 * 1024;
export const CIFAR_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR_TEST_FILE = 'test_batch.bin';

export interface CifarImages {
  /** Images [n, 3, 32, 32] (channel planes) with their labels. */
  train: ImageSplit;
  test: ImageSplit;
  /** Relative to the source folder, in hashing order (the five training batches, then the test batch). */
  files: string[];
  hashes: string[];
  bytes: number;
}

/** Splits records into labels and planes, refusing a length that is not whole records or a label above 9. */
function parseRecords(bytes: Uint8Array, file: string): ImageSplit {
  if (bytes.length === 0) throw badFile(file, 'is empty');
  if (bytes.length % CIFAR_RECORD !== 0)
    throw badFile(
      file,
      `truncated: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD}-byte CIFAR-10 records ` +
        `(1 label byte + 3072 pixel bytes); ${bytes.length % CIFAR_RECORD} bytes left over`,
    );
  const n = bytes.length / CIFAR_RECORD;
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = bytes[i * CIFAR_RECORD]!;
    if (label > 9) throw badFile(file, `record ${i} has label ${label}; CIFAR-10 labels are 0–9`);
    labels[i] = label;
    images.set(bytes.subarray(i * CIFAR_RECORD + 1, (i + 1) * CIFAR_RECORD), i * 3072);
  }
  return { images, labels, n };
}

/** The folder holding the batches: `folder` itself or its `cifar-10-batches-bin/` (as the archive unpacks). */
export function cifarFolder(folder: string): string {
  const inner = path.join(folder, 'cifar-10-batches-bin');
  return !fs.existsSync(path.join(folder, CIFAR_TEST_FILE)) &&
    fs.existsSync(path.join(inner, CIFAR_TEST_FILE))
    ? inner
    : folder;
}

function concat(parts: ImageSplit[]): ImageSplit {
  const n = parts.reduce((a, p) => a + p.n, 0);
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * 3072);
    labels.set(p.labels, at);
    at += p.n;
  }
  return { images, labels, n };
}

/** Reads (and checks) the six CIFAR-10 binary batches of `folder` (see cifarFolder). */
export function readCifarFolder(source: string): CifarImages {
  const folder = cifarFolder(source);
  const files = [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE];
  const missing = files.filter((f) => !fs.existsSync(path.join(folder, f)));
  if (missing.length > 0)
    throw badFile(
      source,
      `is not a CIFAR-10 binary folder: ${missing.join(', ')} missing (expected data_batch_1.bin … data_batch_5.bin and test_batch.bin)`,
    );
  const hashes: string[] = [];
  let bytes = 0;
  const splits = files.map((f) => {
    const file = path.join(folder, f);
    const b = readHashed(file, hashes);
    bytes += b.length;
    return parseRecords(b, file);
  });
  const rel = folder === source ? files : files.map((f) => path.join('cifar-10-batches-bin', f));
  return { train: concat(splits.slice(0, 5)), test: splits[5]!, files: rel, hashes, bytes };
}
