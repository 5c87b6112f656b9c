// The fused GRU kernel equals the generic TF.js path: features, dx and every gradient.
import { before, describe, it } from 'node:test';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { gru } from '../../../../core/models/cells/gru.ts';
import { gruKernel } from '../../../../core/models/fused/gru.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

describe('fused GRU kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
      checkFusedKernel(gruKernel, gru, { ...defaultsOf(gru.config), units: H }, shape, { seed: i + 1 });
    });
  it('checkpointed in time chunks', () => {
    const config = { ...defaultsOf(gru.config), units: 13 };
    checkFusedChunks(gruKernel, gru, config, 10);
  });
});
