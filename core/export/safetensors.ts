// safetensors weight files (huggingface/safetensors spec), through the engine's codec that checkpoints use too.
import { WorkbenchError } from '../api/errors.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../engine/safetensors.ts';
import type { WeightFile, WeightFormat } from './format.ts';
import type { RawTensor } from './tensors.ts';

/**
 * One `<base>.safetensors`: u64 LE header length, a JSON header {name: {dtype 'F32', shape, data_offsets}} with
 * `__metadata__` (the run's config, every value a string, as the spec requires), then the little-endian data.
 * Complex weights are split into `<name>.real` and `<name>.imag` (safetensors has no complex dtype that PyTorch's
 * reader and Netron agree on).
 */
export const safetensorsFormat: WeightFormat = {
  name: 'safetensors',
  complex: 'split',
  encode(file, base) {
    const tensors: Record<string, NamedTensor> = {};
    for (const [name, t] of Object.entries(file.tensors)) {
      if (t.dtype !== 'float32') throw new Error(`safetensors: tensor '${name}' is ${t.dtype}, not float32`);
      tensors[name] = { shape: t.shape, values: t.values };
    }
    return [{ name: `${base}.safetensors`, data: encodeSafetensors(tensors, file.metadata) }];
  },
  recognises(files) {
    const f = files.length === 1 ? files[0] : undefined;
    // A safetensors file starts with its header length; its header with '{'.
    return f !== undefined && f.data.length >= 9 && f.data[8] === 0x7b;
  },
  decode(files, what): WeightFile {
    if (files.length !== 1)
      throw new WorkbenchError(
        'invalid_input',
        `${what}: a safetensors export is one file, got ${files.length}`,
      );
    const { tensors, metadata } = decodeSafetensors(files[0]!.data, what);
    const out: Record<string, RawTensor> = {};
    for (const [name, t] of Object.entries(tensors)) out[name] = { dtype: 'float32', ...t };
    return { tensors: out, metadata };
  },
};
