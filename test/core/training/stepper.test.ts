// One training update: clipping by norm and by value, the step-decay schedule, and parameter groups.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defaultsOf, resolveConfig } from '../../../core/api/params.ts';
import { Rng } from '../../../core/engine/rng.ts';
import * as tf from '../../../core/engine/tf.ts';
import { Model } from '../../../core/models/model.ts';
import { getCell } from '../../../core/models/registry.ts';
import { addingBatch } from '../../../core/tasks/tasks/adding.ts';
import { lrAt, TRAIN_SCHEMA } from '../../../core/training/config.ts';
import { Stepper } from '../../../core/training/loop.ts';

function setup(train: Record<string, unknown>) {
  const cell = getCell('rnn-tanh');
  const model = new Model(
    cell,
    { ...defaultsOf(cell.config), units: 5 },
    { inputDim: 2, outputDim: 1, every: false },
    Rng.stream(1, 'init'),
  );
  const stepper = new Stepper(
    model,
    resolveConfig(TRAIN_SCHEMA, { optimizer: 'sgd', momentum: 0, ...train }, 'train'),
  );
  const batch = addingBatch(6, 16, 3, Rng.stream(1, 'data'));
  const flat = () => Object.values(model.getWeights()).flatMap((w) => Array.from(w.values));
  return { model, stepper, batch, flat };
}

describe('Stepper', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('clips the global gradient norm to clipNorm (SGD, lr 1: the update is the clipped gradient)', () => {
    const { model, stepper, batch, flat } = setup({ clipNorm: 0.01 });
    const before = flat();
    const { gradNorm } = stepper.step('mse', batch, Rng.stream(1, 'noise'), 1);
    assert.ok(gradNorm > 0.01, `the test needs a gradient larger than the clip (got ${gradNorm})`);
    const delta = Math.hypot(...flat().map((v, i) => v - before[i]!));
    assert.ok(Math.abs(delta - 0.01) < 1e-5, `update norm ${delta}`);
    stepper.dispose();
    model.dispose();
  });

  it('clips every gradient entry to ±clipValue', () => {
    const { model, stepper, batch, flat } = setup({ clipValue: 1e-3 });
    const before = flat();
    stepper.step('mse', batch, Rng.stream(1, 'noise'), 1);
    const biggest = Math.max(...flat().map((v, i) => Math.abs(v - before[i]!)));
    assert.ok(biggest <= 1e-3 + 1e-7 && biggest > 9e-4, `largest update ${biggest}`);
    stepper.dispose();
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const { model, stepper, batch } = setup({});
    stepper.step('mse', batch, Rng.stream(1, 'noise'), 0.1);
    const n = tf.memory().numTensors;
    stepper.step('mse', batch, Rng.stream(1, 'noise'), 0.1);
    assert.equal(tf.memory().numTensors, n);
    stepper.dispose();
    model.dispose();
  });
});

describe('step-decay schedule', () => {
  it('multiplies the learning rate by the factor every N steps', () => {
    assert.deepEqual(
      [0, 99, 100, 250].map((s) => lrAt(0.01, s, 100, 0.1)).map((v) => +v.toPrecision(6)),
      [0.01, 0.01, 0.001, 0.0001],
    );
    assert.equal(lrAt(0.01, 12345, 0, 0.1), 0.01);
  });
});
