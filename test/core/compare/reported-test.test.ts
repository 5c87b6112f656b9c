// The test number a dataset run reports: at the best validation evaluation, or the last, or the best test (no validation).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricPoint } from '../../../core/api/types.ts';
import { reportedTest } from '../../../core/compare/summarize.ts';

const pts = (values: [number, number][]): MetricPoint[] =>
  values.map(([step, value]) => ({ step, value, wallMs: 0 }));

describe('reportedTest', () => {
  const val = pts([
    [0, 0.1],
    [100, 0.8],
    [200, 0.9],
    [300, 0.9],
    [400, 0.85],
  ]);
  const test = pts([
    [0, 0.11],
    [100, 0.79],
    [200, 0.88],
    [300, 0.91],
    [400, 0.86],
  ]);

  it('best-val: the test value at the best validation evaluation (earliest on ties)', () => {
    assert.deepEqual(reportedTest(val, test, 'best-val', false), { value: 0.88, step: 200 });
  });

  it('last: the last test value', () => {
    assert.deepEqual(reportedTest(val, test, 'last', false), { value: 0.86, step: 400 });
  });

  it('without a validation split the evaluation is the test set: best-val is the best test value', () => {
    assert.deepEqual(reportedTest(test, [], 'best-val', false), { value: 0.91, step: 300 });
    assert.deepEqual(
      reportedTest(
        pts([
          [5, 2],
          [9, 1],
        ]),
        [],
        'best-val',
        true,
      ),
      { value: 1, step: 9 },
    );
  });

  it('is null before any evaluation', () => {
    assert.equal(reportedTest([], [], 'best-val', false), null);
  });
});
