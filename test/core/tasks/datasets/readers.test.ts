// Dataset readers as data tables: each format's good files read exactly, each malformed one refused naming file and problem.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { WorkbenchError } from '../../../../core/api/errors.ts';
import { inspectDataset, loadDataset } from '../../../../core/tasks/datasets/catalog.ts';
import { readCifarFolder } from '../../../../core/tasks/datasets/cifar.ts';
import { parseCsvRows, readCsv, type CsvMapping } from '../../../../core/tasks/datasets/csv.ts';
import { parseIdx, readIdxFolder } from '../../../../core/tasks/datasets/idx.ts';
import { encodeNpy, parseNpy } from '../../../../core/tasks/datasets/npy.ts';
import { parseNpz } from '../../../../core/tasks/datasets/npz.ts';
import {
  cifarPixel,
  idxBytes,
  tinyMnist,
  writeCifarFolder,
  writeMnistFolder,
  zipBytes,
} from '../../../helpers/dataset-files.ts';
import { tempDir } from '../../../helpers/temp.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/datasets/', import.meta.url));
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

/** Asserts `fn` throws invalid_dataset with a message naming `file` and matching `problem`. */
function refuses(fn: () => unknown, file: string, problem: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WorkbenchError, String(err));
    assert.equal(err.code, 'invalid_dataset', err.message);
    assert.ok(err.message.includes(file), `'${err.message}' should name ${file}`);
    assert.match(err.message, problem);
    return true;
  });
}

describe('IDX', () => {
  it('reads images and labels, plain or gzipped', (t) => {
    const im = tinyMnist(12, 5);
    for (const gzip of [false, true]) {
      const dir = writeMnistFolder(path.join(tempDir(t), 'mnist'), im, gzip);
      const r = readIdxFolder(dir);
      assert.equal(r.train.n, 12);
      assert.equal(r.test.n, 5);
      assert.equal(r.height * r.width, 784);
      assert.deepEqual(r.train.images, im.train.images);
      assert.deepEqual(r.test.labels, im.test.labels);
      assert.equal(r.hashes.length, 4);
    }
  });

  const cases: [string, Uint8Array, 1 | 3, RegExp][] = [
    [
      'truncated data',
      idxBytes([3, 28, 28], new Uint8Array(3 * 784)).subarray(0, 16 + 2000),
      3,
      /truncated: the header says 3×28×28 = 2352 bytes of data but the file has 2000/,
    ],
    ['truncated header', new Uint8Array([0, 0, 8, 3, 0, 0]), 3, /truncated/],
    ['wrong magic', new Uint8Array([0x1a, 0x2b, 8, 3, 0, 0, 0, 0]), 3, /wrong magic number 1a 2b 08 03/],
    [
      'labels as images',
      idxBytes([3], new Uint8Array(3)),
      3,
      /wrong magic number 00 00 08 01: 1 dimensions, expected 3/,
    ],
    [
      'float element type',
      new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
      1,
      /element type float is not supported/,
    ],
    ['trailing bytes', new Uint8Array([...idxBytes([2], new Uint8Array([1, 2])), 9]), 1, /1 bytes after/],
    ['empty', new Uint8Array(0), 1, /too short/],
    ['bad gzip', new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 1, /not a valid gzip/],
  ];
  for (const [name, bytes, ndims, problem] of cases)
    it(`refuses ${name}`, () => refuses(() => parseIdx(bytes, '/data/x-idx', ndims), '/data/x-idx', problem));

  it('refuses a folder without a file, or with labels that do not match the images', (t) => {
    const dir = writeMnistFolder(path.join(tempDir(t), 'm'), tinyMnist(4, 2));
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
    refuses(() => readIdxFolder(dir), dir, /no test labels file \(expected t10k-labels-idx1-ubyte/);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxBytes([3], new Uint8Array(3)));
    refuses(
      () => readIdxFolder(dir),
      't10k-labels-idx1-ubyte',
      /has 3 labels but t10k-images-idx3-ubyte has 2 test images/,
    );
  });
});

