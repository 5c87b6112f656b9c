// The renderer's pure logic, without a browser: non-finite numbers from JSON, table filters and sorting,
// chart coordinates and the step range of a drag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunSummary } from '../../core/api/contract.ts';
import type { RunRecord } from '../../core/api/types.ts';
import { horizontalLine, stepRangeOf, toXY } from '../../renderer/src/lib/chart/xy.ts';
import { reviveEvent, reviveResult } from '../../renderer/src/lib/revive.ts';
import { EMPTY_FILTERS, filterRuns, keyParams, sortRuns } from '../../renderer/src/lib/runs-table.ts';
import { makeRun, points } from '../core/compare/make-run.ts';

describe('renderer logic', () => {
  it('turns the HTTP spellings of non-finite numbers back into numbers, and only in number fields', () => {
    const wire = JSON.parse(
      JSON.stringify([
        {
          key: 'train/loss',
          total: 3,
          points: [
            { step: 1, value: 'NaN', wallMs: 1 },
            { step: 2, value: 'Infinity', wallMs: 2 },
            { step: 3, value: 0.5, wallMs: 3 },
          ],
        },
      ]),
    ) as unknown;
    const [series] = reviveResult('metrics', wire) as { points: { value: number }[] }[];
    assert.ok(Number.isNaN(series!.points[0]!.value));
    assert.equal(series!.points[1]!.value, Infinity);
    assert.equal(series!.points[2]!.value, 0.5);

    const run = {
      ...makeRun('a'),
      note: 'NaN',
      tags: { x: 'Infinity' },
      baseline: '-Infinity',
      latest: { 'eval/mse': { step: 1, value: 'NaN', wallMs: 1 } },
    };
    const revived = reviveResult('run', JSON.parse(JSON.stringify(run))) as RunRecord;
    assert.equal(revived.note, 'NaN');
    assert.equal(revived.tags['x'], 'Infinity');
    assert.equal(revived.baseline, -Infinity);
    assert.ok(Number.isNaN(revived.latest['eval/mse']!.value));

    const e = reviveEvent({
      type: 'metrics',
      runId: 'a',
      step: 1,
      wallMs: 1,
      values: { 'train/loss': 'NaN' as unknown as number },
    });
    assert.ok(e.type === 'metrics' && Number.isNaN(e.values['train/loss']));
  });

  it('filters runs by text, status, architecture, task and tag', () => {
    const runs = [
      makeRun('aaa111', {}, { tags: { sweep: 'lr' }, note: 'first try' }),
      makeRun('bbb222', { arch: 'cornn' }, { status: 'running' }),
      makeRun('ccc333', { task: 'copying' }, { tags: { sweep: 'seed' } }),
    ];
    const ids = (f: Partial<typeof EMPTY_FILTERS>) =>
      filterRuns(runs, { ...EMPTY_FILTERS, ...f }).map((r) => r.id);
    assert.deepEqual(ids({}), ['aaa111', 'bbb222', 'ccc333']);
    assert.deepEqual(ids({ text: 'FIRST' }), ['aaa111']);
    assert.deepEqual(ids({ text: 'cornn running' }), ['bbb222']);
    assert.deepEqual(ids({ status: 'running' }), ['bbb222']);
    assert.deepEqual(ids({ arch: 'lstm' }), ['aaa111', 'ccc333']);
    assert.deepEqual(ids({ task: 'copying' }), ['ccc333']);
    assert.deepEqual(ids({ tag: 'sweep' }), ['aaa111', 'ccc333']);
    assert.deepEqual(ids({ tag: 'sweep=seed' }), ['ccc333']);
    assert.equal(keyParams(runs[0]!), 'units=8 T=10 lr=0.001 batch=8 seed=1');
  });

  it('sorts by a summary column with unmeasured runs last in both directions', () => {
    const runs = [makeRun('a'), makeRun('b'), makeRun('c')];
    const s = (id: string, best: number | null) => ({ runId: id, best }) as RunSummary;
    const summaries = { a: s('a', 0.3), b: s('b', null), c: s('c', 0.1) };
    assert.deepEqual(
      sortRuns(runs, 'best', 1, summaries, 0).map((r) => r.id),
      ['c', 'a', 'b'],
    );
    assert.deepEqual(
      sortRuns(runs, 'best', -1, summaries, 0).map((r) => r.id),
      ['a', 'c', 'b'],
    );
  });

  it('maps points to chart coordinates and a dragged x range back to steps', () => {
    const p = points([1, -1, NaN, 4], 10).map((q) => ({ ...q, wallMs: 1000 + q.step * 500 }));
    assert.deepEqual(
      toXY(p, { xAxis: 'step', origin: 0, smoothing: 0, logY: false }).map((q) => q.y),
      [1, -1, null, 4],
    );
    assert.deepEqual(
      toXY(p, { xAxis: 'step', origin: 0, smoothing: 0, logY: true }).map((q) => q.y),
      [1, null, null, 4],
    );
    assert.deepEqual(
      toXY(p, { xAxis: 'wall', origin: 6000, smoothing: 0, logY: false }).map((q) => q.x),
      [0, 0.5, 1, 1.5],
    );
    assert.equal(stepRangeOf(11.4, 12.6, [], 'step'), null);
    assert.deepEqual(stepRangeOf(10.2, 12.6, [], 'step'), { from: 11, to: 12 });
    assert.deepEqual(stepRangeOf(1.2, 0.4, [{ points: p, origin: 6000 }], 'wall'), { from: 11, to: 12 });
    assert.deepEqual(
      horizontalLine(0.5, [
        [{ x: 2, y: 1 }],
        [
          { x: -1, y: 0 },
          { x: 7, y: 3 },
        ],
      ]),
      [
        { x: -1, y: 0.5 },
        { x: 7, y: 0.5 },
      ],
    );
    assert.equal(horizontalLine(0.5, [[]]), null);
  });
});
