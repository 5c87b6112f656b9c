// The fused scoRNN kernel equals the generic TF.js path: features, dx and every gradient (through the Cayley map too).
import { before, describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import type { CellSpec } from '../../../../core/models/cell.ts';
import { scornn } from '../../../../core/models/cells/scornn.ts';
import { scornnKernel } from '../../../../core/models/fused/scornn.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

// prepare's intermediates (the skew matrix, the Newton–Schulz iterates) tidied, so the check's leak count sees its own.
const cell: CellSpec = { ...scornn, prepare: (w, c) => tf.tidy(() => scornn.prepare!(w, c)) };

describe('fused scoRNN kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [i, { H, ...shape }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${shape.B}, T ${shape.T}, D ${shape.D}, every ${shape.every}`, () => {
      const config = { ...defaultsOf(cell.config), units: H, negOnes: Math.floor(H / 3) };
      checkFusedKernel(scornnKernel, cell, config, shape, { seed: i + 1 });
    });
  it('input scale 10 (larger pre-activations)', () => {
    const config = { ...defaultsOf(cell.config), units: 13, negOnes: 5 };
    checkFusedKernel(
      scornnKernel,
      cell,
      config,
      { T: 7, B: 5, D: 3, every: true },
      { seed: 11, inputStd: 10 },
    );
  });
  it('checkpointed in time chunks', () => {
    const config = { ...defaultsOf(cell.config), units: 13, negOnes: 5 };
    checkFusedChunks(scornnKernel, cell, config, 20);
  });
});
