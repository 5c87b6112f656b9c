// Every registered architecture trains on every synthetic task through the real training loop (tiny sizes).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { METRIC } from '../../../core/api/types.ts';
import * as tf from '../../../core/engine/tf.ts';
import { CELLS } from '../../../core/models/registry.ts';
import { TASKS } from '../../../core/tasks/registry.ts';
import { train, type TrainEvent } from '../../../core/training/loop.ts';
import { resolveRunSpec } from '../../../core/training/spec.ts';

describe('every architecture × every task', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  for (const cell of CELLS)
    // Synthetic tasks only: the dataset tasks (MNIST, CIFAR-10, imported data) are covered in test/core/tasks/datasets.
    for (const task of TASKS.filter((t) => !t.dataset))
      it(`${cell.name} trains on ${task.name}`, async () => {
        const spec = resolveRunSpec(
          {
            arch: cell.name,
            task: task.name,
            seed: 3,
            steps: 3,
            backend: 'cpu',
            set: { units: 6, seqLen: 4, evalSize: 8, batchSize: 4, evalEvery: 3 },
          },
          () => 0,
        );
        const events: TrainEvent[] = [];
        for await (const e of train({ spec, checkpoint: null, shouldStop: () => false })) events.push(e);
        assert.deepEqual(events.at(-1), { type: 'end', status: 'completed', step: 3 });
        const losses = events.flatMap((e) =>
          e.type === 'metrics' && METRIC.loss in e.values ? [e.values[METRIC.loss]] : [],
        );
        assert.equal(losses.length, 3);
        assert.ok(losses.every(Number.isFinite), `losses ${losses.join(', ')}`);
        assert.ok(events.some((e) => e.type === 'checkpoint' && e.step === 3));
      });
});
