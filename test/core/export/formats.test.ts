// Weight formats (safetensors, npz, tfjs): exact round trips for every architecture, files that other readers
// accept, and corrupt or foreign files refused with a message that says what is wrong.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import * as tf from '../../../core/engine/tf.ts';
import { selectBackend } from '../../../core/engine/backend.ts';
import { Rng } from '../../../core/engine/rng.ts';
import { encodeSafetensors } from '../../../core/engine/safetensors.ts';
import { npyFile } from '../../../core/engine/npy.ts';
import { readZip } from '../../../core/engine/zip.ts';
import { decodeNpy, encodeZip } from '../../../core/export/npz.ts';
import { exportTensors, type ExportFile } from '../../../core/export/tensors.ts';
import {
  FORMATS,
  formatOf,
  readWeightFile,
  weightsFromFiles,
  writeWeights,
} from '../../../core/export/weights.ts';
import { defaultsOf, type Config } from '../../../core/api/params.ts';
import { modelSpecs, type WeightValues } from '../../../core/models/model.ts';
import type { WeightSpec } from '../../../core/models/cell.ts';
import { CELLS, getCell } from '../../../core/models/registry.ts';

const SHAPE = { inputDim: 3, outputDim: 2, every: false };

function tinySpecs(arch: string): WeightSpec[] {
  const cell = getCell(arch);
  const config: Config = { ...defaultsOf(cell.config), units: 5 };
  if (arch === 'unicornn') config['layers'] = 2;
  return modelSpecs(cell, config, SHAPE);
}

function randomWeights(specs: readonly WeightSpec[], seed: number): Record<string, WeightValues> {
  const rng = Rng.stream(seed, 'weights');
  return Object.fromEntries(
    specs.map((s) => [
      s.name,
      { shape: s.shape, values: rng.normalArray(s.shape.reduce((a, b) => a * b, 1)) },
    ]),
  );
}

const META = { format: 'rnn-workbench-weights-1', arch: 'x', arch_config: '{"units":5}' };

/** invalid_input whose message matches `re`. */
function refused(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    const e = err as { code?: string; message?: string };
    assert.equal(e.code, 'invalid_input', `code of: ${e.message}`);
    assert.match(e.message ?? '', re);
    return true;
  });
}