describe('CIFAR-10 binary', () => {
  it('reads the six batches, planes as stored', (t) => {
    const dir = writeCifarFolder(path.join(tempDir(t), 'cifar'), 3, 2);
    const r = readCifarFolder(dir);
    assert.equal(r.train.n, 15);
    assert.equal(r.test.n, 2);
    assert.equal(r.train.labels[7], 7);
    assert.equal(r.train.images[7 * 3072 + 2 * 1024 + 5], cifarPixel(7, 2, 5));
    assert.equal(r.test.images[1 * 3072 + 1024 + 9], cifarPixel(16, 1, 9));
  });

  it('finds cifar-10-batches-bin/ inside the folder given', (t) => {
    const root = tempDir(t);
    writeCifarFolder(path.join(root, 'cifar-10-batches-bin'), 1, 1);
    const r = readCifarFolder(root);
    assert.equal(r.files[5], path.join('cifar-10-batches-bin', 'test_batch.bin'));
  });

  it('refuses a truncated batch, a label above 9, a missing batch', (t) => {
    const dir = writeCifarFolder(path.join(tempDir(t), 'c'), 2, 2);
    const file = path.join(dir, 'data_batch_3.bin');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 3073 + 100));
    refuses(
      () => readCifarFolder(dir),
      file,
      /truncated: 3173 bytes is not a whole number of 3073-byte CIFAR-10 records/,
    );
    const bytes = new Uint8Array(3073 * 2);
    bytes[3073] = 12;
    fs.writeFileSync(file, bytes);
    refuses(() => readCifarFolder(dir), file, /record 1 has label 12/);
    fs.rmSync(file);
    refuses(() => readCifarFolder(dir), dir, /data_batch_3\.bin missing/);
  });
});

describe('.npy', () => {
  it('reads what NumPy wrote: big-endian f8, u16, f16', () => {
    const be = parseNpy(fixture('x_be.npy'), 'x_be.npy');
    assert.deepEqual(be.shape, [2, 3]);
    assert.deepEqual(Array.from(be.values), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(parseNpy(fixture('u16.npy'), 'u16').values), [1, 2, 65535, 0]);
    assert.deepEqual(Array.from(parseNpy(fixture('f16.npy'), 'f16').values), [0.5, -2, 65504]);
  });

  it('round-trips our own encoding (f4, f8, i4, i8)', () => {
    for (const descr of ['<f4', '<f8', '<i4', '<i8'] as const) {
      const a = parseNpy(encodeNpy([1, -2, 3, 4, 5, 6], [2, 3], descr), 'a.npy');
      assert.deepEqual(a.shape, [2, 3]);
      assert.deepEqual(Array.from(a.values), [1, -2, 3, 4, 5, 6]);
    }
  });

  const good = encodeNpy([1, 2, 3, 4], [4], '<f4');
  const header = (h: string) => {
    const out = new Uint8Array(good);
    const text = new TextDecoder().decode(out.subarray(10, 10 + new DataView(out.buffer).getUint16(8, true)));
    const replaced = text.replace(/\{[^}]*\}/, h).padEnd(text.length, ' ');
    out.set(new TextEncoder().encode(replaced.slice(0, text.length)), 10);
    return out;
  };
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['complex64 (NumPy)', () => fixture('c64.npy'), /unsupported dtype '<c8' \(complex\)/],
    ['unicode strings (NumPy)', () => fixture('strings.npy'), /unsupported dtype '<U3' \(unicode string\)/],
    [
      'object',
      () => header("{'descr': '|O', 'fortran_order': False, 'shape': (4,), }"),
      /unsupported dtype '\|O' \(Python object\)/,
    ],
    [
      'Fortran order',
      () => header("{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }"),
      /Fortran order/,
    ],
    [
      'truncated data',
      () => good.subarray(0, good.length - 3),
      /truncated: shape \(4\) of <f4 needs 16 data bytes, the file has 13/,
    ],
    ['not npy', () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), /not a \.npy file/],
  ];
  for (const [name, bytes, problem] of cases)
    it(`refuses ${name}`, () => refuses(() => parseNpy(bytes(), '/in/a.npy'), '/in/a.npy', problem));
});

