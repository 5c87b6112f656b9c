// File access shared by the dataset readers: refusals that name the file, gzip, and the content hash.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { WorkbenchError } from '../../api/errors.ts';

/** A refusal of a data file: the message names the file and the problem (code `invalid_dataset`). */
export function badFile(file: string, problem: string): WorkbenchError {
  return new WorkbenchError('invalid_dataset', `${file}: ${problem}`);
}

/** The bytes of `file`, refusing a missing or unreadable one with a message that names it. */
export function readBytes(file: string): Uint8Array {
  try {
    const b = fs.readFileSync(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw badFile(
      file,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : `cannot be read (${code ?? String(err)})`,
    );
  }
}

/** readBytes, recording the file's sha256 in `hashes` (a dataset's hash is taken over the bytes it was read from). */
export function readHashed(file: string, hashes: string[]): Uint8Array {
  const bytes = readBytes(file);
  hashes.push(sha256Hex(bytes));
  return bytes;
}

/** `bytes` gunzipped when they start with the gzip magic (1f 8b), else as they are. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw badFile(file, `is not a valid gzip file (${(err as Error).message})`);
  }
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The hash of a dataset made of several files: sha256 of the concatenated hex sha256 of each file, in the
 * order given (a single file's dataset hash is therefore not its own sha256, but is as stable).
 */
export function combinedHash(fileHashes: readonly string[]): string {
  return createHash('sha256').update(fileHashes.join('')).digest('hex');
}

/** Whether `p` is a folder (false for a file or nothing). */
export function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The path of `rel` in `source`: `source` itself when rel is '' (a one-file dataset), `rel` when absolute. */
export const resolveIn = (source: string, rel: string): string =>
  rel === '' ? source : path.isAbsolute(rel) ? rel : path.join(source, rel);
