// The fused AntisymmetricRNN kernels (plain and gated) equal the generic TF.js path: features, dx and every gradient.
import { before, describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import type { CellSpec } from '../../../../core/models/cell.ts';
import { antisymmetric } from '../../../../core/models/cells/antisymmetric.ts';
import { antisymmetricGated } from '../../../../core/models/cells/antisymmetric-gated.ts';
import {
  antisymmetricGatedKernel,
  antisymmetricKernel,
} from '../../../../core/models/fused/antisymmetric.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

// prepare's intermediates (Wᵀ, I, …) tidied, so the check's leak count sees only what it made itself.
const tidied = (c: CellSpec): CellSpec => ({ ...c, prepare: (w, cfg) => tf.tidy(() => c.prepare!(w, cfg)) });

describe('fused AntisymmetricRNN kernels against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [c, [cell, kernel]] of (
    [
      [tidied(antisymmetric), antisymmetricKernel],
      [tidied(antisymmetricGated), antisymmetricGatedKernel],
    ] as const
  ).entries()) {
    for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
      it(`${cell.name}: units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
        const config = { ...defaultsOf(cell.config), units: H };
        checkFusedKernel(kernel, cell, config, shape, { seed: 100 * c + i + 1 });
      });
    it(`${cell.name}: large ε, γ and σ_w`, () => {
      const config = { ...defaultsOf(cell.config), units: 13, eps: 0.5, gamma: 0.3, sigmaW: 4 };
      checkFusedKernel(kernel, cell, config, { T: 7, B: 5, D: 3, every: true }, { seed: 100 * c + 50 });
    });
    it(`${cell.name}: checkpointed in time chunks`, () => {
      const config = { ...defaultsOf(cell.config), units: 13, eps: 0.3 };
      checkFusedChunks(kernel, cell, config, 100 * c + 60);
    });
  }
});