describe('.npz', () => {
  it('reads np.savez_compressed (deflated) and np.savez (stored) archives', () => {
    const z = parseNpz(fixture('small.npz'), 'small.npz');
    assert.deepEqual([...z.keys()].sort(), ['lengths', 'x', 'y']);
    assert.deepEqual(z.get('x')!.shape, [5, 4, 2]);
    assert.equal(z.get('x')!.values[9], 9 / 8);
    assert.deepEqual(Array.from(z.get('lengths')!.values), [4, 3, 2, 4, 1]);
    const s = parseNpz(fixture('stored.npz'), 'stored.npz');
    assert.deepEqual(Array.from(s.get('y')!.values), [0, 0.5, 1, 1.5, 2, 2.5]);
  });

  it('reads our own zips, stored and deflated', () => {
    for (const deflate of [false, true]) {
      const z = parseNpz(zipBytes({ 'a.npy': encodeNpy([1, 2, 3], [3]) }, deflate), 'z.npz');
      assert.deepEqual(Array.from(z.get('a')!.values), [1, 2, 3]);
    }
  });

  it('refuses a truncated archive, a corrupt member, an unsupported member dtype', () => {
    const z = zipBytes({ 'a.npy': encodeNpy([1, 2, 3], [3]) }, true);
    refuses(
      () => parseNpz(z.subarray(0, z.length - 30), '/d/z.npz'),
      '/d/z.npz',
      /no end-of-central-directory record/,
    );
    const corrupt = new Uint8Array(zipBytes({ 'a.npy': encodeNpy([1, 2, 3], [3]) }, false));
    corrupt[30 + 5 + 70] = corrupt[30 + 5 + 70]! ^ 0xff;
    refuses(() => parseNpz(corrupt, '/d/z.npz'), '/d/z.npz', /CRC-32/);
    const c64 = zipBytes({ 'x.npy': fixture('c64.npy') }, true);
    refuses(() => parseNpz(c64, '/d/c.npz'), '/d/c.npz[x]', /unsupported dtype '<c8'/);
  });
});

describe('CSV', () => {
  const mapping: CsvMapping = {
    idColumn: 'id',
    timeColumn: 'time',
    labelColumn: 'label',
    featureColumns: [],
    kind: 'auto',
    delimiter: ',',
  };
  const text = [
    'id,time,a,b,label',
    's1,2,3,30,cat',
    's2,0,1,10,dog',
    's1,0,1,10,cat',
    's1,1,2,20,cat',
    '"s2",1,"2",20,dog',
    '',
  ].join('\n');

  it('groups rows by id, orders them by time, pads variable lengths, maps string labels', () => {
    const s = readCsv(text, 'f.csv', mapping);
    assert.equal(s.n, 2);
    assert.equal(s.maxLen, 3);
    assert.equal(s.inputDim, 2);
    assert.deepEqual(Array.from(s.lengths), [3, 2]);
    assert.deepEqual(Array.from(s.x.subarray(0, 6)), [1, 10, 2, 20, 3, 30]);
    assert.deepEqual(Array.from(s.x.subarray(6, 12)), [1, 10, 2, 20, 0, 0]);
    assert.equal(s.kind, 'classification');
    assert.deepEqual(s.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(s.labels!), [0, 1]);
  });

  it('takes real-valued labels as regression targets, and quoted fields with commas', () => {
    const s = readCsv('id,v,label\n1,"1.5",0.25\n2,2,1.5\n', 'r.csv', {
      ...mapping,
      timeColumn: '',
      featureColumns: [],
    });
    assert.equal(s.kind, 'regression');
    assert.deepEqual(Array.from(s.targets!), [0.25, 1.5]);
    assert.deepEqual(parseCsvRows('a,"b,c"\r\n"x""y",z', ','), [
      ['a', 'b,c'],
      ['x"y', 'z'],
    ]);
  });

  const cases: [string, string, Partial<CsvMapping>, RegExp][] = [
    [
      'a missing label column',
      'id,time,a\n1,0,1\n',
      {},
      /missing column 'label' \(the label column\); its columns are: id, time, a/,
    ],
    [
      'a missing feature column',
      text,
      { featureColumns: ['a', 'c'] },
      /missing column 'c' \(the feature column\)/,
    ],
    [
      'a NaN feature',
      'id,time,a,label\n1,0,NaN,0\n',
      {},
      /line 2, column 'a': feature 'NaN' is not a finite number/,
    ],
    [
      'an empty feature',
      'id,time,a,label\n1,0,,0\n',
      {},
      /line 2, column 'a': feature '' is not a finite number/,
    ],
    [
      'a label that changes',
      'id,time,a,label\n1,0,1,0\n1,1,1,1\n',
      {},
      /sequence '1' changes its label from '0' \(line 2\) to '1' \(line 3\)/,
    ],
    ['a short row', 'id,time,a,label\n1,0,1\n', {}, /line 2 has 3 fields, the header 4/],
  ];
  for (const [name, csv, m, problem] of cases)
    it(`refuses ${name}`, () =>
      refuses(() => readCsv(csv, '/u/data.csv', { ...mapping, ...m }), '/u/data.csv', problem));
});

