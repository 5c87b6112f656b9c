// Diagnostic vectors: stored and read back exactly (NaN and ±Inf kept), replaced per step, truncated on resume,
// deleted with their run, and a checkpoint read at a given step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addRun, testStore, workbenchError } from './helpers.ts';

describe('diagnostics storage', () => {
  it('keeps every value of a vector, NaN and ±Infinity included, per kind and step', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    const v = Float64Array.of(1e-40, 0.5, NaN, Infinity, -Infinity, 3);
    store.recordDiagnostics('r1', [
      { kind: 'grad_h', step: 0, values: v, wallMs: 10 },
      { kind: 'state_norm', step: 0, values: Float64Array.of(1, 2), wallMs: 10 },
      { kind: 'grad_h', step: 5, values: Float64Array.of(7), wallMs: 20 },
    ]);
    const rows = store.readDiagnostics('r1');
    assert.deepEqual(
      rows.map((r) => [r.kind, r.step, Array.from(r.values)]),
      [
        ['grad_h', 0, Array.from(v)],
        ['grad_h', 5, [7]],
        ['state_norm', 0, [1, 2]],
      ],
    );
    // Recording a step again replaces it.
    store.recordDiagnostics('r1', [{ kind: 'grad_h', step: 5, values: Float64Array.of(8, 9), wallMs: 30 }]);
    assert.deepEqual(Array.from(store.readDiagnostics('r1', ['grad_h'])[1]!.values), [8, 9]);
    assert.throws(
      () => store.recordDiagnostics('nope', [{ kind: 'grad_h', step: 0, values: v, wallMs: 1 }]),
      workbenchError('not_found'),
    );
    assert.throws(
      () => store.recordDiagnostics('r1', [{ kind: 'grad_h', step: -1, values: v, wallMs: 1 }]),
      workbenchError('invalid_input'),
    );
  });

  it('drops the vectors after a resumed checkpoint and those of a deleted run', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    const now = 1;
    store.commitProgress('r1', { metrics: [], now, checkpoint: { step: 4, data: Uint8Array.of(1), now } });
    store.commitProgress('r1', { metrics: [], now, checkpoint: { step: 8, data: Uint8Array.of(2), now } });
    store.recordDiagnostics(
      'r1',
      [0, 4, 6, 8].map((step) => ({ kind: 'grad_h', step, values: Float64Array.of(step), wallMs: step })),
    );
    assert.deepEqual([...store.checkpointAt('r1', 4)!.data], [1]);
    assert.equal(store.checkpointAt('r1', 5), null);
    store.truncateAfter('r1', 4);
    assert.deepEqual(
      store.readDiagnostics('r1').map((r) => r.step),
      [0, 4],
    );
    store.deleteRun('r1');
    addRun(store, 'r1');
    assert.deepEqual(store.readDiagnostics('r1'), []);
  });
});
