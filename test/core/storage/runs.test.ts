// Runs: create/read/list, write-once params, id prefixes, the ownership lifecycle, tags, notes, cascade delete.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEnvironment } from '../../../core/api/types.ts';
import { addRun, rawDb, sampleSpec, testStore, workbenchError } from './helpers.ts';

const ENV: RunEnvironment = { backend: 'cpu', device: 'cpu (js)', versions: { tfjs: '4.22.0' }, host: 'box' };
const OWNER = { pid: 4242, host: 'box', now: 5_000 };

describe('createRun and getRun', () => {
  it('round-trips a queued run with its spec, experiment and baseline', (t) => {
    const { store } = testStore(t);
    store.createRun({
      id: 'r1',
      experiment: 'sweep-a',
      spec: sampleSpec(),
      baseline: 1 / 6,
      createdAt: 1_000,
    });
    assert.deepEqual(store.getRun('r1'), {
      id: 'r1',
      experiment: 'sweep-a',
      spec: sampleSpec(),
      status: 'queued',
      createdAt: 1_000,
      startedAt: null,
      endedAt: null,
      step: 0,
      env: null,
      paramCount: null,
      baseline: 1 / 6,
      error: null,
      tags: {},
      note: '',
      latest: {},
    });
    assert.throws(() => store.getRun('nope'), workbenchError('not_found', /no run 'nope'/));
  });

  it('refuses a second run with the same id', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    assert.throws(() => addRun(store, 'r1'), workbenchError('conflict', /already exists/));
  });

  it('writes the spec flattened into params, which can never change', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    const db = rawDb(t, file);
    const params = Object.fromEntries(
      db
        .prepare<[], { key: string; value: string }>("SELECT key, value FROM params WHERE run_id = 'r1'")
        .all()
        .map((p) => [p.key, p.value]),
    );
    assert.deepEqual(params, {
      'arch.units': '64',
      'arch.dt': '0.042',
      'arch.gamma': '2.7',
      'task.length': '100',
      'train.lr': '0.002',
      'train.clip': 'true',
      'train.optimizer': '"adam"',
      seed: '7',
      steps: '1000',
      backend: '"auto"',
    });
    assert.throws(() => db.exec("UPDATE params SET value = '1' WHERE key = 'seed'"), /write-once/);
    assert.throws(() => db.exec("INSERT OR REPLACE INTO params VALUES ('r1', 'seed', '1')"), /write-once/);
    assert.throws(() => db.exec("DELETE FROM params WHERE key = 'seed'"), /write-once/);
  });
});

describe('resolveRunId', () => {
  it('accepts an exact id or a unique prefix, and names the candidates of an ambiguous one', (t) => {
    const { store } = testStore(t);
    for (const id of ['abc', 'abcd', 'abx', 'zz9']) addRun(store, id);
    assert.equal(store.resolveRunId('abc'), 'abc', 'an exact id wins over the longer ids it prefixes');
    assert.equal(store.resolveRunId('abcd'), 'abcd');
    assert.equal(store.resolveRunId('abx'), 'abx');
    assert.equal(store.resolveRunId('z'), 'zz9');
    assert.throws(() => store.resolveRunId('ab'), workbenchError('invalid_input', /abc, abcd, abx/));
    assert.throws(() => store.resolveRunId('q'), workbenchError('not_found'));
    assert.throws(() => store.resolveRunId(''), workbenchError('invalid_input'));
    assert.throws(() => store.resolveRunId('%'), workbenchError('not_found'), 'no LIKE wildcards');
  });
});

describe('listRuns', () => {
  it('lists newest first and filters by status, arch and task', (t) => {
    const { store } = testStore(t);
    addRun(store, 'old', 1_000);
    addRun(store, 'mid', 2_000, { arch: 'lstm' });
    addRun(store, 'new', 3_000, { task: 'copying' });
    store.claimRun('mid', OWNER);
    assert.deepEqual(
      store.listRuns().map((r) => r.id),
      ['new', 'mid', 'old'],
    );
    assert.deepEqual(
      store.listRuns({ status: 'running' }).map((r) => r.id),
      ['mid'],
    );
    assert.deepEqual(
      store.listRuns({ arch: 'cornn' }).map((r) => r.id),
      ['new', 'old'],
    );
    assert.deepEqual(
      store.listRuns({ arch: 'cornn', task: 'adding' }).map((r) => r.id),
      ['old'],
    );
    assert.deepEqual(store.listRuns({ status: 'failed' }), []);
  });
});

