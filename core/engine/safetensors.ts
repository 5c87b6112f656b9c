// The safetensors format (8-byte header length, JSON header, raw little-endian data): checkpoints and exports.
import { WorkbenchError } from '../api/errors.ts';

/** A named float32 tensor in plain arrays. */
export interface NamedTensor {
  shape: number[];
  values: Float32Array;
}

const MAX_HEADER = 100 * 1024 * 1024;

/**
 * Encode float32 tensors as safetensors (huggingface/safetensors spec): u64 LE header size N, N bytes of JSON
 * `{name: {dtype: 'F32', shape, data_offsets: [begin, end]}, __metadata__: {string: string}}`, then the data.
 * Tensors are written in name order so the bytes are reproducible; the header is padded with spaces to 8 bytes.
 */
export function encodeSafetensors(
  tensors: Record<string, NamedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length)
      throw new Error(`tensor '${name}': ${t.values.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    const begin = (header[name] as { data_offsets: [number, number] }).data_offsets[0];
    const dv = new DataView(out.buffer, base + begin, 4 * t.values.length);
    for (let i = 0; i < t.values.length; i++) dv.setFloat32(4 * i, t.values[i]!, true);
  }
  return out;
}

/** Decode safetensors written by `encodeSafetensors` (F32 only); `what` names the source in error messages. */
export function decodeSafetensors(
  bytes: Uint8Array,
  what: string,
): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  const bad = (why: string) =>
    new WorkbenchError('invalid_input', `${what}: not a valid safetensors file (${why})`);
  if (bytes.length < 8) throw bad('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length)
    throw bad(`header length ${n} runs past the end of the ${bytes.length}-byte file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad(`its ${n}-byte header is not JSON`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw bad('its header is not a JSON object');
  const base = 8 + n;
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (
        typeof entry !== 'object' ||
        entry === null ||
        Object.values(entry).some((v) => typeof v !== 'string')
      )
        throw bad('__metadata__ is not an object of strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32')
      throw bad(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; only F32 (float32) is supported`);
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      throw bad(`tensor '${name}' has no valid shape (${JSON.stringify(shape)})`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d)))
      throw bad(`tensor '${name}' has no valid data_offsets (${JSON.stringify(offsets)})`);
    const [begin, end] = offsets as [number, number];
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (begin < 0 || end - begin !== 4 * size || base + end > bytes.length)
      throw bad(
        `tensor '${name}' has data offsets [${begin}, ${end}] that do not fit shape [${shape.join(', ')}] or the ${bytes.length}-byte file`,
      );
    const values = new Float32Array(size);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + base + begin, 4 * size);
    for (let i = 0; i < size; i++) values[i] = dv.getFloat32(4 * i, true);
    tensors[name] = { shape: shape as number[], values };
  }
  return { tensors, metadata };
}
