// Config diff: flattening a spec, the table of every key, and the keys that differ.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configTable, differingKeys, flattenSpec, formatValue } from '../../../core/compare/config-diff.ts';
import { makeRun } from './make-run.ts';

describe('config diff', () => {
  it('flattens a spec with prefixed keys after the top-level ones', () => {
    assert.deepEqual(Object.keys(flattenSpec(makeRun('a').spec)), [
      'arch',
      'task',
      'seed',
      'steps',
      'backend',
      'arch.units',
      'arch.forgetBias',
      'task.seqLen',
      'train.lr',
      'train.batchSize',
    ]);
  });

  it('marks a key as differing when any run has another value or lacks it', () => {
    const runs = [
      makeRun('a'),
      makeRun('b', { trainConfig: { lr: 0.01, batchSize: 8 } }),
      makeRun('c', { arch: 'cornn', archConfig: { units: 8, dt: 0.06 } }),
    ];
    assert.deepEqual(differingKeys(runs), ['arch', 'arch.forgetBias', 'train.lr', 'arch.dt']);
    const dt = configTable(runs).find((r) => r.key === 'arch.dt');
    assert.deepEqual(dt, { key: 'arch.dt', values: [undefined, undefined, 0.06], differs: true });
  });

  it('finds nothing differing among identical configs, and treats NaN as equal to itself', () => {
    const runs = [makeRun('a', { taskConfig: { x: NaN } }), makeRun('b', { taskConfig: { x: NaN } })];
    assert.deepEqual(differingKeys(runs), []);
    assert.deepEqual(differingKeys([]), []);
  });

  it('formats missing values as a dash', () => {
    assert.equal(formatValue(undefined), '—');
    assert.equal(formatValue(0.001), '0.001');
    assert.equal(formatValue(false), 'false');
  });
});
