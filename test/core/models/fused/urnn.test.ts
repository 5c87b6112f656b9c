// The fused uRNN kernel equals the generic TF.js path: features, dx and every gradient (theta, reflection, h_0 too).
import { before, describe, it } from 'node:test';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import type { Config } from '../../../../core/api/params.ts';
import * as tf from '../../../../core/engine/tf.ts';
import { urnn, urnnRecurrent } from '../../../../core/models/cells/urnn.ts';
import { urnnKernel } from '../../../../core/models/fused/urnn.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

/**
 * The config with the cell's per-(units, permSeed) constants (DFT matrices, permutation: kept once per backend by
 * design) made beforehand, so the check's leak count sees only what it made itself.
 */
function warmed(config: Config): Config {
  const n = config['units'] as number;
  tf.tidy(() => {
    const w = { theta: tf.zeros([3, n]), reflection: tf.ones([2, 2 * n]) };
    urnnRecurrent(tf.zeros([1, n]), tf.zeros([1, n]), w, config);
  });
  return config;
}

describe('fused uRNN kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
      checkFusedKernel(urnnKernel, urnn, warmed({ ...defaultsOf(urnn.config), units: H }), shape, {
        seed: i + 1,
      });
    });
  it('another permutation seed; two units', () => {
    const shape = { T: 7, B: 5, D: 3, every: true };
    const config = defaultsOf(urnn.config);
    checkFusedKernel(urnnKernel, urnn, warmed({ ...config, units: 13, permSeed: 7 }), shape, { seed: 11 });
    checkFusedKernel(urnnKernel, urnn, warmed({ ...config, units: 2 }), shape, { seed: 12 });
  });
  it('checkpointed in time chunks', () => {
    const config = warmed({ ...defaultsOf(urnn.config), units: 13 });
    checkFusedChunks(urnnKernel, urnn, config, 20);
  });
});