describe('run lifecycle', () => {
  it('claims, beats, records its environment, stops on request and finishes', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    const db = rawDb(t, file);
    const owner = () =>
      db
        .prepare("SELECT owner_pid, owner_host, heartbeat_at, backend, device FROM runs WHERE id = 'r1'")
        .get();

    store.claimRun('r1', OWNER);
    let run = store.getRun('r1');
    assert.equal(run.status, 'running');
    assert.equal(run.startedAt, 5_000);
    assert.deepEqual(owner(), {
      owner_pid: 4242,
      owner_host: 'box',
      heartbeat_at: 5_000,
      backend: null,
      device: null,
    });

    store.heartbeat('r1', 6_000);
    store.setRunEnv('r1', ENV, 1234);
    assert.deepEqual(owner(), {
      owner_pid: 4242,
      owner_host: 'box',
      heartbeat_at: 6_000,
      backend: 'cpu',
      device: 'cpu (js)',
    });
    run = store.getRun('r1');
    assert.deepEqual(run.env, ENV);
    assert.equal(run.paramCount, 1234);

    assert.equal(store.isStopRequested('r1'), false);
    store.requestStop('r1');
    assert.equal(store.isStopRequested('r1'), true);

    store.finishRun('r1', 'stopped', null, 7_000);
    run = store.getRun('r1');
    assert.equal(run.status, 'stopped');
    assert.equal(run.endedAt, 7_000);
    assert.equal((owner() as { owner_pid: number | null }).owner_pid, null);

    // Resuming: a new claim keeps the first start time and clears the end, error and stop flag.
    store.claimRun('r1', { ...OWNER, now: 9_000 });
    run = store.getRun('r1');
    assert.equal(run.startedAt, 5_000);
    assert.equal(run.endedAt, null);
    assert.equal(store.isStopRequested('r1'), false);
    store.finishRun('r1', 'failed', 'out of memory', 9_500);
    assert.equal(store.getRun('r1').error, 'out of memory');
  });

  it('refuses to claim a run another process is running, and to finish a run as running', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    store.claimRun('r1', OWNER);
    store.claimRun('r1', OWNER);
    assert.throws(
      () => store.claimRun('r1', { ...OWNER, pid: 99 }),
      workbenchError('conflict', /process 4242 on box/),
    );
    assert.throws(() => store.finishRun('r1', 'running', null, 1), workbenchError('invalid_input'));
  });

  it('extends the step budget in runs.steps and spec.steps but not in the write-once params', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    store.setSteps('r1', 5000);
    const run = store.getRun('r1');
    assert.equal(run.spec.steps, 5000);
    assert.deepEqual(run.spec, sampleSpec({ steps: 5000 }));
    const db = rawDb(t, file);
    assert.deepEqual(db.prepare("SELECT steps FROM runs WHERE id = 'r1'").get(), { steps: 5000 });
    assert.deepEqual(db.prepare("SELECT value FROM params WHERE run_id = 'r1' AND key = 'steps'").get(), {
      value: '1000',
    });
  });

  it('answers not_found for every change to a missing run', (t) => {
    const { store } = testStore(t);
    const missing = workbenchError('not_found', /no run 'ghost'/);
    assert.throws(() => store.claimRun('ghost', OWNER), missing);
    assert.throws(() => store.heartbeat('ghost', 1), missing);
    assert.throws(() => store.requestStop('ghost'), missing);
    assert.throws(() => store.isStopRequested('ghost'), missing);
    assert.throws(() => store.setRunEnv('ghost', ENV, 1), missing);
    assert.throws(() => store.setSteps('ghost', 1), missing);
    assert.throws(() => store.finishRun('ghost', 'completed', null, 1), missing);
    assert.throws(() => store.setTag('ghost', 'k', 'v'), missing);
    assert.throws(() => store.setNote('ghost', 'n'), missing);
    assert.throws(() => store.deleteRun('ghost'), missing);
    assert.throws(() => store.commitProgress('ghost', { metrics: [], now: 1 }), missing);
    assert.throws(() => store.readMetrics('ghost'), missing);
    assert.throws(() => store.listCheckpoints('ghost'), missing);
  });
});

describe('tags, notes and deletion', () => {
  it('sets, replaces and deletes tags, and keeps one note', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    store.setTag('r1', 'paper', 'fig3');
    store.setTag('r1', 'best', 'yes');
    store.setTag('r1', 'paper', 'fig4');
    store.setTag('r1', 'best', null);
    store.setNote('r1', 'first try');
    store.setNote('r1', 'lr too high');
    const run = store.getRun('r1');
    assert.deepEqual(run.tags, { paper: 'fig4' });
    assert.equal(run.note, 'lr too high');
  });

  it('deletes a run with everything recorded about it', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    addRun(store, 'keep');
    for (const id of ['r1', 'keep']) {
      store.commitProgress(id, {
        metrics: [{ key: 'loss', step: 1, value: 0.5, wallMs: 10 }],
        checkpoint: { step: 1, data: new Uint8Array([1, 2, 3]), now: 10 },
        now: 10,
      });
      store.setTag(id, 'k', 'v');
      store.setNote(id, 'n');
    }
    const db = rawDb(t, file);
    db.prepare(
      "INSERT INTO artifacts (run_id, kind, path, sha256, bytes, created_at) VALUES ('r1', 'npz', '/x.npz', 'ab', 1, 1)",
    ).run();
    store.deleteRun('r1');
    for (const table of [
      'params',
      'metrics',
      'latest_metrics',
      'metric_rollup',
      'tags',
      'notes',
      'artifacts',
      'checkpoints',
    ]) {
      const count = (id: string) =>
        db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE run_id = ?`).get(id)?.n;
      assert.equal(count('r1'), 0, `${table} rows of the deleted run`);
      assert.ok((count('keep') ?? 0) > 0 || table === 'artifacts', `${table} rows of the other run stay`);
    }
    assert.throws(() => store.getRun('r1'), workbenchError('not_found'));
    assert.deepEqual(
      store.listRuns().map((r) => r.id),
      ['keep'],
    );
  });
});
