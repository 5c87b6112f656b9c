// Our Adam, RMSprop and SGD follow PyTorch's update rules step by step (fixture from torch.optim).
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { defaultsOf } from '../../../core/api/params.ts';
import * as tf from '../../../core/engine/tf.ts';
import { TRAIN_SCHEMA } from '../../../core/training/config.ts';
import { Optimizer } from '../../../core/training/optimizers.ts';
import { assertAllClose } from '../../helpers/all-close.ts';

interface Fixture {
  theta0: number[];
  c: number[];
  cases: Record<string, { config: Record<string, number | string>; trajectory: number[][] }>;
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/golden/optimizers.json', import.meta.url), 'utf8'),
) as Fixture;

describe('optimizers against torch.optim (test/fixtures/golden/make_optimizers.py)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  for (const [name, { config, trajectory }] of Object.entries(fixture.cases)) {
    it(`${name}: five steps equal PyTorch's trajectory`, () => {
      const opt = new Optimizer({ ...defaultsOf(TRAIN_SCHEMA), ...config });
      const theta = tf.variable(tf.tensor1d(fixture.theta0));
      const c = tf.tensor1d(fixture.c);
      trajectory.forEach((expected, k) => {
        const grad = tf.tidy(() => tf.add(tf.mul(c, tf.square(theta)), 1));
        opt.apply({ theta }, { theta: grad }, config['lr'] as number);
        grad.dispose();
        assertAllClose(theta.dataSync(), expected, {
          rtol: 1e-5,
          atol: 1e-6,
          label: `${name} step ${k + 1}`,
        });
      });
      const saved = opt.getState();
      opt.dispose();
      theta.dispose();
      c.dispose();
      for (const s of Object.values(saved.slots))
        if (s.values.length !== fixture.theta0.length) throw new Error('slot size');
    });
  }
});
