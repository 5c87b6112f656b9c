// Workbench.summarize and trainingOptions through the one dispatch: summaries from stored series, cheap or full.
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { RunSummary, TrainingOptions } from '../../../core/api/contract.ts';
import { dispatch } from '../../../core/hosts/dispatch.ts';
import { openStore } from '../../../core/storage/db.ts';
import { Workbench } from '../../../core/workbench.ts';
import { tempDir } from '../../helpers/temp.ts';
import { makeRun } from './make-run.ts';

describe('Workbench.summarize', () => {
  it('summarizes stored runs: best always, threshold and median only when full', async (t) => {
    const dbPath = path.join(tempDir(t), 'wb.sqlite');
    const store = openStore(dbPath);
    const { spec } = makeRun('r1');
    store.createRun({ id: 'r1', experiment: 'default', spec, baseline: 1 / 6, createdAt: 0 });
    store.claimRun('r1', { pid: process.pid, host: os.hostname(), now: 0 });
    const evals = [0.3, 0.12, NaN, 0.05, 0.08];
    store.commitProgress('r1', {
      metrics: [
        ...evals.map((value, i) => ({ key: 'eval/mse', step: i * 10, value, wallMs: i })),
        ...[5, 7, 6, 100].map((value, i) => ({ key: 'train/step_ms', step: i + 1, value, wallMs: i })),
      ],
      now: 1,
    });
    store.finishRun('r1', 'completed', null, 2);
    store.close();
    const wb = new Workbench({ dbPath });
    t.after(() => wb.close());

    const cheap = await dispatch(wb, 'summarize', { runIds: ['r1'], threshold: 0.1 });
    assert.ok(cheap.ok);
    const [s] = cheap.value as RunSummary[];
    assert.equal(s?.metric, 'eval/mse');
    assert.equal(s?.best, 0.05);
    assert.equal(s?.bestStep, 30);
    assert.equal(s?.last, 0.08);
    assert.equal(s?.stepsToThreshold, null);
    assert.equal(s?.medianStepMs, null);

    const [full] = await wb.summarize({ runIds: ['r1'], threshold: 0.1, full: true });
    assert.equal(full?.stepsToThreshold, 30);
    assert.equal(full?.medianStepMs, 6.5);

    const missing = await dispatch(wb, 'summarize', { runIds: ['nope'] });
    assert.equal(missing.ok ? null : missing.error.code, 'not_found');
    const empty = await dispatch(wb, 'summarize', { runIds: [] });
    assert.equal(empty.ok ? null : empty.error.code, 'invalid_input');
  });

  it('offers the training schema, the backends and the default budget for the New-run form', async (t) => {
    const wb = new Workbench({ dbPath: path.join(tempDir(t), 'wb.sqlite') });
    t.after(() => wb.close());
    const r = await dispatch(wb, 'trainingOptions', {});
    assert.ok(r.ok);
    const opts = r.value as TrainingOptions;
    assert.equal(opts.config['lr']?.type, 'number');
    assert.ok(opts.backends.includes('auto') && opts.backends.includes('cpu'));
    assert.ok(opts.defaultSteps > 0);
  });
});
