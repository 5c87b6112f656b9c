// Workbench with real runner processes: kill -9 mid-run leaves a sound database, an interrupted run, and a resumable one.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { forkLauncher, type ChildLike } from '../../core/runner/runner.ts';
import { Workbench } from '../../core/workbench.ts';
import { tempDir } from '../helpers/temp.ts';
import { untilRunEvent } from '../helpers/run-events.ts';

const TINY = { seqLen: 8, units: 6, evalSize: 16, evalEvery: 10, checkpointEvery: 5 };

describe('Workbench runners', () => {
  it('survives kill -9 of a runner: integrity ok, run interrupted, resume completes from the checkpoint', async (t) => {
    const db = path.join(tempDir(t), 'wb.sqlite');
    let child: ChildLike | null = null;
    const wb = new Workbench({
      dbPath: db,
      launcher: (m, a) => (child = forkLauncher(m, a)),
    });
    t.after(() => wb.close());
    const run = await wb.startRun({
      arch: 'cornn',
      task: 'adding',
      seed: 5,
      steps: 100000,
      backend: 'cpu',
      set: TINY,
    });
    await untilRunEvent(wb, (e) => e.type === 'checkpoint' && e.step >= 10);
    child!.kill('SIGKILL');
    const killed = await wb.waitForRun(run.id);
    assert.equal(killed.status, 'interrupted');
    assert.match(killed.error ?? '', /SIGKILL/);
    const raw = new Database(db, { readonly: true });
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.close();
    const ckpt = (await wb.checkpoints({ runId: run.id })).at(-1)!;
    assert.ok(ckpt.step >= 10);

    await wb.resumeRun({ runId: run.id, steps: ckpt.step + 7 });
    const done = await wb.waitForRun(run.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.step, ckpt.step + 7);
    const [loss] = await wb.metrics({ runId: run.id, keys: ['train/loss'] });
    assert.deepEqual(
      loss!.points.map((p) => p.step),
      Array.from({ length: ckpt.step + 7 }, (_, i) => i + 1),
    );
  });

  it('stops a run on request: it checkpoints and ends as stopped', async (t) => {
    const wb = new Workbench({ dbPath: path.join(tempDir(t), 'wb.sqlite') });
    t.after(() => wb.close());
    const run = await wb.startRun({
      arch: 'lstm',
      task: 'copying',
      seed: 1,
      steps: 100000,
      backend: 'cpu',
      set: { ...TINY, seqLen: 3 },
    });
    await untilRunEvent(wb, (e) => e.type === 'metrics' && e.step === 3);
    await wb.stopRun({ runId: run.id });
    const stopped = await wb.waitForRun(run.id);
    assert.equal(stopped.status, 'stopped');
    assert.equal((await wb.checkpoints({ runId: run.id })).at(-1)!.step, stopped.step);
    await assert.rejects(wb.deleteRun({ runId: 'nope' }), /no run/);
  });
});
