// Datasets through the Workbench: import every format, refuse malformed files with nothing registered, record the
// dataset and its hash with each run, refuse changed files, train on variable-length data, evaluate robustness.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { WorkbenchError } from '../../core/api/errors.ts';
import type { ChildLike } from '../../core/runner/runner.ts';
import { Workbench } from '../../core/workbench.ts';
import { encodeNpy } from '../../core/tasks/datasets/npy.ts';
import { idxBytes, tinyMnist, writeCifarFolder, writeMnistFolder } from '../helpers/dataset-files.ts';
import { tempDir } from '../helpers/temp.ts';

const FIXTURES = new URL('../fixtures/datasets/', import.meta.url).pathname;

/** A launcher whose runner exits at once: enough to check what startRun records. */
const noRunner = (): ChildLike => {
  let exit: ((code: number | null, signal: string | null) => void) | null = null;
  setImmediate(() => exit?.(0, null));
  return {
    send: () => undefined,
    kill: () => undefined,
    onMessage: () => undefined,
    onExit: (cb) => (exit = cb),
  };
};

async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  ...patterns: (RegExp | string)[]
): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof WorkbenchError, String(err));
    assert.equal(err.code, code, err.message);
    for (const pat of patterns)
      if (typeof pat === 'string')
        assert.ok(err.message.includes(pat), `'${err.message}' should include ${pat}`);
      else assert.match(err.message, pat);
    return true;
  });
}

/** A long-format CSV: 40 sequences of 2–6 steps, features (i mod 7, step), label by i mod 3. */
function writeSeqCsv(file: string): string {
  const rows = ['seq,t,f1,f2,y'];
  for (let i = 0; i < 40; i++)
    for (let s = 0; s < 2 + (i % 5); s++)
      rows.push(`s${i},${s},${(i % 3) + 0.1 * s},${s},${i % 3 === 0 ? 'a' : 'b'}`);
  fs.writeFileSync(file, rows.join('\n') + '\n');
  return file;
}
const CSV_OPTIONS = { idColumn: 'seq', timeColumn: 't', labelColumn: 'y' };

function workbench(t: TestContext, launcher?: () => ChildLike): { wb: Workbench; dir: string; db: string } {
  const dir = tempDir(t);
  const db = path.join(dir, 'wb.sqlite');
  const wb = new Workbench({ dbPath: db, ...(launcher ? { launcher } : {}) });
  t.after(() => wb.close());
  return { wb, dir, db };
}

