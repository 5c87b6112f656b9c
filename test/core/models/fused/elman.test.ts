// The fused Elman kernels (rnn-tanh, irnn) equal the generic TF.js path: features, dx and every gradient.
import { before, describe, it } from 'node:test';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { irnn } from '../../../../core/models/cells/irnn.ts';
import { rnnTanh } from '../../../../core/models/cells/rnn-tanh.ts';
import { irnnKernel, rnnTanhKernel } from '../../../../core/models/fused/elman.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

describe('fused Elman kernels against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [c, [cell, kernel]] of (
    [
      [rnnTanh, rnnTanhKernel],
      [irnn, irnnKernel],
    ] as const
  ).entries()) {
    for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
      it(`${cell.name}: units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
        const config = { ...defaultsOf(cell.config), units: H };
        checkFusedKernel(kernel, cell, config, shape, { seed: 100 * c + i + 1 });
      });
    it(`${cell.name}: checkpointed in time chunks`, () => {
      const config = { ...defaultsOf(cell.config), units: 13 };
      checkFusedChunks(kernel, cell, config, 100 * c + 10);
    });
  }
});