describe('inspectDataset / loadDataset', () => {
  it('summarises each format with shapes, statistics and a stable hash', (t) => {
    const dir = tempDir(t);
    const csv = path.join(dir, 'seqs.csv');
    fs.writeFileSync(csv, 'id,time,a,label\n1,0,1,0\n1,1,3,0\n2,0,5,1\n');
    const d = inspectDataset(csv, undefined);
    assert.equal(d.format, 'csv');
    assert.equal(d.kind, 'classification');
    assert.deepEqual(d.shape, {
      examples: 2,
      testExamples: 0,
      seqLen: 2,
      minSeqLen: 1,
      inputDim: 1,
      classes: 2,
      targetDim: 1,
    });
    assert.deepEqual(d.stats.featureMean, [3]);
    assert.deepEqual(d.stats.classCounts, [1, 1]);
    assert.equal(d.options['featureColumns'], 'a');
    assert.equal(inspectDataset(csv, 'csv').sha256, d.sha256);

    const npz = path.join(dir, 'small.npz');
    fs.copyFileSync(path.join(FIXTURES, 'small.npz'), npz);
    const z = inspectDataset(npz, undefined);
    assert.deepEqual(z.shape, {
      examples: 5,
      testExamples: 0,
      seqLen: 4,
      minSeqLen: 1,
      inputDim: 2,
      classes: 3,
      targetDim: 1,
    });
    assert.equal(z.options['lengthsKey'], 'lengths');

    const x = path.join(dir, 'x.npy');
    const y = path.join(dir, 'y.npy');
    fs.writeFileSync(
      x,
      encodeNpy(
        Array.from({ length: 12 }, (_, i) => i),
        [3, 2, 2],
      ),
    );
    fs.writeFileSync(y, encodeNpy([0.5, 1, 2], [3]));
    const n = inspectDataset(x, 'npy', { labels: y });
    assert.equal(n.kind, 'regression');
    assert.deepEqual(n.files, ['', y]);
    assert.deepEqual(n.stats.targetMean, [3.5 / 3]);

    const mnist = inspectDataset(writeMnistFolder(path.join(dir, 'mnist'), tinyMnist(6, 3)), undefined);
    assert.equal(mnist.format, 'idx');
    assert.equal(mnist.shape.examples, 6);
    assert.equal(mnist.shape.testExamples, 3);
    assert.equal(mnist.shape.seqLen, 784);
  });

  it('refuses NaN features in .npy data, an .npy without its labels, lengths out of range', (t) => {
    const dir = tempDir(t);
    const x = path.join(dir, 'x.npy');
    const y = path.join(dir, 'y.npy');
    fs.writeFileSync(x, encodeNpy([0, 1, NaN, 3], [2, 2]));
    fs.writeFileSync(y, encodeNpy([0, 1], [2], '<i8'));
    refuses(() => inspectDataset(x, 'npy', { labels: y }), x, /NaN feature at sequence 1, step 0, feature 0/);
    assert.throws(() => inspectDataset(x, 'npy'), /needs its labels file/);
    const z = path.join(dir, 'z.npz');
    fs.writeFileSync(
      z,
      zipBytes(
        {
          'x.npy': encodeNpy([0, 1, 2, 3], [2, 2]),
          'y.npy': encodeNpy([0, 1], [2], '<i8'),
          'lengths.npy': encodeNpy([2, 3], [2], '<i8'),
        },
        true,
      ),
    );
    refuses(() => inspectDataset(z, undefined), z, /lengths\[1\] = 3 is not an integer in 1…2/);
  });

  it('notices a file changed since import', (t) => {
    const csv = path.join(tempDir(t), 'c.csv');
    fs.writeFileSync(csv, 'id,a,label\n1,1,0\n2,2,1\n');
    const d = inspectDataset(csv, 'csv');
    const ref = { ...d, id: 'abc', name: 'c' };
    fs.writeFileSync(csv, 'id,a,label\n1,1,0\n2,7,1\n');
    assert.throws(
      () => loadDataset({ ...ref, sha256: ref.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')) }),
      (err: unknown) =>
        err instanceof WorkbenchError &&
        err.code === 'dataset_changed' &&
        /changed since it was imported/.test(err.message),
    );
  });

  it('accepts gzipped IDX and plain in one folder format, refusing a wrong magic at import', (t) => {
    const dir = writeMnistFolder(path.join(tempDir(t), 'bad'), tinyMnist(3, 2));
    const f = path.join(dir, 'train-images-idx3-ubyte');
    const bytes = new Uint8Array(fs.readFileSync(f));
    bytes[3] = 2;
    fs.writeFileSync(f, gzipSync(bytes));
    fs.renameSync(f, `${f}.gz`);
    refuses(() => inspectDataset(dir, 'idx'), `${f}.gz`, /wrong magic number 00 00 08 02/);
  });
});
