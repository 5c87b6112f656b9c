// The fused Noisy RNN kernel equals the generic TF.js path (noise drawn alike): features, dx and every gradient.
import { before, describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import type { CellSpec } from '../../../../core/models/cell.ts';
import { noisyRnn } from '../../../../core/models/cells/noisy-rnn.ts';
import { noisyRnnKernel } from '../../../../core/models/fused/noisy-rnn.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

// prepare's intermediates (Mᵀ, I, …) tidied, so the check's leak count sees only what it made itself.
const cell: CellSpec = { ...noisyRnn, prepare: (w, c) => tf.tidy(() => noisyRnn.prepare!(w, c)) };
const shape = { T: 7, B: 5, D: 3, every: true };

describe('fused Noisy RNN kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  // Training (the default): additive and multiplicative noise.
  for (const [i, { H, ...s }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${s.B}, T ${s.T}, D ${s.D}, every ${s.every}`, () => {
      checkFusedKernel(noisyRnnKernel, cell, { ...defaultsOf(cell.config), units: H }, s, { seed: i + 1 });
    });
  it('evaluation: no noise', () => {
    const config = { ...defaultsOf(cell.config), units: 13 };
    checkFusedKernel(noisyRnnKernel, cell, config, shape, { seed: 11, training: false });
  });
  it('large noise and step', () => {
    const config = { ...defaultsOf(cell.config), units: 13, addNoise: 0.5, multNoise: 0.7, eps: 0.3 };
    checkFusedKernel(noisyRnnKernel, cell, config, shape, { seed: 12 });
  });
  it('additive noise only, then multiplicative only', () => {
    const config = { ...defaultsOf(cell.config), units: 13, eps: 0.3 };
    checkFusedKernel(noisyRnnKernel, cell, { ...config, multNoise: 0 }, shape, { seed: 13 });
    checkFusedKernel(noisyRnnKernel, cell, { ...config, addNoise: 0 }, shape, { seed: 14 });
  });
  it('checkpointed in time chunks (the noise drawn again alike)', () => {
    const config = { ...defaultsOf(cell.config), units: 13, eps: 0.3 };
    checkFusedChunks(noisyRnnKernel, cell, config, 20);
  });
});
