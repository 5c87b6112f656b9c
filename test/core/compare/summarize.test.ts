// Summaries: best point, steps to a threshold, median time per step, and the summary row of a run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestPoint, median, stepsToThreshold, summarizeRun } from '../../../core/compare/summarize.ts';
import { evalKey } from '../../../core/api/types.ts';
import { makeRun, points } from './make-run.ts';

describe('summaries', () => {
  it('finds the best finite point in either direction, the earliest on ties', () => {
    const p = points([0.5, NaN, 0.2, 0.2, -Infinity, 0.9]);
    assert.deepEqual(bestPoint(p, true), { step: 2, value: 0.2, wallMs: 2 });
    assert.equal(bestPoint(p, false)?.step, 5);
    assert.equal(bestPoint(points([NaN]), true), null);
  });

  it('finds the first step that reaches a threshold', () => {
    const p = points([0.3, 0.2, NaN, 0.05, 0.01], 10);
    assert.equal(stepsToThreshold(p, 0.1, true), 13);
    assert.equal(stepsToThreshold(p, 0.3, true), 10);
    assert.equal(stepsToThreshold(p, 0.001, true), null);
    assert.equal(stepsToThreshold(points([0.1, 0.5, 0.95]), 0.9, false), 2);
  });

  it('takes the median of finite values', () => {
    const table: [number[], number | null][] = [
      [[3, 1, 2], 2],
      [[4, 1, 3, 2], 2.5],
      [[NaN, 7], 7],
      [[], null],
    ];
    for (const [values, want] of table) assert.equal(median(values), want, JSON.stringify(values));
  });

  it('summarizes a run from its series and record', () => {
    const run = makeRun('r1', {}, { latest: { 'eval/mse': { step: 4, value: 0.04, wallMs: 4 } }, step: 4 });
    const s = summarizeRun(run, {
      metric: 'mse',
      lowerIsBetter: true,
      points: points([0.17, 0.1, 0.03, 0.05, 0.04]),
      stepMs: points([10, 12, 11, 50]),
      threshold: 0.1,
    });
    assert.deepEqual(s, {
      runId: 'r1',
      metric: 'eval/mse',
      lowerIsBetter: true,
      best: 0.03,
      bestStep: 2,
      last: 0.04,
      lastStep: 4,
      stepsToThreshold: 1,
      paramCount: 42,
      medianStepMs: 11.5,
      step: 4,
    });
  });

  it('leaves out what was not asked for or not yet measured', () => {
    const s = summarizeRun(makeRun('r2'), {
      metric: 'mse',
      lowerIsBetter: true,
      points: [],
      stepMs: null,
      threshold: null,
    });
    assert.equal(s.best, null);
    assert.equal(s.last, null);
    assert.equal(s.stepsToThreshold, null);
    assert.equal(s.medianStepMs, null);
    assert.equal(evalKey('accuracy'), 'eval/accuracy');
  });
});
