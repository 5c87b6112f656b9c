// rnnwb export / train --init-from / diagnostics / spectrum end to end: real processes, files on disk, clear refusals.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../helpers/temp.ts';

const CLI = fileURLToPath(new URL('../../../core/hosts/cli.ts', import.meta.url));

function rnnwb(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const TINY = [
  '--set',
  'seqLen=8',
  '--set',
  'units=5',
  '--set',
  'evalSize=16',
  '--set',
  'diagEvery=2',
  '--backend',
  'cpu',
];

describe('rnnwb export and import', () => {
  it('exports a trained run, starts a new run from the export, and reports diagnostics and the spectrum', async (t) => {
    const dir = tempDir(t);
    const db = ['--db', path.join(dir, 'wb.sqlite')];
    const trained = await rnnwb([
      'train',
      '--arch',
      'gru',
      '--task',
      'adding',
      ...TINY,
      '--steps',
      '4',
      '--seed',
      '2',
      '--json',
      ...db,
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout.trim().split('\n').at(-1)!) as {
      id: string;
      latest: Record<string, number>;
    };

    // A file path: the weights there, the card beside them.
    const st = await rnnwb([
      'export',
      summary.id,
      '--format',
      'safetensors',
      '--out',
      path.join(dir, 'gru.safetensors'),
      ...db,
    ]);
    assert.equal(st.code, 0, st.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'gru.safetensors')));
    const card = JSON.parse(fs.readFileSync(path.join(dir, 'gru.card.json'), 'utf8')) as {
      run: { id: string };
    };
    assert.equal(card.run.id, summary.id);
    // TF.js: a folder of model.json, shards and the card.
    const tfjs = await rnnwb([
      'export',
      summary.id,
      '--format',
      'tfjs',
      '--out',
      path.join(dir, 'tfjs'),
      '--json',
      ...db,
    ]);
    assert.equal(tfjs.code, 0, tfjs.stderr);
    const listed = JSON.parse(tfjs.stdout) as {
      step: number;
      files: { name: string; path: string; sha256: string }[];
    };
    assert.equal(listed.step, 4);
    assert.ok(fs.existsSync(path.join(dir, 'tfjs', 'model.json')));
    assert.equal(listed.files.length, 3);

    // Starting from the TF.js export: the same held-out loss at step 0 as the source run's last evaluation.
    const again = await rnnwb([
      'train',
      '--arch',
      'gru',
      '--task',
      'adding',
      ...TINY,
      '--steps',
      '1',
      '--seed',
      '2',
      '--json',
      '--init-from',
      path.join(dir, 'tfjs', 'model.json'),
      ...db,
    ]);
    assert.equal(again.code, 0, again.stderr);
    const firstEval = again.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step?: number; values?: Record<string, number> })
      .find((e) => e.type === 'metrics' && e.step === 0)!;
    const last = summary.latest['eval/mse']!;
    assert.ok(Math.abs(firstEval.values!['eval/mse']! - last) <= 1e-6 * last);

    const diag = await rnnwb(['diagnostics', summary.id, ...db]);
    assert.equal(diag.code, 0, diag.stderr);
    assert.match(diag.stdout, /weight_hh +\[15, 5\] +75 /);
    assert.match(diag.stdout, /gradient over time \(probe batch 32, every 2 steps\)/);
    assert.match(diag.stdout, /\n {2}4 +\d\.\d\de[-+]\d+ /);
    const spec = await rnnwb(['spectrum', summary.id, '--step', '0', ...db]);
    assert.equal(spec.code, 0, spec.stderr);
    assert.match(spec.stdout, /at step 0: ∂s_t\/∂s_\{t−1\} at s = 0, x = 0 \(the linearised step\), 5 × 5/);

    // A corrupt file is refused with exit code 2 and the reason; no run is created.
    fs.writeFileSync(path.join(dir, 'bad.safetensors'), Buffer.from([1, 2, 3]));
    const bad = await rnnwb([
      'train',
      '--arch',
      'gru',
      '--task',
      'adding',
      ...TINY,
      '--init-from',
      path.join(dir, 'bad.safetensors'),
      ...db,
    ]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /bad.safetensors: not a valid safetensors file \(shorter than its 8-byte header length\) \[invalid_input\]/,
    );
    const runs = JSON.parse((await rnnwb(['runs', '--json', ...db])).stdout) as unknown[];
    assert.equal(runs.length, 2);
  });
});
