// A run in-process: resuming from a checkpoint continues the very same curve; a diverging run ends as 'diverged'.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../../core/api/types.ts';
import { runJob } from '../../../core/runner/job.ts';
import { openStore } from '../../../core/storage/db.ts';
import { resolveRunSpec } from '../../../core/training/spec.ts';
import { tempDir } from '../../helpers/temp.ts';

const tiny = {
  arch: 'cornn',
  task: 'adding',
  seed: 11,
  steps: 12,
  backend: 'cpu',
  set: { seqLen: 6, units: 5, evalSize: 20, evalEvery: 4, checkpointEvery: 100, batchSize: 8 },
};

describe('runJob', () => {
  it('stops with a checkpoint and resumes onto the same curve as an uninterrupted run', async (t) => {
    const store = openStore(path.join(tempDir(t), 'wb.sqlite'));
    t.after(() => store.close());
    const spec = resolveRunSpec(tiny, () => 0);
    store.createRun({ id: 'straight', experiment: 'e', spec, baseline: 1 / 6, createdAt: 1 });
    store.createRun({ id: 'resumed', experiment: 'e', spec, baseline: 1 / 6, createdAt: 2 });
    assert.equal(
      (
        await runJob(
          store,
          'straight',
          'start',
          () => {},
          () => false,
        )
      ).status,
      'completed',
    );

    let stop = false;
    const stopAt7 = (e: RunEvent) => {
      if (e.type === 'metrics' && e.step === 7) stop = true;
    };
    assert.equal((await runJob(store, 'resumed', 'start', stopAt7, () => stop)).status, 'stopped');
    assert.equal(store.getRun('resumed').step, 7);
    assert.deepEqual(
      store.listCheckpoints('resumed').map((c) => c.step),
      [7],
    );
    assert.equal(
      (
        await runJob(
          store,
          'resumed',
          'resume',
          () => {},
          () => false,
        )
      ).status,
      'completed',
    );

    const series = (id: string) =>
      store.readMetrics(id, {}).map((s) => [s.key, s.points.map((p) => [p.step, p.value])]);
    // Measurements of the machine (time per step, the process's peak memory) are not part of the curve.
    const keep = (id: string) =>
      series(id).filter(([k]) => k !== 'train/step_ms' && !(k as string).startsWith('sys/'));
    assert.deepEqual(keep('resumed'), keep('straight'));
    const loss = store.readMetrics('straight', { keys: ['train/loss'] })[0]!;
    assert.equal(loss.points.length, 12);
    const evals = store.readMetrics('straight', { keys: ['eval/mse'] })[0]!;
    assert.deepEqual(
      evals.points.map((p) => p.step),
      [0, 4, 8, 12],
    );
  });

  it('ends a run whose loss becomes non-finite as diverged, keeping the non-finite point', async (t) => {
    const store = openStore(path.join(tempDir(t), 'wb.sqlite'));
    t.after(() => store.close());
    // A huge time step and stiffness make the oscillators blow up within the first forward pass.
    const spec = resolveRunSpec({ ...tiny, set: { ...tiny.set, seqLen: 60, dt: 10, gamma: 10000 } }, () => 0);
    store.createRun({ id: 'boom', experiment: 'e', spec, baseline: 1 / 6, createdAt: 1 });
    const result = await runJob(
      store,
      'boom',
      'start',
      () => {},
      () => false,
    );
    assert.equal(result.status, 'diverged');
    assert.match(result.error ?? '', /diverged at step 1/);
    const run = store.getRun('boom');
    assert.equal(run.status, 'diverged');
    assert.ok(!Number.isFinite(run.latest['train/loss']!.value));
  });
});
