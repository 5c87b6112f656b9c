// rnnwb end to end: real processes, a real database, real (tiny) training; bad input refused, nothing lost.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir } from '../../helpers/temp.ts';

const CLI = fileURLToPath(new URL('../../../core/hosts/cli.ts', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function rnnwb(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const TINY = [
  '--set',
  'seqLen=8',
  '--set',
  'units=6',
  '--set',
  'evalSize=16',
  '--set',
  'evalEvery=5',
  '--backend',
  'cpu',
];
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('rnnwb CLI', () => {
  it('lists architectures and tasks with their config schemas', async () => {
    const archs = JSON.parse((await rnnwb(['archs', '--json'])).stdout) as {
      name: string;
      summary: string;
      paper: string;
      config: Record<string, unknown>;
      weights: { name: string; shape: number[]; doc: string }[];
    }[];
    const cornn = archs.find((a) => a.name === 'cornn');
    assert.ok(cornn && 'dt' in cornn.config && 'units' in cornn.config);
    for (const a of archs) {
      assert.ok(a.summary.length > 10 && a.paper.length > 10, `${a.name}: summary and paper`);
      assert.ok('units' in a.config, `${a.name}: units`);
      assert.ok(a.weights.length > 0, `${a.name}: weights`);
      for (const w of a.weights)
        assert.ok(w.doc.length > 0 && w.shape.length > 0, `${a.name}.${w.name}: doc, shape`);
    }
    const tasks = JSON.parse((await rnnwb(['tasks', '--json'])).stdout) as { name: string }[];
    assert.deepEqual(tasks.map((t) => t.name).sort(), [
      'adding',
      'cifar10-noise-padded',
      'cifar10-pixel',
      'copying',
      'psmnist',
      'seq-classification',
      'seq-regression',
      'smnist',
    ]);
  });

  it('trains, streams JSON lines ending in a summary, and finds the run again', async (t) => {
    const db = path.join(tempDir(t), 'wb.sqlite');
    const r = await rnnwb([
      'train',
      '--arch',
      'cornn',
      '--task',
      'adding',
      ...TINY,
      '--steps',
      '15',
      '--seed',
      '3',
      '--json',
      '--db',
      db,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.at(-1)!;
    assert.equal(summary['type'], 'summary');
    assert.equal(summary['status'], 'completed');
    assert.equal(lines.filter((l) => l['type'] === 'metrics').length, 16);
    const runs = JSON.parse((await rnnwb(['runs', '--json', '--db', db])).stdout) as {
      id: string;
      status: string;
    }[];
    assert.deepEqual(
      runs.map((x) => [x.id, x.status]),
      [[summary['id'], 'completed']],
    );
    const shown = await rnnwb(['show', String(summary['id']).slice(0, 6), '--db', db]);
    assert.match(shown.stdout, /cornn on adding {2}completed/);
    // On a CPU-side backend a cell with a fused kernel trains on the fused engine, and the record says so.
    assert.match(shown.stdout, /backend fused-wasm/);
    const viaEnv = await rnnwb(['runs', '--json'], { RNNWB_DB: db });
    assert.equal((JSON.parse(viaEnv.stdout) as unknown[]).length, 1);
  });

  it('stops a run from another process: the run checkpoints and ends as stopped', async (t) => {
    const db = path.join(tempDir(t), 'wb.sqlite');
    const train = spawn(process.execPath, [
      CLI,
      'train',
      '--arch',
      'lstm',
      '--task',
      'adding',
      ...TINY,
      '--steps',
      '100000',
      '--json',
      '--db',
      db,
    ]);
    const lines = createInterface({ input: train.stdout });
    let runId = '';
    let summary: Record<string, unknown> | null = null;
    for await (const line of lines) {
      const e = JSON.parse(line) as Record<string, unknown>;
      if (!runId && e['type'] === 'metrics' && e['step'] === 2) {
        runId = String(e['runId']);
        const stop = await rnnwb(['stop', runId, '--db', db]);
        assert.equal(stop.code, 0, stop.stderr);
      }
      if (e['type'] === 'summary') summary = e;
    }
    const code = await new Promise<number | null>((resolve) =>
      train.exitCode !== null ? resolve(train.exitCode) : train.on('exit', resolve),
    );
    assert.equal(summary?.['status'], 'stopped');
    assert.equal(code, 1);
    const shown = JSON.parse((await rnnwb(['show', runId, '--json', '--db', db])).stdout) as {
      status: string;
      step: number;
    };
    assert.equal(shown.status, 'stopped');
    assert.ok(shown.step >= 2);
  });

  const refusals: [string, string[], RegExp][] = [
    [
      'an unknown architecture',
      ['train', '--arch', 'nope', '--task', 'adding'],
      /unknown architecture 'nope' \(known: .*cornn/,
    ],
    ['an unknown task', ['train', '--arch', 'cornn', '--task', 'nope'], /unknown task 'nope'/],
    [
      'a non-numeric --set',
      ['train', '--arch', 'cornn', '--task', 'adding', '--set', 'units=many'],
      /arch\.units = "many": must be a finite number/,
    ],
    [
      'an out-of-range --set',
      ['train', '--arch', 'cornn', '--task', 'adding', '--set', 'seqLen=1'],
      /task\.seqLen = 1: must be ≥ 2/,
    ],
    [
      'an unknown --set key',
      ['train', '--arch', 'cornn', '--task', 'adding', '--set', 'depth=3'],
      /unknown setting 'depth'/,
    ],
    [
      'a --set without =',
      ['train', '--arch', 'cornn', '--task', 'adding', '--set', 'units'],
      /--set expects key=value/,
    ],
    [
      'an unknown backend',
      ['train', '--arch', 'cornn', '--task', 'adding', '--backend', 'tpu'],
      /unknown backend 'tpu'/,
    ],
    ['an unknown run', ['show', 'ffffffff'], /no run/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [what, args, message] of refusals)
    it(`refuses ${what} with a message and exit code 2, storing nothing`, async (t) => {
      const db = path.join(tempDir(t), 'wb.sqlite');
      const r = await rnnwb([...args, '--db', db]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      if (fs.existsSync(db))
        assert.equal(new Database(db).prepare('select count(*) n from runs').pluck().get(), 0);
    });

  it('never overwrites a --db that is not an SQLite file', async (t) => {
    const file = path.join(tempDir(t), 'notes.txt');
    fs.writeFileSync(file, 'my precious notes\n'.repeat(100));
    const before = sha(file);
    const r = await rnnwb(['runs', '--db', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not an SQLite database/);
    assert.equal(sha(file), before);
  });

  it('refuses a database from a newer schema version and leaves it untouched', async (t) => {
    const file = path.join(tempDir(t), 'future.sqlite');
    const db = new Database(file);
    db.exec('create table keep(x); insert into keep values (42);');
    db.pragma('user_version = 9999');
    db.close();
    const before = sha(file);
    const r = await rnnwb(['runs', '--db', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /9999/);
    assert.equal(sha(file), before);
  });
});
