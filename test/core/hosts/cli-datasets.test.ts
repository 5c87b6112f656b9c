// rnnwb datasets / datasets import / train --dataset / robustness, end to end in real processes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DatasetRecord, RobustnessCurve } from '../../../core/api/types.ts';
import { tempDir } from '../../helpers/temp.ts';

const CLI = fileURLToPath(new URL('../../../core/hosts/cli.ts', import.meta.url));

function rnnwb(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('rnnwb datasets and robustness', () => {
  it('imports a CSV with a column mapping, trains on it, evaluates robustness; refuses a malformed file', async (t) => {
    const dir = tempDir(t);
    const db = ['--db', path.join(dir, 'wb.sqlite')];
    const csv = path.join(dir, 'walks.csv');
    const rows = ['walk;step;x;class'];
    for (let i = 0; i < 30; i++)
      for (let s = 0; s < 3 + (i % 3); s++) rows.push(`w${i};${s};${(i % 2) * s};c${i % 2}`);
    fs.writeFileSync(csv, rows.join('\n'));
    const mapping = ['--id-col', 'walk', '--time-col', 'step', '--label-col', 'class', '--delimiter', ';'];

    const imported = await rnnwb(['datasets', 'import', csv, '--name', 'walks', ...mapping, '--json', ...db]);
    assert.equal(imported.code, 0, imported.stderr);
    const record = JSON.parse(imported.stdout) as DatasetRecord;
    assert.equal(record.shape.examples, 30);
    assert.deepEqual(record.stats.classNames, ['c0', 'c1']);
    const human = await rnnwb(['datasets', ...db]);
    assert.match(human.stdout, /walks {2}\([0-9a-f]{12}\) {2}csv, classification/);
    assert.match(
      human.stdout,
      /mnist {2}\(built-in\) {2}idx, images\n {2}60000 examples \+ 10000 test, length 784/,
    );

    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'walk;step;x\nw1;0;1\n');
    const refused = await rnnwb(['datasets', 'import', bad, ...mapping, ...db]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`${bad}: missing column 'class'.*\\[invalid_dataset\\]`));
    const listed = JSON.parse((await rnnwb(['datasets', '--json', ...db])).stdout) as DatasetRecord[];
    assert.deepEqual(
      listed.map((d) => d.name),
      ['mnist', 'walks'],
    );

    const train = await rnnwb([
      'train',
      '--arch',
      'gru',
      '--task',
      'seq-classification',
      '--dataset',
      'walks',
      '--epochs',
      '1',
      '--set',
      'units=4',
      '--set',
      'batchSize=6',
      '--set',
      'evalEvery=2',
      '--backend',
      'cpu',
      '--seed',
      '1',
      '--json',
      ...db,
    ]);
    assert.equal(train.code, 0, train.stderr);
    const summary = JSON.parse(train.stdout.trim().split('\n').at(-1)!) as {
      id: string;
      steps: number;
      test: { metric: string; protocol: string } | null;
    };
    assert.equal(summary.steps, 4, '24 training sequences at batch 6');
    assert.equal(summary.test?.metric, 'test/accuracy');
    assert.equal(summary.test?.protocol, 'best-val');

    const robust = await rnnwb([
      'robustness',
      summary.id,
      '--kind',
      'salt-pepper',
      '--levels',
      '0,0.5',
      '--json',
      ...db,
    ]);
    assert.equal(robust.code, 0, robust.stderr);
    const curve = JSON.parse(robust.stdout) as RobustnessCurve;
    assert.deepEqual(
      curve.points.map((p) => p.level),
      [0, 0.5],
    );
    const badKind = await rnnwb(['robustness', summary.id, '--kind', 'blur', ...db]);
    assert.equal(badKind.code, 2);
    assert.match(badKind.stderr, /--kind must be one of gaussian, multiplicative, salt-pepper/);
  });
});