describe('weight formats', () => {
  for (const format of Object.values(FORMATS))
    it(`${format.name}: every architecture round-trips bit for bit, metadata included`, () => {
      for (const cell of CELLS) {
        const specs = tinySpecs(cell.name);
        const weights = randomWeights(specs, 3);
        const files = writeWeights(format, specs, weights, META, `m-${cell.name}`);
        assert.equal(formatOf(files).name, format.name);
        const back = weightsFromFiles(files, specs, cell.name, 'the file');
        assert.equal(back.format, format.name);
        assert.deepEqual(back.metadata, META);
        for (const s of specs)
          assert.deepEqual(back.weights[s.name], weights[s.name], `${cell.name} ${s.name}`);
      }
    });

  it('stores complex weights as .real/.imag (safetensors), complex64 (npz) and [Re | Im] (tfjs)', () => {
    const specs = tinySpecs('urnn');
    const weights = randomWeights(specs, 4);
    const v = weights['V']!.values; // [3, 10]: row r is [Re(5) | Im(5)]
    const split = exportTensors(specs, weights, 'split');
    assert.deepEqual(split['V.real']?.shape, [3, 5]);
    assert.deepEqual(Array.from(split['V.imag']!.values.subarray(0, 5)), Array.from(v.subarray(5, 10)));
    assert.ok(!('V' in split) && 'hidden_bias' in split && 'theta' in split);
    const cplx = exportTensors(specs, weights, 'complex');
    assert.equal(cplx['V']?.dtype, 'complex64');
    assert.deepEqual(cplx['h_0']?.shape, [1, 5]);
    // Interleaved (re, im) of element [1, 2]: Re = V[1, 2], Im = V[1, 7].
    assert.equal(cplx['V'].values[2 * (5 + 2)], v[10 + 2]);
    assert.equal(cplx['V'].values[2 * (5 + 2) + 1], v[10 + 7]);
    assert.equal(exportTensors(specs, weights, 'native')['V']?.shape[1], 10);
  });

  it('npz: a stored zip of .npy v1.0 arrays (64-byte aligned data); deflated archives read back too', () => {
    const npy = npyFile('<f4', [2, 3], new Uint8Array(24));
    assert.deepEqual(Array.from(npy.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLen = new DataView(npy.buffer).getUint16(8, true);
    assert.equal((10 + headerLen) % 64, 0);
    assert.match(
      Buffer.from(npy.subarray(10, 10 + headerLen)).toString('latin1'),
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/,
    );
    assert.deepEqual(decodeNpy(npyFile('<f4', [4], new Uint8Array(16)), 'a').shape, [4]);
    // A deflated member (numpy.savez_compressed) decodes to the same bytes.
    const zip = encodeZip([{ name: 'a.npy', data: npy }]);
    const fail = (why: string) => new Error(why);
    const members = readZip(zip, fail);
    assert.deepEqual(new Uint8Array(members[0]!.read()), npy);
    const deflated = deflatedZip('a.npy', npy);
    assert.deepEqual(new Uint8Array(readZip(deflated, fail)[0]!.read()), npy);
  });

  describe('TF.js', () => {
    before(async () => {
      await selectBackend('cpu');
    });
    it('writes a weightsManifest and shards that tf.io.decodeWeights reads', () => {
      const specs = tinySpecs('lstm');
      const weights = randomWeights(specs, 5);
      const files = writeWeights(FORMATS.tfjs, specs, weights, META, 'lstm');
      const manifest = JSON.parse(Buffer.from(files[0]!.data).toString('utf8')) as {
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
        userDefinedMetadata: Record<string, string>;
      };
      assert.equal(files[0]!.name, 'model.json');
      assert.deepEqual(manifest.weightsManifest[0]!.paths, ['lstm.group1-shard1of1.bin']);
      assert.equal(manifest.userDefinedMetadata['arch'], 'x');
      const shard = files[1]!.data;
      const buf = shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength) as ArrayBuffer;
      const named = tf.io.decodeWeights(buf, manifest.weightsManifest[0]!.weights);
      for (const s of specs) {
        assert.deepEqual(named[s.name]!.shape, s.shape);
        assert.deepEqual(named[s.name]!.dataSync(), weights[s.name]!.values);
      }
      tf.dispose(Object.values(named));
    });
  });

  describe('refuses corrupt and foreign files, saying why', () => {
    const specs = tinySpecs('cornn');
    const weights = randomWeights(specs, 6);
    const st = writeWeights(FORMATS.safetensors, specs, weights, META, 'c')[0]!.data;
    const read = (data: Uint8Array, name = 'w.safetensors') =>
      weightsFromFiles([{ name, data }], specs, 'cornn', 'w.safetensors');

    const cases: [string, () => unknown, RegExp][] = [
      [
        'a file shorter than the 8-byte header length',
        () => read(st.subarray(0, 5)),
        /shorter than its 8-byte header length/,
      ],
      [
        'a header cut short (truncated file)',
        () => read(st.subarray(0, 40)),
        /header length \d+ runs past the end of the 40-byte file/,
      ],
      [
        'a header length beyond the file',
        () => {
          const b = st.slice();
          new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
          return read(b);
        },
        /header length 1099511627776 runs past the end/,
      ],
      [
        'tensor data cut off',
        () => read(st.subarray(0, st.length - 4)),
        /data offsets .* do not fit .* or the \d+-byte file/,
      ],
      ['a header that is not JSON', () => read(withHeader('{"i2h.weight": ')), /header is not JSON/],
      [
        'an unknown dtype',
        () =>
          read(
            withHeader(
              JSON.stringify({ 'i2h.weight': { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }),
              2,
            ),
          ),
        /tensor 'i2h.weight' has dtype "BF16"; only F32 \(float32\) is supported/,
      ],
      [
        'shapes that do not match the architecture',
        () => {
          const other = tinySpecs('cornn').map((s) =>
            s.name === 'i2h.weight' ? { ...s, shape: [5, 11] } : s,
          );
          return read(writeWeights(FORMATS.safetensors, other, randomWeights(other, 1), META, 'c')[0]!.data);
        },
        /tensor 'i2h.weight' has shape \[5, 11\], but cornn with this config expects \[5, 13\]/,
      ],
      [
        'another architecture’s weights (missing tensors)',
        () => {
          const lstm = tinySpecs('lstm');
          return read(writeWeights(FORMATS.safetensors, lstm, randomWeights(lstm, 1), META, 'l')[0]!.data);
        },
        /lacks tensor 'i2h.weight' \[5, 13\] \(cornn has: i2h.weight \[5, 13\], i2h.bias \[5\], readout.weight \[2, 5\], readout.bias \[2\]\)/,
      ],
      [
        'an extra, foreign tensor',
        () => {
          const t = Object.fromEntries(
            specs.map((s) => [s.name, { shape: s.shape, values: weights[s.name]!.values }]),
          );
          return read(
            encodeSafetensors({ ...t, 'encoder.weight': { shape: [1], values: new Float32Array(1) } }),
          );
        },
        /has tensor 'encoder.weight' that cornn does not/,
      ],
      [
        'an npz with a corrupted member',
        () => {
          const npz = writeWeights(FORMATS.npz, specs, weights, META, 'c')[0]!.data.slice();
          npz[200] = npz[200]! ^ 0xff;
          return weightsFromFiles([{ name: 'c.npz', data: npz }], specs, 'cornn', 'c.npz');
        },
        /c.npz: not a valid .npz \(zip\) file \(member '.*' fails its CRC-32 check\)/,
      ],
      [
        'a truncated npz',
        () => {
          const npz = writeWeights(FORMATS.npz, specs, weights, META, 'c')[0]!.data;
          return weightsFromFiles(
            [{ name: 'c.npz', data: npz.subarray(0, npz.length - 30) }],
            specs,
            'cornn',
            'c.npz',
          );
        },
        /no end-of-central-directory record: truncated or not a zip/,
      ],
      [
        'an npz array of an unknown dtype',
        () => {
          const zip = encodeZip([{ name: 'i2h.bias.npy', data: npyFile('<i8', [5], new Uint8Array(40)) }]);
          return weightsFromFiles([{ name: 'c.npz', data: zip }], specs, 'cornn', 'c.npz');
        },
        /array 'i2h.bias': dtype '<i8' is not supported/,
      ],
      [
        'a TF.js manifest whose shard is missing',
        () => {
          const files = writeWeights(FORMATS.tfjs, specs, weights, META, 'c');
          return weightsFromFiles(files.slice(0, 1), specs, 'cornn', 'model.json');
        },
        /shard 'c.group1-shard1of1.bin' named by model.json is missing/,
      ],
    ];
    for (const [what, fn, re] of cases) it(what, () => refused(fn, re));
  });

  it('export/README.md documents the tensors of every registered architecture', () => {
    const readme = fs.readFileSync(new URL('../../../export/README.md', import.meta.url), 'utf8');
    for (const cell of CELLS) {
      const section = readme.split(`### \`${cell.name}\``)[1]?.split('### ')[0];
      assert.ok(section, `no section for ${cell.name}`);
      for (const s of modelSpecs(cell, defaultsOf(cell.config), { inputDim: 1, outputDim: 1, every: false }))
        assert.ok(section.includes(`\`${s.name}\``), `${cell.name}: ${s.name} undocumented`);
    }
  });

  it('reads back what it wrote whichever way the files arrive (format by content, not by name)', () => {
    const specs = tinySpecs('gru');
    const files: ExportFile[] = writeWeights(FORMATS.npz, specs, randomWeights(specs, 2), META, 'g').map(
      (f) => ({
        ...f,
        name: 'renamed.bin',
      }),
    );
    assert.equal(readWeightFile(files, 'f').format, 'npz');
  });
});

/** A safetensors file whose header is `json` followed by `dataBytes` zero bytes. */
function withHeader(json: string, dataBytes = 0): Uint8Array {
  const h = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

/** A one-member zip whose member is deflated (method 8), as numpy.savez_compressed writes. */
function deflatedZip(name: string, data: Uint8Array): Uint8Array {
  const stored = encodeZip([{ name, data }]);
  const packed = zlib.deflateRawSync(data);
  const n = Buffer.byteLength(name);
  const local = Buffer.from(stored.subarray(0, 30 + n));
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(packed.length, 18);
  const cd = Buffer.from(stored.subarray(30 + n + data.length, 30 + n + data.length + 46 + n));
  cd.writeUInt16LE(8, 10);
  cd.writeUInt32LE(packed.length, 20);
  const end = Buffer.from(stored.subarray(stored.length - 22));
  end.writeUInt32LE(local.length + packed.length, 16);
  return Buffer.concat([local, packed, cd, end]);
}
