// The fused UnICORNN kernel equals the generic TF.js path: features, dx and every gradient, with and without dropout.
import { before, describe, it } from 'node:test';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { unicornn } from '../../../../core/models/cells/unicornn.ts';
import { unicornnKernel } from '../../../../core/models/fused/unicornn.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

describe('fused UnICORNN kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  // Defaults: 3 layers, dropout 0.1 (masks drawn while training).
  for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
      checkFusedKernel(unicornnKernel, unicornn, { ...defaultsOf(unicornn.config), units: H }, shape, {
        seed: i + 1,
      });
    });
  const shape = { T: 7, B: 5, D: 3, every: true };
  it('evaluation (no dropout masks), 2 layers', () => {
    const config = { ...defaultsOf(unicornn.config), units: 13, layers: 2 };
    checkFusedKernel(unicornnKernel, unicornn, config, shape, { seed: 11, training: false });
  });
  it('one layer, dropout 0.5, dt 0.05', () => {
    const config = { ...defaultsOf(unicornn.config), units: 13, layers: 1, dropout: 0.5, dt: 0.05 };
    checkFusedKernel(unicornnKernel, unicornn, config, shape, { seed: 12 });
  });
  it('checkpointed in time chunks (2 layers, dropout masks)', () => {
    const config = { ...defaultsOf(unicornn.config), units: 13, layers: 2, dropout: 0.3 };
    checkFusedChunks(unicornnKernel, unicornn, config, 20);
  });
});
