// The fused Lipschitz RNN kernel equals the generic TF.js path: features, dx and every gradient.
import { before, describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import type { CellSpec } from '../../../../core/models/cell.ts';
import { lipschitz } from '../../../../core/models/cells/lipschitz.ts';
import { lipschitzKernel } from '../../../../core/models/fused/lipschitz.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

// prepare's intermediates (Mᵀ, I, …) tidied, so the check's leak count sees only what it made itself.
const cell: CellSpec = { ...lipschitz, prepare: (w, c) => tf.tidy(() => lipschitz.prepare!(w, c)) };

describe('fused Lipschitz RNN kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
      checkFusedKernel(lipschitzKernel, cell, { ...defaultsOf(cell.config), units: H }, shape, {
        seed: i + 1,
      });
    });
  it('α = 0 (no linear term), β = 0.3, large ε', () => {
    const config = { ...defaultsOf(cell.config), units: 13, alpha: 0, beta: 0.3, eps: 0.5, initStd: 2 };
    checkFusedKernel(lipschitzKernel, cell, config, { T: 7, B: 5, D: 3, every: true }, { seed: 11 });
  });
  it('α = 2, γ 0.5, large weights', () => {
    const config = {
      ...defaultsOf(cell.config),
      units: 13,
      alpha: 2,
      gammaA: 0.5,
      gammaW: 0.5,
      eps: 0.2,
      initStd: 5,
    };
    checkFusedKernel(lipschitzKernel, cell, config, { T: 7, B: 5, D: 3, every: false }, { seed: 12 });
  });
  it('checkpointed in time chunks', () => {
    const config = { ...defaultsOf(cell.config), units: 13 };
    checkFusedChunks(lipschitzKernel, cell, config, 20);
  });
});