describe('datasets in the Workbench', () => {
  it('imports every format, and refuses malformed files naming file and problem, registering nothing', async (t) => {
    const { wb, dir, db } = workbench(t, noRunner);
    const csv = await wb.importDataset({
      path: writeSeqCsv(path.join(dir, 'seqs.csv')),
      options: CSV_OPTIONS,
    });
    assert.equal(csv.name, 'seqs');
    assert.deepEqual(csv.shape, {
      examples: 40,
      testExamples: 0,
      seqLen: 6,
      minSeqLen: 2,
      inputDim: 2,
      classes: 2,
      targetDim: 1,
    });
    assert.equal(csv.options['featureColumns'], 'f1,f2');
    const npz = path.join(dir, 'small.npz');
    fs.copyFileSync(path.join(FIXTURES, 'small.npz'), npz);
    await wb.importDataset({ path: npz, name: 'arrays' });
    fs.writeFileSync(
      path.join(dir, 'x.npy'),
      encodeNpy(
        Array.from({ length: 24 }, (_, i) => i),
        [4, 3, 2],
      ),
    );
    fs.writeFileSync(path.join(dir, 'y.npy'), encodeNpy([0, 1, 1, 0], [4], '<i8'));
    await wb.importDataset({ path: path.join(dir, 'x.npy'), options: { labels: path.join(dir, 'y.npy') } });
    const idx = await wb.importDataset({
      path: writeMnistFolder(path.join(dir, 'digits'), tinyMnist(20, 5)),
    });
    assert.equal(idx.format, 'idx');
    const cifar = await wb.importDataset({
      path: writeCifarFolder(path.join(dir, 'cifar'), 2, 2),
      format: 'cifar10',
    });
    assert.equal(cifar.shape.examples, 10);
    const listed = await wb.datasets();
    assert.deepEqual(
      listed.map((d) => d.name),
      ['mnist', 'seqs', 'arrays', 'x', 'digits', 'cifar'],
    );
    assert.equal(listed[0]!.builtin, true);
    assert.equal(listed[0]!.shape.examples, 60000);

    // Each malformed file is refused at import, naming it and the problem.
    const bad = path.join(dir, 'bad');
    const truncated = writeMnistFolder(path.join(bad, 'truncated'), tinyMnist(4, 2));
    const f1 = path.join(truncated, 'train-images-idx3-ubyte');
    fs.writeFileSync(f1, fs.readFileSync(f1).subarray(0, 1000));
    await rejectsWith(wb.importDataset({ path: truncated }), 'invalid_dataset', f1, /truncated/);
    const magic = writeMnistFolder(path.join(bad, 'magic'), tinyMnist(4, 2));
    const f2 = path.join(magic, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(f2, idxBytes([2, 1, 1], new Uint8Array(2)));
    await rejectsWith(
      wb.importDataset({ path: magic }),
      'invalid_dataset',
      f2,
      /wrong magic number 00 00 08 03/,
    );
    const noLabel = path.join(bad, 'nolabel.csv');
    fs.writeFileSync(noLabel, 'seq,t,f1\ns1,0,1\n');
    await rejectsWith(
      wb.importDataset({ path: noLabel, options: CSV_OPTIONS }),
      'invalid_dataset',
      noLabel,
      /missing column 'y'/,
    );
    const nan = path.join(bad, 'nan.csv');
    fs.writeFileSync(nan, 'seq,t,f1,y\ns1,0,1,a\ns1,1,nan,a\n');
    await rejectsWith(
      wb.importDataset({ path: nan, options: CSV_OPTIONS }),
      'invalid_dataset',
      nan,
      /line 3, column 'f1': feature 'nan' is not a finite number/,
    );
    const complex = path.join(bad, 'c.npy');
    fs.copyFileSync(path.join(FIXTURES, 'c64.npy'), complex);
    await rejectsWith(
      wb.importDataset({ path: complex, options: { labels: path.join(dir, 'y.npy') } }),
      'invalid_dataset',
      complex,
      /unsupported dtype '<c8'/,
    );
    await rejectsWith(
      wb.importDataset({ path: path.join(dir, 'seqs.csv'), options: CSV_OPTIONS }),
      'conflict',
      /named 'seqs' exists/,
    );
    await rejectsWith(
      wb.importDataset({ path: path.join(dir, 'nowhere.csv') }),
      'invalid_dataset',
      'nowhere.csv',
      /no such file/,
    );

    assert.equal((await wb.datasets()).length, 6, 'nothing half-registered');
    const raw = new Database(db, { readonly: true });
    t.after(() => raw.close());
    assert.equal((raw.prepare('SELECT count(*) AS n FROM datasets').get() as { n: number }).n, 5);
    assert.deepEqual(await wb.deleteDataset({ datasetId: 'arrays' }), { deleted: listed[2]!.id });
  });

  it('records the dataset and its hash with a run, converts epochs to steps, refuses a changed file', async (t) => {
    const { wb, dir, db } = workbench(t, noRunner);
    const file = writeSeqCsv(path.join(dir, 'seqs.csv'));
    const d = await wb.importDataset({ path: file, options: CSV_OPTIONS });
    const run = await wb.startRun({
      arch: 'gru',
      task: 'seq-classification',
      dataset: 'seqs',
      epochs: 3,
      set: { batchSize: 4 },
    });
    assert.deepEqual(run.spec.dataset, {
      id: d.id,
      name: 'seqs',
      format: 'csv',
      source: file,
      files: [''],
      sha256: d.sha256,
      options: d.options,
    });
    assert.equal(run.spec.epochs, 3);
    assert.equal(run.spec.steps, 3 * Math.floor(32 / 4), '32 training sequences (10% validation, 10% test)');
    assert.equal(run.baseline, 26 / 40, 'the majority class');
    const raw = new Database(db, { readonly: true });
    t.after(() => raw.close());
    const params = Object.fromEntries(
      (
        raw.prepare('SELECT key, value FROM params WHERE run_id = ?').all(run.id) as {
          key: string;
          value: string;
        }[]
      ).map((r) => [r.key, JSON.parse(r.value) as unknown]),
    );
    assert.equal(params['dataset.id'], d.id);
    assert.equal(params['dataset.sha256'], d.sha256);
    assert.equal(params['epochs'], 3);

    const ps = await wb.resolveRun({ arch: 'gru', task: 'psmnist' });
    assert.ok(ps.task['permutation'] === 'cornn-12008');
    const mn = await wb.startRun({ arch: 'gru', task: 'psmnist', steps: 1 });
    assert.equal(mn.spec.dataset?.id, 'builtin:mnist');

    await rejectsWith(
      wb.startRun({ arch: 'gru', task: 'cifar10-pixel' }),
      'invalid_input',
      /needs a dataset/,
    );
    await rejectsWith(
      wb.startRun({ arch: 'gru', task: 'seq-regression', dataset: 'seqs' }),
      'invalid_input',
      /does not fit task seq-regression/,
    );
    await rejectsWith(
      wb.startRun({ arch: 'gru', task: 'adding', dataset: 'seqs' }),
      'invalid_input',
      /takes no dataset/,
    );
    await rejectsWith(
      wb.startRun({ arch: 'gru', task: 'adding', epochs: 2 }),
      'invalid_input',
      /give steps, not epochs/,
    );

    fs.appendFileSync(file, 's99,0,1,1,a\n');
    await rejectsWith(
      wb.startRun({ arch: 'gru', task: 'seq-classification', dataset: 'seqs' }),
      'dataset_changed',
      /changed since it was imported/,
    );
    await rejectsWith(
      wb.resolveRun({ arch: 'gru', task: 'seq-classification', dataset: d.id }),
      'dataset_changed',
    );
  });

  it('previews a task on a dataset: sequences as plotted, images drawn back', async (t) => {
    const { wb, dir } = workbench(t, noRunner);
    await wb.importDataset({ path: writeSeqCsv(path.join(dir, 'seqs.csv')), options: CSV_OPTIONS });
    const p = await wb.datasetPreview({ task: 'seq-classification', dataset: 'seqs', count: 3 });
    assert.equal(p.examples.length, 3);
    assert.equal(p.examples[0]!.series.length, 2);
    assert.ok(['a', 'b'].includes(p.examples[0]!.label));
    const m = await wb.datasetPreview({ task: 'psmnist', count: 2 });
    assert.equal(m.seqLen, 784);
    assert.equal(m.examples[0]!.image!.width, 28);
    assert.ok(m.examples[0]!.series[0]!.length <= 512);
  });
});

describe('training on imported data and robustness', () => {
  it('trains on variable-length sequences, reports test under its protocol, evaluates and stores robustness', async (t) => {
    const { wb, dir } = workbench(t);
    const file = writeSeqCsv(path.join(dir, 'seqs.csv'));
    await wb.importDataset({ path: file, options: CSV_OPTIONS });
    const run = await wb.startRun({
      arch: 'gru',
      task: 'seq-classification',
      dataset: 'seqs',
      seed: 2,
      steps: 6,
      backend: 'cpu',
      set: { units: 4, batchSize: 8, evalEvery: 3, evalBatchSize: 16, checkpointEvery: 3 },
    });
    await rejectsWith(wb.robustnessCurves({ runIds: ['nope'] }), 'not_found');
    const done = await wb.waitForRun(run.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    const keys = Object.keys(done.latest);
    for (const k of ['eval/accuracy', 'eval/ce', 'test/accuracy', 'test/ce']) assert.ok(keys.includes(k), k);
    const [summary] = await wb.summarize({ runIds: [run.id] });
    const [evalAcc] = await wb.metrics({ runId: run.id, keys: ['eval/accuracy'] });
    const best = evalAcc!.points.reduce((a, p) => (p.value > a.value ? p : a));
    assert.equal(summary!.test?.protocol, 'best-val');
    assert.equal(summary!.test?.step, best.step);

    const curve = await wb.robustness({ runId: run.id, kind: 'gaussian', levels: [0, 0.5, 3], seed: 1 });
    assert.equal(curve.step, 6);
    assert.equal(curve.examples, 4);
    assert.deepEqual(
      curve.points.map((p) => p.level),
      [0, 0.5, 3],
    );
    assert.ok(
      Math.abs(curve.points[0]!.accuracy! - done.latest['test/accuracy']!.value) < 1e-6,
      'level 0 is the clean test accuracy',
    );
    await wb.robustness({ runId: run.id, kind: 'salt-pepper', levels: [0, 0.2], seed: 1 });
    const again = await wb.robustness({ runId: run.id, kind: 'gaussian', levels: [0, 1], seed: 1 });
    assert.equal(again.points.length, 2);
    const stored = await wb.robustnessCurves({ runIds: [run.id] });
    assert.deepEqual(
      stored.map((c) => [c.kind, c.points.length]),
      [
        ['gaussian', 2],
        ['salt-pepper', 2],
      ],
    );

    // A file changed after the run was created is refused when the runner reads it again.
    fs.appendFileSync(file, 's99,0,1,1,a\n');
    await wb.resumeRun({ runId: run.id, steps: 8 });
    const failed = await wb.waitForRun(run.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /dataset 'seqs' .* changed since it was imported/);
  });
});
