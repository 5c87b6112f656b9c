// The fused expRNN kernel equals the generic TF.js path: features, dx and every gradient (through exp(A) too).
import { before, describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import type { CellSpec } from '../../../../core/models/cell.ts';
import { exprnn } from '../../../../core/models/cells/exprnn.ts';
import { exprnnKernel } from '../../../../core/models/fused/exprnn.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

// prepare's intermediates (the skew matrix, expm's powers) tidied, so the check's leak count sees only its own.
const cell: CellSpec = { ...exprnn, prepare: (w, c) => tf.tidy(() => exprnn.prepare!(w, c)) };

describe('fused expRNN kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
      checkFusedKernel(exprnnKernel, cell, { ...defaultsOf(cell.config), units: H }, shape, { seed: i + 1 });
    });
  it('henaff initialisation (large rotations)', () => {
    const config = { ...defaultsOf(cell.config), units: 13, init: 'henaff' };
    checkFusedKernel(exprnnKernel, cell, config, { T: 7, B: 5, D: 3, every: true }, { seed: 11 });
  });
  it('checkpointed in time chunks', () => {
    const config = { ...defaultsOf(cell.config), units: 13 };
    checkFusedChunks(exprnnKernel, cell, config, 20);
  });
});
