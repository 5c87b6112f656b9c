// NumPy .npz archives: a zip of .npy members, stored or deflated (np.savez / np.savez_compressed), zip64 included.
import { readZip } from '../../engine/zip.ts';
import { badFile } from './files.ts';
import { parseNpy, type NpyArray } from './npy.ts';

/** The arrays of an .npz file, by key (member name without `.npy`). */
export function parseNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>();
  for (const m of readZip(bytes, (problem) =>
    badFile(file, `is not a valid zip (.npz) archive: ${problem}`),
  )) {
    if (m.name.endsWith('/')) continue;
    const key = m.name.replace(/\.npy$/, '');
    out.set(key, parseNpy(m.read(), `${file}[${key}]`));
  }
  if (out.size === 0) throw badFile(file, 'holds no arrays');
  return out;
}
