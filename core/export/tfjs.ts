// TF.js weights: model.json with a weightsManifest and binary shards (tfjs-converter's layout), read back by the workbench.
import { WorkbenchError } from '../api/errors.ts';
import type { WeightFile, WeightFormat } from './format.ts';
import type { ExportFile, RawTensor } from './tensors.ts';

/** tfjs-converter's default shard size: 4 MiB. */
const SHARD_BYTES = 4 * 1024 * 1024;
export const TFJS_MANIFEST = 'model.json';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  weightsManifest?: { paths: string[]; weights: ManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

/**
 * `model.json` and `<base>.group1-shardKofN.bin`: the weights in the workbench's own names and layouts (complex
 * weights as [Re | Im] float32, as the cells hold them), concatenated little-endian float32 in manifest order and
 * cut into 4 MiB shards, as tfjs-converter writes them; `tf.io.decodeWeights` (or `tf.loadWeights`) reads them.
 * The run's config goes in `userDefinedMetadata`. There is no model topology (the cells are not Keras layers): the
 * workbench rebuilds the model from the config.
 */
export const tfjsFormat: WeightFormat = {
  name: 'tfjs',
  complex: 'native',
  encode(file, base) {
    const entries = Object.entries(file.tensors);
    const total = entries.reduce((n, [, t]) => n + 4 * t.values.length, 0);
    const all = new Uint8Array(total);
    const dv = new DataView(all.buffer);
    let at = 0;
    for (const [name, t] of entries) {
      if (t.dtype !== 'float32') throw new Error(`tfjs: tensor '${name}' is ${t.dtype}, not float32`);
      for (let i = 0; i < t.values.length; i++, at += 4) dv.setFloat32(at, t.values[i]!, true);
    }
    const count = Math.max(1, Math.ceil(total / SHARD_BYTES));
    const shards: ExportFile[] = Array.from({ length: count }, (_, k) => ({
      name: `${base}.group1-shard${k + 1}of${count}.bin`,
      data: all.subarray(k * SHARD_BYTES, Math.min(total, (k + 1) * SHARD_BYTES)),
    }));
    const model: ModelJson = {
      format: 'rnn-workbench-weights',
      generatedBy: file.metadata['app_version']
        ? `rnn-workbench ${file.metadata['app_version']}`
        : 'rnn-workbench',
      weightsManifest: [
        {
          paths: shards.map((s) => s.name),
          weights: entries.map(([name, t]) => ({ name, shape: t.shape, dtype: 'float32' })),
        },
      ],
      userDefinedMetadata: file.metadata,
    };
    return [
      { name: TFJS_MANIFEST, data: Buffer.from(JSON.stringify(model, null, 1) + '\n', 'utf8') },
      ...shards,
    ];
  },
  recognises(files) {
    return files.some((f) => f.name.endsWith('.json') && f.data[0] === 0x7b && manifestOf(f) !== null);
  },
  decode(files, what): WeightFile {
    const bad = (why: string) => new WorkbenchError('invalid_input', `${what}: ${why}`);
    const json = files.find((f) => f.name.endsWith('.json'));
    const model = json ? manifestOf(json) : null;
    if (!json || !model?.weightsManifest) throw bad('no TF.js model.json with a weightsManifest');
    const tensors: Record<string, RawTensor> = {};
    for (const group of model.weightsManifest) {
      const parts = group.paths.map((p) => {
        const base = p.split('/').pop()!;
        const f = files.find((g) => g.name === p || g.name.split('/').pop() === base);
        if (!f) throw bad(`shard '${p}' named by ${json.name} is missing`);
        return f.data;
      });
      const data = Buffer.concat(parts);
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      let at = 0;
      for (const w of group.weights) {
        if (w.dtype !== 'float32')
          throw bad(`weight '${w.name}' has dtype '${w.dtype}'; only float32 weights are read`);
        if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
          throw bad(`weight '${w.name}' has no valid shape`);
        const size = w.shape.reduce((a, b) => a * b, 1);
        if (at + 4 * size > data.length)
          throw bad(`the shards end before weight '${w.name}' (${data.length} bytes in all)`);
        const values = new Float32Array(size);
        for (let i = 0; i < size; i++, at += 4) values[i] = dv.getFloat32(at, true);
        tensors[w.name] = { dtype: 'float32', shape: w.shape, values };
      }
      if (at !== data.length)
        throw bad(`the shards hold ${data.length - at} bytes more than the manifest's weights`);
    }
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(model.userDefinedMetadata ?? {}))
      metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return { tensors, metadata };
  },
};

function manifestOf(f: ExportFile): ModelJson | null {
  try {
    const m = JSON.parse(Buffer.from(f.data).toString('utf8')) as ModelJson;
    return Array.isArray(m.weightsManifest) ? m : null;
  } catch {
    return null;
  }
}
